"""Scan a built site for anything that belongs to a non-public entry, however it got there.

The gate decides what is published; the audit checks what was actually written, every file of the
site (pages, `search/search_index.json`, feeds, sitemaps, assets; gzipped ones unpacked; nothing
is skipped as binary, binary formats are read for their text runs). Files are compared in the one
form of text.py, so invisible characters, entities, markup and other scripts hide nothing. It
looks for:

- the confidential terms (every customer and the configured terms), always;
- the text of non-public entries: every run of SHINGLE words of any of their fields, and every
  whole field of 3 to SHINGLE-1 words, unless a public entry, the site's settings or the theme
  also has it: so a run that exists only in non-public entries is found whether an include, a
  plugin, a template, a stale file or a copy into a hand-written page put it there;
- the slugs of non-public entries, in URLs and file names.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .audience import Reader, confidential_terms, gate
from .config import CONFIG_FILE, Config
from .model import Entry
from .text import Terms, markup_text, ngrams, tokens

SHINGLE = 7  # words: long enough that a run of them is the writer's own, short enough to find a sentence
MIN_FIELD_WORDS = 3
SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
SLUG_TOKEN = re.compile(r"[\w-]+")
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO",
                b"%PDF", b"PK\x03\x04", b"\x00\x00\x01\x00", b"BM")
PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{8,}")


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the site folder's parent, e.g. site/blog/index.html
    kind: str  # customer | confidential term | text | slug
    text: str
    source: str  # the non-public entry it belongs to, or notepress.yml

    def __str__(self) -> str:
        return f'{self.file}: {self.kind} "{self.text}" (from {self.source})'


@dataclass(frozen=True)
class _Origin:
    source: str  # the entry's path
    text: str  # the field as written


class Needles:
    """What must not be in a public site, built from every entry and the config."""

    def __init__(self, entries: list[Entry], config: Config, legit: Iterable[str] = ()):
        public = gate(entries, config, Reader.PUBLIC)
        hidden = [e for e in entries if e not in public]
        customers = {e.insight.customer: e.source for e in entries if e.insight}
        self.terms = Terms(confidential_terms(entries, config))
        self.term_kind = {t: ("customer", customers[t]) if t in customers else ("confidential term", CONFIG_FILE)
                          for t in confidential_terms(entries, config)}
        self.runs: dict[int, dict[str, _Origin]] = defaultdict(dict)  # words -> run -> where it comes from
        for e in hidden:
            for text in _fields(e):
                words = tokens(text)
                keys = ngrams(words, SHINGLE) if len(words) >= SHINGLE else \
                    [" ".join(words)] if len(words) >= MIN_FIELD_WORDS else []
                n = min(len(words), SHINGLE)
                for key in keys:
                    self.runs[n].setdefault(key, _Origin(e.source, text))
        self._forget([text for e in public for text in _fields(e)])
        self._forget(legit)
        self.first = {n: {k.split(" ", 1)[0] for k in runs} for n, runs in self.runs.items()}
        # Slugs are looked for as they are (in URLs, file names, JSON), only distinctive ones:
        # with a hyphen or a digit, so that a slug like `pricing` is not found in every page.
        self.slugs = {e.slug: e.source for e in hidden if re.search(r"[-\d]", e.slug)}

    def _forget(self, texts: Iterable[str]) -> None:
        """A run that a public source also has is not a leak."""
        for text in texts:
            words = tokens(text)
            for n, runs in self.runs.items():
                if runs and len(words) >= n:
                    for key in runs.keys() & set(ngrams(words, n)):
                        del runs[key]

    def find(self, text: str, raw: str) -> set[tuple[str, str, str]]:
        """(kind, text, source) of everything found in a file's text (`raw`: as stored, for slugs);
        for kind "text", the run of words found (see `shown`)."""
        words = tokens(text)
        vocabulary = set(words)
        hits = {(*self.term_kind[t][:1], t, self.term_kind[t][1]) for t in self.terms.found_in(words, vocabulary)}
        for n, runs in self.runs.items():
            if runs and not vocabulary.isdisjoint(self.first[n]):
                hits.update(("text", key, runs[key].source) for key in runs.keys() & set(ngrams(words, n)))
        if self.slugs:
            for slug in self.slugs.keys() & set(SLUG_TOKEN.findall(raw)):
                hits.add(("slug", slug, self.slugs[slug]))
        return hits


    def shown(self, kind: str, text: str) -> str:
        """A run of words as the writer wrote it: the sentence that holds it."""
        if kind != "text":
            return text
        return _as_written(text, self.runs[min(len(text.split()), SHINGLE)][text].text)

    def has_run(self, run: str) -> bool:
        return run in self.runs.get(min(len(run.split()), SHINGLE), {})


def _fields(entry: Entry) -> list[str]:
    fields = list(entry.text_fields().values())
    if entry.insight:
        fields += [entry.insight.customer, entry.insight.evidence]
    return [f for f in fields if f]


def _as_written(key: str, text: str) -> str:
    """The sentence of `text` that holds the run `key`, as the writer wrote it (else the run)."""
    for sentence in SENTENCE.split(text):
        if key in " ".join(tokens(sentence)):
            return " ".join(sentence.split())
    return key


def legit_texts(config: Config, theme_dirs: Iterable[Path] = ()) -> Iterable[str]:
    """The public sources that are not entries: the site's settings and the theme. (A hand-written
    page is not one: a non-public entry's text copied into a page is a leak like any other.)"""
    for name in ("mkdocs.yml", CONFIG_FILE):
        if (config.root / name).is_file():
            yield _text_of(config.root / name)
    for folder in theme_dirs:
        for path in sorted(folder.rglob("*.html")):
            yield markup_text(_text_of(path))


def audit_site(site_dir: Path, entries: list[Entry], config: Config, label: str | None = None,
               theme_dirs: Iterable[Path] = ()) -> list[Finding]:
    """Every finding in every file under `site_dir`. `label` is how the folder is named in findings."""
    needles = Needles(entries, config)
    label = label or site_dir.name
    found: dict[str, set[tuple[str, str, str]]] = {}
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        rel = f"{label}/{path.relative_to(site_dir).as_posix()}"
        hits = set()
        for segment in path.relative_to(site_dir).parts:
            if segment.removesuffix(".html") in needles.slugs:
                hits.add(("slug", segment, needles.slugs[segment.removesuffix(".html")]))
        raw, text = _read(path)
        hits |= needles.find(text, raw)
        if hits:
            found[rel] = hits
    if any(kind == "text" for hits in found.values() for kind, _, _ in hits):
        # Only now read the hand-written pages and the theme: a run they have too is theirs.
        strict = Needles(entries, config, legit_texts(config, theme_dirs))
        found = {rel: {h for h in hits if h[0] != "text" or strict.has_run(h[1])} for rel, hits in found.items()}
    return sorted({Finding(rel, kind, needles.shown(kind, text), source)
                   for rel, hits in found.items() for kind, text, source in hits})


def _text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def _read(path: Path) -> tuple[str, str]:
    """(the file as stored, what it says): gzip unpacked, JSON strings, HTML/XML as a reader sees it;
    a binary format (image, font, PDF, archive) for the runs of text inside it."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    if data.startswith(BINARY_MAGIC):
        runs = "\n".join(m.group().decode("ascii") for m in PRINTABLE_RUN.finditer(data))
        return runs, runs
    raw = data.decode("utf-8", errors="replace")
    text = raw
    if path.suffix == ".json" or raw.lstrip()[:1] in ("{", "["):
        try:
            text = "\n".join(_strings(json.loads(raw)))
        except ValueError:
            pass
    if "<" in text or "&" in text:
        text = markup_text(text)
    return raw, text


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
