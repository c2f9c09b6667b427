"""Compose one issue: what customers told us (by theme), what I learned, what is new on the blog.

Entries come through the audience gate for the team (internal and public, never private, never
drafts) and are limited to the period (`model.Period`). Themes are counted by distinct customers
(`Insight.customer_key`), not notes, and compared with the previous period of the same length, as
Dovetail and Productboard do.

The writer edits what the issue shows (edited.py: issue.md): which insights, in which order, under
which theme, which are featured, and an intro. Without edits, `proposal` decides: themes by distinct
customers, each theme's strongest notes first. A theme is one whatever its case (`ACH` and `ach`),
shown in the spelling the writer used most (the first, on a tie): model.by_theme, the one rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..audience import Reader, View
from ..model import Entry, Period, by_theme, theme_key
from ..problems import NotepressError, Problem
from ..text import unquoted

if TYPE_CHECKING:
    from .edited import Edits

QUOTES_PER_THEME = 3


@dataclass(frozen=True)
class Quote:
    text: str
    customer: str
    segment: str
    source: str
    importance: int
    date: dt.date
    evidence: str
    title: str
    theme: str = ""  # the theme it is shown under (a featured insight: the first theme it is listed under)


@dataclass(frozen=True)
class Theme:
    name: str
    customers: int  # distinct customers in the period
    previous: int  # distinct customers in the previous period of the same length
    notes: int
    change: str  # new | up | down | same
    quotes: tuple[Quote, ...]  # the strongest, by importance then date
    sources: tuple[tuple[str, int], ...]  # (source, notes), most first
    evidence: tuple[str, ...]  # links, strongest first


@dataclass(frozen=True)
class Learned:
    title: str
    date: dt.date
    learning: str
    next_step: str
    next_step_state: str  # "due 2026-11-30", "due …, done …" (see Loop.step_state)
    url: str  # the public post, or "" for an internal entry
    entry: Entry


@dataclass(frozen=True)
class BlogPost:
    title: str
    date: dt.date
    summary: str
    url: str


@dataclass(frozen=True)
class Issue:
    number: int
    since: dt.date
    until: dt.date
    themes: tuple[Theme, ...]
    learned: tuple[Learned, ...]
    blog: tuple[BlogPost, ...]
    entries: tuple[Entry, ...]  # everything the issue shows, for the record
    intro: str = ""  # the writer's Markdown, opening the issue
    featured: tuple[Quote, ...] = ()  # insights shown first, highlighted (their quote is not repeated below)
    warnings: tuple[Problem, ...] = ()  # about the writer's edits: an entry listed but not shown

    @property
    def period(self) -> str:
        if self.since.year == self.until.year:
            return f"{self.since:%b} {self.since.day} to {self.until:%b} {self.until.day}, {self.until.year}"
        return f"{self.since:%b} {self.since.day}, {self.since.year} to {self.until:%b} {self.until.day}, {self.until.year}"

    @property
    def top_theme(self) -> str:
        """The first featured insight's theme, else the first theme; "" with no insight (a learning
        entry's title is no theme: the subject then reads "Customer notes #2")."""
        if self.featured and self.featured[0].theme:
            return self.featured[0].theme
        return self.themes[0].name if self.themes else ""

    @property
    def empty(self) -> bool:
        """Nothing to send: no insight, nothing learned, no blog post."""
        return not (self.themes or self.featured or self.learned or self.blog)

    @property
    def customers(self) -> int:
        return len({e.insight.customer_key for e in self.entries if e.insight})


def compose(view: View, number: int, since: dt.date, until: dt.date, edits: Edits | None = None) -> Issue:
    """The issue of `view` (the team's: internal + public, no private, no drafts) for the period, as
    the writer edited it (`edits`, read from issue.md), else as notepress proposes it."""
    if view.reader is not Reader.TEAM or view.drafts:
        raise TypeError("a newsletter issue is composed from the team's view, without drafts")
    period = Period(since, until)
    if period.reversed:
        raise NotepressError(Problem("", 0, "period", period.reversed))
    now = period.of(view)
    if not now:
        raise NotepressError(Problem("", 0, "period", f"no internal or public entries from {since} to {until}",
                                     "write some, or choose another period with --since and --until"))
    before = period.previous().of(view)
    chosen = Chosen(proposal(now)) if edits is None else edits.resolve(now, view)
    shown = {e.slug for e in chosen.featured} | {e.slug for _, notes in chosen.groups for e in notes}
    dated = sorted(now, key=lambda e: (e.date, e.title))
    return Issue(
        number=number,
        since=since,
        until=until,
        themes=tuple(themes(chosen.groups, before, {e.path for e in chosen.featured})),
        learned=tuple(
            Learned(e.title, e.date, e.loop.learning, e.loop.next_step, step_state(e, view), view.url(e), e)
            for e in dated if e.loop),
        blog=tuple(BlogPost(e.title, e.date, e.summary, view.url(e)) for e in dated if view.url(e)),
        entries=tuple(e for e in now if e.slug in shown or e.loop or view.url(e)),  # what it shows
        intro=edits.intro if edits else "",
        featured=tuple(_quote(e, _theme_of(e, chosen.groups)) for e in chosen.featured),
        warnings=chosen.warnings,
    )


def step_state(entry: Entry, view: View) -> str:
    """What became of a learning entry's next step, as the team may read it: "due …", "done …",
    "carried over to “<title>”", the later entry named only when the team sees it (else "a later entry")."""
    def later(slug: str) -> str:
        target = view.get(slug)
        return f"“{target.title}”" if target is not None else ""

    return entry.loop.step_state_as(dt.date.isoformat, later=later)


@dataclass(frozen=True)
class Chosen:
    """The insights an issue shows: (theme, notes) in order, and the featured ones."""
    groups: list[tuple[str, list[Entry]]]
    featured: list[Entry] = field(default_factory=list)
    warnings: tuple[Problem, ...] = ()


def _theme_of(e: Entry, groups: list[tuple[str, list[Entry]]]) -> str:
    """The first theme that lists `e`, else its own first theme."""
    return next((name for name, notes in groups if any(n.slug == e.slug for n in notes)),
                e.insight.themes[0] if e.insight.themes else "")


def proposal(now: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """The insights of the period by theme, as notepress proposes them: themes by distinct customers,
    then notes, then name; in each, the strongest notes first (importance, then the newest). A theme
    is one whatever its case, spelled as the writer wrote it most (the first, on a tie)."""
    grouped = by_theme(now)
    order = sorted(grouped, key=lambda t: (-len({e.insight.customer_key for e in grouped[t]}), -len(grouped[t]),
                                           theme_key(t)))
    return [(t, sorted(grouped[t], key=lambda e: (-e.insight.importance, -e.date.toordinal(), e.title)))
            for t in order]


def themes(groups: list[tuple[str, list[Entry]]], before: list[Entry], quoted: set[Path]) -> list[Theme]:
    """Each theme with its notes in the order given, counted by distinct customers against the
    previous period (by theme, whatever its case); each quote once in the issue, under the first
    theme that lists its note (none of the `quoted` paths: the featured insights')."""
    previous = {theme_key(t): {e.insight.customer_key for e in notes} for t, notes in by_theme(before).items()}
    quoted = set(quoted)
    out = []
    for name, notes in groups:
        if not notes:
            continue
        customers = len({e.insight.customer_key for e in notes})
        prev = len(previous.get(theme_key(name), ()))
        change = "new" if prev == 0 else "up" if customers > prev else "down" if customers < prev else "same"
        sources: dict[str, int] = defaultdict(int)
        for e in notes:
            sources[e.insight.source] += 1
        out.append(Theme(
            name=name,
            customers=customers,
            previous=prev,
            notes=len(notes),
            change=change,
            quotes=_quotes(notes, quoted, name),
            sources=tuple(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            evidence=tuple(dict.fromkeys(e.insight.evidence for e in notes if e.insight.evidence)),
        ))
    return out


def _quotes(notes: list[Entry], quoted: set[Path], theme: str) -> tuple[Quote, ...]:
    """Up to QUOTES_PER_THEME quotes, in the notes' order, of notes not quoted earlier in the issue."""
    fresh = [e for e in notes if e.insight.quote and e.path not in quoted][:QUOTES_PER_THEME]
    quoted.update(e.path for e in fresh)
    return tuple(_quote(e, theme) for e in fresh)


def _quote(e: Entry, theme: str) -> Quote:
    i = e.insight
    return Quote(unquoted(i.quote), i.customer, i.segment, i.source, i.importance, e.date, i.evidence, e.title, theme)

