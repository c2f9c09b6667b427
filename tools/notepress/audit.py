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

import ahocorasick

from .audience import Reader, confidential_terms, select
from .config import Config
from .model import Entry

TAG = re.compile(r"</?[a-zA-Z!][^>]*>")
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"\w+")
NON_WORD = re.compile(r"\W+")
SLUG_CHAR = re.compile(r"[\w-]")
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


def normalize(text: str) -> str:
    """Words only, case-folded, single-spaced and padded, so that phrases match as whole words."""
    return f" {NON_WORD.sub(' ', text.casefold()).strip()} "


class Needles:
    """What must not be in a public site, built from the entries and the config.

    Phrases are found with an Aho-Corasick automaton over normalized text: one pass over each
    file, whatever the number of phrases.
    """

    def __init__(self, entries: list[Entry], config: Config):
        public = select(entries, Reader.PUBLIC)
        public_ids = {id(e) for e in public}
        hidden = [e for e in entries if id(e) not in public_ids]
        customers = {e.insight.customer: e.source for e in entries if e.insight}
        terms = {term: ("customer", customers[term]) if term in customers else ("confidential term", "notepress.yml")
                 for term in confidential_terms(entries, config)}
        phrases: dict[str, tuple[str, str, str]] = {}  # normalized -> (kind, as written, source)
        for e in hidden:
            candidates = [("title", e.title)] if len(WORD.findall(e.title)) >= MIN_TITLE_WORDS else []
            for name, text in e.text_fields().items():
                if name != "title":
                    candidates += [("sentence", s.strip()) for s in SENTENCE.split(text)
                                   if len(WORD.findall(s)) >= MIN_SENTENCE_WORDS]
            for kind, text in candidates:
                phrases.setdefault(normalize(text), (kind, text, e.source))
        if phrases:  # a phrase the writer also published in a public entry is not a leak
            written = _automaton(phrases)
            for e in public:
                for key in _hits(written, normalize("\n".join(e.text_fields().values()))):
                    phrases.pop(key, None)
        for term, (kind, source) in terms.items():  # terms always count, even if written in public
            phrases[normalize(term)] = (kind, term, source)
        self.automaton = _automaton(phrases) if phrases else None
        # Slugs are looked for as they are (in URLs, file names, JSON), only distinctive ones:
        # with a hyphen or a digit, so that a slug like `pricing` is not found in every page.
        self.slugs = {e.slug: e.source for e in hidden if re.search(r"[-\d]", e.slug)}
        self.slug_automaton = ahocorasick.Automaton()
        for slug in self.slugs:
            self.slug_automaton.add_word(slug, slug)
        self.slug_automaton.make_automaton() if self.slugs else None

    def find(self, raw: str, suffix: str) -> set[tuple[str, str, str]]:
        """(kind, text, source) of everything found in a file's text, its markup and its URLs."""
        hits: set[tuple[str, str, str]] = set()
        if self.automaton:
            for text in _texts(raw, suffix):
                hits.update(self.automaton.get(key)[1:] for key in _hits(self.automaton, normalize(text)))
        if self.slugs:
            for end, slug in self.slug_automaton.iter(raw):
                start = end - len(slug) + 1
                before = raw[start - 1] if start else " "
                after = raw[end + 1] if end + 1 < len(raw) else " "
                if not SLUG_CHAR.match(before) and not SLUG_CHAR.match(after):
                    hits.add(("slug", slug, self.slugs[slug]))
        return hits


def _automaton(phrases: dict[str, tuple[str, str, str]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, value in phrases.items():
        if key.strip():
            automaton.add_word(key, (key, *value))
    automaton.make_automaton()
    return automaton


def _hits(automaton: ahocorasick.Automaton, text: str) -> set[str]:
    """The keys found in `text` (keys start and end with a space, so only whole words match)."""
    if len(automaton) == 0:
        return set()
    return {value[0] for _, value in automaton.iter(text)}


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
        for kind, text, source in needles.find(raw, path.suffix):
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


def _texts(raw: str, suffix: str) -> tuple[str, str]:
    """What a reader or a search engine gets from a file: its visible text (JSON strings, HTML
    with tags removed, entities decoded), and the whole decoded file, whose attribute values and
    comments are words too (a name in `content="..."` or `<!-- -->` must be found as well)."""
    text = raw
    if suffix == ".json":
        try:
            text = "\n".join(_strings(json.loads(raw)))
        except ValueError:
            pass
    for _ in range(2):  # feeds carry escaped HTML, whose attributes are escaped once more
        if "&" in text:
            text = html.unescape(text)
    visible = TAG.sub(" ", text) if "<" in text else text
    return visible, text


def _strings(value) -> list[str]:
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):  # keys too: a tag or a title can be a key
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out
