"""Scan a built site for anything that belongs to a non-public entry.

The gate decides what is published; the audit checks what was actually written, every file of the
site: pages, `search/search_index.json`, feeds, sitemap, assets. It looks for the confidential terms
(customers and configured terms), the titles (three words or more) and distinctive sentences (eight
words or more) of non-public entries, and their slugs in URLs. A phrase the writer also used in a
public entry is not a leak and is not looked for.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .audience import PhraseMatcher, Reader, confidential_terms, select
from .config import Config
from .model import Entry

TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"\w+")
PATH_SEGMENT = re.compile(r"/([\w.-]+?)(?:\.md|\.html)?(?=[/\"'#?\s)]|$)")
MIN_TITLE_WORDS = 3
MIN_SENTENCE_WORDS = 8


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the site folder's parent, e.g. site/blog/index.html
    kind: str  # customer | confidential term | title | sentence | slug
    text: str
    source: str  # the non-public entry it belongs to, or notepress.yml

    def __str__(self) -> str:
        return f'{self.file}: {self.kind} "{self.text}" (from {self.source})'


class Needles:
    """What must not be in a public site, built from the entries and the config."""

    def __init__(self, entries: list[Entry], config: Config):
        public = select(entries, Reader.PUBLIC)
        public_ids = {id(e) for e in public}
        hidden = [e for e in entries if id(e) not in public_ids]
        self.owner: dict[str, tuple[str, str]] = {}
        customers = {e.insight.customer: e.source for e in entries if e.insight}
        for term in confidential_terms(entries, config):
            self.owner[term.casefold()] = ("customer", customers[term]) if term in customers \
                else ("confidential term", "notepress.yml")
        phrases: dict[str, tuple[str, str]] = {}
        for e in hidden:
            if len(WORD.findall(e.title)) >= MIN_TITLE_WORDS:
                phrases.setdefault(e.title, ("title", e.source))
            for name, text in e.text_fields().items():
                if name == "title":
                    continue
                for sentence in SENTENCE.split(text):
                    if len(WORD.findall(sentence)) >= MIN_SENTENCE_WORDS:
                        phrases.setdefault(sentence.strip(), ("sentence", e.source))
        if phrases:  # a phrase also written in a public entry is not a leak
            written = PhraseMatcher(phrases)
            for e in public:
                for text in e.text_fields().values():
                    for m in written.find(text):
                        phrases.pop(m.phrase, None)
        for phrase, kind in phrases.items():
            self.owner.setdefault(phrase.casefold(), kind)
        self.matcher = PhraseMatcher([*confidential_terms(entries, config), *phrases])
        # Slugs are looked for as URL path segments; only distinctive ones (a hyphen or a digit).
        self.slugs = {e.slug: e.source for e in hidden if re.search(r"[-\d]", e.slug)}

    def find(self, text: str, raw: str) -> list[tuple[str, str, str]]:
        hits = []
        for m in self.matcher.find(text):
            kind, source = self.owner.get(m.phrase.casefold(), ("phrase", "?"))
            hits.append((kind, m.phrase, source))
        if self.slugs:
            for segment in set(PATH_SEGMENT.findall(raw)):
                if segment in self.slugs:
                    hits.append(("slug", segment, self.slugs[segment]))
        return hits


def audit_site(site_dir: Path, entries: list[Entry], config: Config, label: str | None = None) -> list[Finding]:
    """Every finding in every file under `site_dir`. `label` is how the folder is named in findings."""
    needles = Needles(entries, config)
    label = label or site_dir.name
    findings: set[Finding] = set()
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        rel = f"{label}/{path.relative_to(site_dir).as_posix()}"
        for segment in path.relative_to(site_dir).parts:
            if segment.removesuffix(".html") in needles.slugs:
                findings.add(Finding(rel, "slug", segment, needles.slugs[segment.removesuffix(".html")]))
        raw = _read_text(path)
        if raw is None:
            continue
        for kind, text, source in needles.find(_visible_text(raw, path.suffix), raw):
            findings.add(Finding(rel, kind, text, source))
    return sorted(findings)


def _read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return None
    if b"\x00" in data[:8192]:
        return None  # images, fonts
    return data.decode("utf-8", errors="replace")


def _visible_text(raw: str, suffix: str) -> str:
    """The words a reader or a search engine gets from a file: JSON strings, unescaped HTML text."""
    text = raw
    if suffix == ".json":
        try:
            text = "\n".join(_strings(json.loads(raw)))
        except ValueError:
            pass
    for _ in range(2):  # feeds carry escaped HTML: unescape, strip tags, once more
        if "&" in text:
            text = html.unescape(text)
        if "<" in text:
            text = TAG.sub(" ", text)
    return text


def _strings(value) -> list[str]:
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out
