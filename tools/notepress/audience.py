"""The audience gate: the one place that decides who may see an entry.

Every output goes through `visible`: the blog (and so its search index, feeds, sitemap, tag pages),
the newsletter and the review tools. An entry is public only when its own front matter says
`audience: public` and it is not a draft; nothing defaults to public.

`screen_public` then applies the two rules of a public page: no confidential term (every insight's
customer plus the configured terms; whole words, any case) and no link to a non-public entry.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .config import Config
from .links import Resolver, find_links
from .model import Entry
from .problems import Problem

WORD = re.compile(r"\w+")


class Reader(enum.Enum):
    PUBLIC = "public"  # the blog and everything built from it
    TEAM = "team"  # the internal newsletter
    SELF = "self"  # the writer's own review tools

    def admits(self, audience: str) -> bool:
        return audience in {
            Reader.PUBLIC: ("public",),
            Reader.TEAM: ("public", "internal"),
            Reader.SELF: ("public", "internal", "private"),
        }[self]


def visible(entry: Entry, reader: Reader, *, drafts: bool = False) -> bool:
    """May `reader` see `entry`? Drafts only when asked (a preview), never by default."""
    if entry.draft and not drafts:
        return False
    return reader.admits(entry.audience)


def select(entries: Iterable[Entry], reader: Reader, *, drafts: bool = False) -> list[Entry]:
    return [e for e in entries if visible(e, reader, drafts=drafts)]


def confidential_terms(entries: Iterable[Entry], config: Config) -> list[str]:
    """Every customer named in any insight (whatever its audience or draft state) + configured terms."""
    terms = [e.insight.customer for e in entries if e.insight and e.insight.customer]
    return list(dict.fromkeys(t for t in [*terms, *config.confidential_terms] if WORD.search(t)))


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    phrase: str


class PhraseMatcher:
    """Finds phrases as whole words, case-insensitively, in time linear in the text.

    Phrases are indexed by their first (up to) three words, so each position of the text costs at
    most three dictionary look-ups whatever the number of phrases.
    """

    def __init__(self, phrases: Iterable[str]):
        self.index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.widths: set[int] = set()
        for phrase in phrases:
            words = tuple(w.casefold() for w in WORD.findall(phrase))
            if not words:
                continue
            width = min(3, len(words))
            self.widths.add(width)
            self.index.setdefault(" ".join(words[:width]), []).append((words, phrase))
        self.widths_sorted = sorted(self.widths)
        self.needs: dict[str, list[frozenset[str]]] = {}
        for entries in self.index.values():
            for words, _ in entries:
                self.needs.setdefault(words[0], []).append(frozenset(words))
        self.firsts = set(self.needs)

    def __bool__(self) -> bool:
        return bool(self.index)

    def find(self, text: str) -> Iterator[Match]:
        if not self.index:
            return
        # Fold word by word, as the phrases were: folding a whole text can change its words ("İ").
        words = set(WORD.findall(text.lower())) if text.isascii() else {w.casefold() for w in WORD.findall(text)}
        if self.firsts.isdisjoint(words):  # the common case, at C speed
            return
        if not any(need <= words for first in self.firsts.intersection(words) for need in self.needs[first]):
            return  # no phrase has all its words in the text
        spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
        tokens = [text[a:b].casefold() for a, b in spans]
        n = len(tokens)
        index, widths, firsts = self.index, self.widths_sorted, self.firsts
        for i in range(n):
            if tokens[i] not in firsts:
                continue
            for width in widths:
                if i + width > n:
                    break
                key = tokens[i] if width == 1 else " ".join(tokens[i:i + width])
                for phrase_words, phrase in index.get(key, ()):
                    k = len(phrase_words)
                    if tuple(tokens[i:i + k]) == phrase_words:
                        yield Match(spans[i][0], spans[i + k - 1][1], phrase)


@dataclass(frozen=True)
class Screened:
    entries: list[Entry]  # public entries, redacted when asked
    problems: list[Problem]


def screen_public(entries: list[Entry], config: Config, *, drafts: bool = False,
                  redact: bool | None = None) -> Screened:
    """Select the public entries and enforce the rules of a public page on them."""
    redact = config.redact if redact is None else redact
    public = select(entries, Reader.PUBLIC, drafts=drafts)
    public_slugs = {e.slug for e in public}
    matcher = PhraseMatcher(confidential_terms(entries, config))
    resolve = Resolver(entries)
    problems: list[Problem] = []
    screened = []
    for entry in public:
        changes: dict[str, str] = {}
        for m in matcher.find(entry.slug.replace("-", " ")):  # a URL cannot be redacted quietly
            problems.append(Problem(entry.source, entry.line_of("slug"), "slug",
                                    f'confidential term "{m.phrase}"',
                                    f"set `slug:` to a name without it; the URL would be {entry.slug}"))
        for name, text in entry.text_fields().items():
            matches = list(matcher.find(text))
            if matches and redact:
                changes[name] = _redact(text, matches, config.redact_with)
            for m in [] if redact else matches:
                problems.append(Problem(entry.source, _line(entry, name, text, m.start), name,
                                        f'confidential term "{m.phrase}"',
                                        f'remove it, or build with --redact to print "{config.redact_with}"'))
            for link in find_links(text):
                target = resolve(link, entry)
                line = _line(entry, name, text, link.start)
                if target is None:
                    problems.append(Problem(entry.source, line, name, f"link {link.written} matches no entry",
                                            "use an entry's slug, or a relative path to its .md file"))
                elif target.slug not in public_slugs:
                    state = "a draft" if target.draft else f"audience: {target.audience}"
                    problems.append(Problem(entry.source, line, name,
                                            f"link {link.written} points to {target.source}, which is not public ({state})",
                                            "remove the link, or make that entry public"))
        screened.append(_apply(entry, changes) if changes else entry)
    return Screened(screened, problems)


def _line(entry: Entry, name: str, text: str, offset: int) -> int:
    if name == "body":
        return entry.body_line + text.count("\n", 0, offset)
    return entry.line_of(name)


def _redact(text: str, matches: list[Match], phrase: str) -> str:
    out, pos = [], 0
    for m in matches:
        out += [text[pos:m.start], phrase]
        pos = m.end
    return "".join(out) + text[pos:]


def _apply(entry: Entry, changes: dict[str, str]) -> Entry:
    top = {k: v for k, v in changes.items() if k in ("title", "summary", "body")}
    if "tags" in changes:
        top["tags"] = tuple(changes["tags"].split("\n"))
    if entry.loop:
        loop = {k: v for k, v in changes.items() if k in ("action", "outcome", "learning", "next_step")}
        if "competencies" in changes:
            loop["competencies"] = tuple(changes["competencies"].split("\n"))
        top["loop"] = dataclasses.replace(entry.loop, **loop)
    if entry.insight:
        fields = {k: v for k, v in changes.items() if k in ("quote", "segment", "product_area")}
        if "themes" in changes:
            fields["themes"] = tuple(changes["themes"].split("\n"))
        top["insight"] = dataclasses.replace(entry.insight, **fields)
    return dataclasses.replace(entry, **top)
