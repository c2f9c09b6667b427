"""The content model: plain frozen objects built only after validation, and the rules that belong to them.

Later stages (audience, blog, newsletter, review) trust these types and never see raw front matter.
The domain rules every output shares live here, once: who a customer is (`Insight.customer_key`),
which theme a name is (`theme_key`, `by_theme`), which days a period holds (`Period`) and where an
entry's post is on the site (`Entry.post_path`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .text import tokens

TYPES = ("learning", "insight", "essay", "goal")
AUDIENCES = ("public", "internal", "private")
SOURCES = ("call", "interview", "support-ticket", "debugging", "sales", "survey", "other")
YEARS = range(1900, 3000)  # dates outside are typos, and would overflow the date arithmetic of later stages


def plausible(date: dt.date) -> bool:
    return date.year in YEARS


@dataclass(frozen=True)
class Loop:
    """A learning entry's coaching loop: action, outcome, learning, next step."""

    competencies: tuple[str, ...] = ()
    action: str = ""
    outcome: str = ""
    learning: str = ""
    next_step: str = ""
    next_step_due: dt.date | None = None
    next_step_done: dt.date | bool = False
    goals: tuple[str, ...] = ()  # slugs of the goal entries this action serves
    # A step not done is never "done": it was carried over to a later entry (which has it as its own
    # next step), or dropped (not done; the later entry says why). The slug of that later entry.
    next_step_carried: str = ""
    next_step_dropped: str = ""

    @property
    def closed(self) -> bool:
        """Whether the next step is no longer open: done, carried over or dropped."""
        return bool(self.next_step_done or self.next_step_carried or self.next_step_dropped)

    @property
    def later(self) -> str:
        """The slug of the entry the step was carried over to (or dropped in), else ""."""
        return self.next_step_carried or self.next_step_dropped

    @property
    def step_state(self) -> str:
        """When the next step is due and what became of it: "due 2026-11-30", "due …, done …", "done",
        "carried over to a later entry", "not done" (naming no other entry: see step_state_as)."""
        return self.step_state_as(dt.date.isoformat)

    def step_state_as(self, day, sep: str = ", ", later=None) -> str:
        """`step_state` with dates written by `day` (a date -> text function), parts joined by `sep`,
        and the later entry named by `later(slug)`: "" when the reader may not see it (then "a later
        entry", or for a step dropped nothing). Without `later` no later entry is ever named."""
        when = [f"due {day(self.next_step_due)}"] if self.next_step_due else []
        name = later(self.later) if later and self.later else ""
        if self.next_step_done:
            when.append("done" if self.next_step_done is True else f"done {day(self.next_step_done)}")
        elif self.next_step_carried:
            when.append(f"carried over to {name or 'a later entry'}")
        elif self.next_step_dropped:
            when.append(f"not done, see {name}" if name else "not done")
        return sep.join(when)


@dataclass(frozen=True)
class Goal:
    """What I want and why it matters to me, what success looks like and how I measure it, by when."""

    want: str
    why: str  # values, vision
    success: str
    measure: str
    horizon: dt.date  # the end of this "tour of duty"
    competencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Insight:
    """What a customer told us, and where it came from."""

    customer: str
    source: str
    themes: tuple[str, ...]
    contacts: tuple[str, ...] = ()  # the people we spoke to: confidential like the customer (customers.py)
    segment: str = ""
    quote: str = ""
    importance: int = 1
    evidence: str = ""
    product_area: str = ""

    @cached_property  # asked for ~150,000 times by a hub of 10,000 insights
    def customer_key(self) -> str:
        """Who the customer is, when distinct customers are counted: the name in the one comparison form
        of text (text.py), so case, spacing, accents and punctuation do not make a second customer
        ("Northwind Logistics" and "northwind   LOGISTICS" are one)."""
        return " ".join(tokens(self.customer)) or " ".join(self.customer.casefold().split())


@dataclass(frozen=True, eq=False)
class Entry:
    path: Path  # absolute
    source: str  # path relative to the repo root, as shown in messages
    slug: str
    type: str
    title: str
    date: dt.date
    audience: str
    draft: bool
    body: str
    body_line: int  # file line where the body starts
    tags: tuple[str, ...] = ()
    summary: str = ""
    authors: tuple[str, ...] = ()
    loop: Loop | None = None
    insight: Insight | None = None
    goal: Goal | None = None
    lines: dict[str, int] = field(default_factory=dict)  # field -> line, for messages

    @property
    def post_path(self) -> str:
        """Where the entry's post is, relative to the site's root. Only a public entry has a post:
        outputs ask the audience view (`View.url`), which gives the address only to those. It is where
        the engine puts the post: Material's `post_url_format: "{date}/{slug}"` in mkdocs.yml."""
        return f"blog/{self.date:%Y/%m/%d}/{self.slug}/"

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)

    def text_fields(self) -> dict[str, str]:
        """Every piece of text a page about this entry shows, by field (lists joined by newlines).

        An insight's customer and evidence link are never shown on a page, so they are not here.
        """
        out = {"title": self.title, "summary": self.summary, "tags": "\n".join(self.tags)}
        if self.loop:
            out.update(action=self.loop.action, outcome=self.loop.outcome, learning=self.loop.learning,
                       next_step=self.loop.next_step, competencies="\n".join(self.loop.competencies))
        if self.insight:
            i = self.insight
            out.update(segment=i.segment, themes="\n".join(i.themes), quote=i.quote, product_area=i.product_area)
        if self.goal:
            g = self.goal
            out.update(want=g.want, why=g.why, success=g.success, measure=g.measure,
                       competencies="\n".join(g.competencies))
        out["body"] = self.body
        return out


def steps_not_done(entries: Iterable[Entry]) -> frozenset[str]:
    """The slugs of the check-ins that record a step not done: the later entry an earlier one's
    `next_step_carried:` or `next_step_dropped:` names (what `checkin --did-not` writes). Such a
    check-in is a learning, not an action taken: it is no evidence of a competency or of progress."""
    return frozenset(e.loop.later for e in entries if e.loop and e.loop.later)


def theme_key(name: str) -> str:
    """Which theme `name` is, wherever themes are grouped or counted: one whatever its case and
    spacing (`ACH`, `ach` and `ach ` are one theme)."""
    return " ".join(name.split()).casefold()


def by_theme(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    """The insights of `entries` by theme (theme_key), in the order the themes first appear: the
    theme as the writer spelled it most (the earliest spelling, on a tie; never capitalised for
    them) -> its insights, each once, oldest first. The newsletter, stats, the portfolio and related
    posts all group by this one rule."""
    grouped: dict[str, list[Entry]] = {}
    spellings: dict[str, Counter] = {}
    for e in sorted((e for e in entries if e.insight), key=lambda e: (e.date, e.slug)):
        for theme in e.insight.themes:
            key = theme_key(theme)
            spellings.setdefault(key, Counter())[" ".join(theme.split())] += 1
            notes = grouped.setdefault(key, [])
            if not notes or notes[-1] is not e:  # `themes: [ach, ACH]` is one theme, the insight once
                notes.append(e)
    return {spellings[key].most_common(1)[0][0]: notes for key, notes in grouped.items()}


@dataclass(frozen=True)
class Period:
    """The days from `since` to `until`, both included; None leaves that end open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def __contains__(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    def of(self, entries: Iterable[Entry]) -> list[Entry]:
        """The entries dated in the period, in their order."""
        return [e for e in entries if e.date in self]

    @property
    def reversed(self) -> str:
        """What is wrong when `since` is after `until` (a problem's message), else ""."""
        if self.since and self.until and self.since > self.until:
            return f"--since {self.since} is after --until {self.until} (swap them)"
        return ""

    def previous(self) -> Period:
        """The period of the same length just before this one (both ends must be set)."""
        length = self.until - self.since + dt.timedelta(days=1)
        return Period(self.since - length, self.since - dt.timedelta(days=1))
