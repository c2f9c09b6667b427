"""Compose one issue: what customers told us (by theme), what I learned, what is new on the blog.

Entries come through the audience gate for the team (internal and public, never private, never
drafts) and are limited to the period (`model.Period`). Themes are counted by distinct customers
(`Insight.customer_key`), not notes, and compared with the previous period of the same length, as
Dovetail and Productboard do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..audience import Reader, View
from ..model import Entry, Period
from ..problems import NotepressError, Problem

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

    @property
    def period(self) -> str:
        if self.since.year == self.until.year:
            return f"{self.since:%b} {self.since.day} to {self.until:%b} {self.until.day}, {self.until.year}"
        return f"{self.since:%b} {self.since.day}, {self.since.year} to {self.until:%b} {self.until.day}, {self.until.year}"

    @property
    def top_theme(self) -> str:
        return self.themes[0].name if self.themes else (self.learned[0].title if self.learned else "")

    @property
    def customers(self) -> int:
        return len({e.insight.customer_key for e in self.entries if e.insight})


def compose(view: View, number: int, since: dt.date, until: dt.date) -> Issue:
    """The issue of `view` (the team's: internal + public, no private, no drafts) for the period."""
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
    return Issue(
        number=number,
        since=since,
        until=until,
        themes=tuple(themes(now, before)),
        learned=tuple(
            Learned(e.title, e.date, e.loop.learning, e.loop.next_step, step_state(e, view), view.url(e), e)
            for e in sorted(now, key=lambda e: (e.date, e.title)) if e.loop),
        blog=tuple(
            BlogPost(e.title, e.date, e.summary, view.url(e))
            for e in sorted(now, key=lambda e: (e.date, e.title)) if view.url(e)),
        entries=tuple(e for e in now if e.insight or e.loop or view.url(e)),  # what it shows
    )


def step_state(entry: Entry, view: View) -> str:
    """What became of a learning entry's next step, as the team may read it: "due …", "done …",
    "carried over to “<title>”", the later entry named only when the team sees it (else "a later entry")."""
    def later(slug: str) -> str:
        target = view.get(slug)
        return f"“{target.title}”" if target is not None else ""

    return entry.loop.step_state_as(dt.date.isoformat, later=later)


def themes(now: list[Entry], before: list[Entry]) -> list[Theme]:
    """Insights grouped by theme, ordered by distinct customers, then notes, then name; each quote
    once in the issue, under the first theme it belongs to."""
    previous: dict[str, set[str]] = defaultdict(set)
    for e in before:
        if e.insight:
            for theme in e.insight.themes:
                previous[theme].add(e.insight.customer_key)
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for e in now:
        if e.insight:
            for theme in e.insight.themes:
                grouped[theme].append(e)
    order = sorted(grouped, key=lambda n: (-len({e.insight.customer_key for e in grouped[n]}),
                                          -len(grouped[n]), n))
    quoted: set[Path] = set()  # a note's quote is shown once, under the first theme it strengthens
    out = []
    for name in order:
        notes = grouped[name]
        customers = len({e.insight.customer_key for e in notes})
        prev = len(previous.get(name, ()))
        change = "new" if prev == 0 else "up" if customers > prev else "down" if customers < prev else "same"
        strongest = sorted(notes, key=lambda e: (-e.insight.importance, -e.date.toordinal(), e.title))
        sources: dict[str, int] = defaultdict(int)
        for e in notes:
            sources[e.insight.source] += 1
        out.append(Theme(
            name=name,
            customers=customers,
            previous=prev,
            notes=len(notes),
            change=change,
            quotes=_quotes(strongest, quoted),
            sources=tuple(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            evidence=tuple(dict.fromkeys(e.insight.evidence for e in strongest if e.insight.evidence)),
        ))
    return out


def _quotes(strongest: list[Entry], quoted: set[Path]) -> tuple[Quote, ...]:
    """Up to QUOTES_PER_THEME quotes of notes not quoted under an earlier theme of the issue."""
    fresh = [e for e in strongest if e.insight.quote and e.path not in quoted][:QUOTES_PER_THEME]
    quoted.update(e.path for e in fresh)
    return tuple(Quote(e.insight.quote, e.insight.customer, e.insight.segment, e.insight.source,
                       e.insight.importance, e.date, e.insight.evidence, e.title) for e in fresh)
