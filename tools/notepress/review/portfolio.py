"""The evidence for a review or a promotion case, by competency, with the gaps of a level.

Learning entries are the evidence of the competencies they name; customer insights are the
evidence of customer and business understanding (counted by distinct customers and themes), and
support the competencies in INSIGHT_COMPETENCIES. A check-in on a step not done
(model.steps_not_done) is no evidence: it is listed apart, as "(not done)", with what it taught.
Beside them: the goals the period's actions served, and what reached readers (public posts,
newsletter issues sent). Entries come already through the audience gate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..audience import View
from ..model import Entry, Period, by_theme, steps_not_done, theme_key
from ..problems import NotepressError, Problem
from . import stats

_IC = ("product-sense", "market-insight", "customer-relationships", "execution")
_DIRECTOR = _IC + ("people-sense", "mentoring", "leadership", "stakeholder-relationships")
_VP = _DIRECTOR + ("strategic-thinking", "business-acumen")
# Drawn from the advice: IC (market and product), Director (people), VP (strategy), CPO (business).
DEFAULT_LEVELS: dict[str, tuple[str, ...]] = {
    "IC": _IC,
    "Director": _DIRECTOR,
    "VP": _VP,
    "CPO": _VP + ("business-vision", "financial-literacy"),
}
INSIGHT_COMPETENCIES = ("customer-relationships", "market-insight")


@dataclass(frozen=True)
class Evidence:
    date: dt.date
    title: str
    learning: str  # in one line
    link: str  # the public URL, or the source path of a non-public entry
    public: bool
    slug: str
    action: str = ""  # in one line
    outcome: str = ""  # in one line
    goals: tuple[str, ...] = ()  # the titles of the goals it served (those the reader may see)
    next_step: str = ""  # in one line
    step_state: str = ""  # "due …", "done …", "carried over to “<title>”" (the later entry named when the reader sees it)
    not_done: bool = False  # a check-in on a step not done: listed apart, never evidence


@dataclass(frozen=True)
class GoalServed:
    slug: str
    title: str
    horizon: dt.date
    actions: int  # learning entries of the period serving it
    competencies: tuple[str, ...]


@dataclass(frozen=True)
class Visibility:
    """Thought leadership: what reached readers in the period."""

    public_posts: int
    issues_sent: int  # newsletter issues sent to at least one recipient
    recipients: int  # distinct addresses served across those issues


@dataclass(frozen=True)
class Competency:
    name: str
    evidence: tuple[Evidence, ...]  # learning entries, oldest first
    insights: int  # customer insights supporting it (see INSIGHT_COMPETENCIES)

    @property
    def gap(self) -> bool:
        return not self.evidence and not self.insights


@dataclass(frozen=True)
class InsightEvidence:
    date: dt.date
    title: str
    customer: str
    source: str  # call, interview, support-ticket, ...
    link: str
    public: bool


@dataclass(frozen=True)
class Theme:
    name: str
    customers: int  # distinct
    insights: int
    items: tuple[InsightEvidence, ...]  # oldest first


@dataclass(frozen=True)
class Portfolio:
    level: str  # "" when no level was chosen: the whole framework
    since: dt.date | None
    until: dt.date | None
    contains: str  # "Contains: internal and public entries"
    competencies: tuple[Competency, ...]  # the level's (or the framework's), in its order
    beyond: tuple[Competency, ...]  # evidence of competencies outside the level
    gaps: tuple[str, ...]
    themes: tuple[Theme, ...]  # most customers first
    learning_entries: int
    insights: int
    customers: int
    weeks: tuple[stats.Week, ...]  # entries per week of the period, for charts
    theme_weeks: tuple[stats.ThemeSeries, ...]
    goals: tuple[GoalServed, ...] = ()
    visibility: Visibility = Visibility(0, 0, 0)
    not_done: tuple[Evidence, ...] = ()  # the period's check-ins on a step not done, oldest first

    @property
    def period(self) -> str:
        if self.since and self.until:
            return f"{self.since} to {self.until}"
        if self.since:
            return f"since {self.since}"
        return f"until {self.until}" if self.until else "all entries"


def find_level(name: str, levels: dict[str, tuple[str, ...]]) -> str:
    """The level's name as configured, matched without regard to case."""
    for known in levels:
        if known.casefold() == name.casefold():
            return known
    raise NotepressError(Problem("", 0, "--level", f'"{name}" is not a level', f"use one of {', '.join(levels)}"))


def build(view: View, *, contains: str, since: dt.date | None = None,
          until: dt.date | None = None, level: str | None = None,
          levels: dict[str, tuple[str, ...]] = DEFAULT_LEVELS,
          issues: tuple[tuple[dt.date, frozenset[str]], ...] = ()) -> Portfolio:
    """The portfolio of `view` in the period. `issues`: (until, addresses served) of each newsletter issue sent."""
    config, entries = view.config, list(view)
    level = find_level(level, levels) if level else ""
    wanted = levels[level] if level else config.competencies
    days = Period(since, until)
    period = sorted(days.of(entries), key=lambda e: (e.date, e.slug))
    missed = steps_not_done(entries)  # the earlier entry may be before the period
    learning = [e for e in period if e.loop and e.slug not in missed]
    insights = [e for e in period if e.insight]
    found: dict[str, list[Evidence]] = defaultdict(list)
    for e in learning:
        for name in e.loop.competencies:
            found[name].append(_evidence(e, view))

    def competency(name: str) -> Competency:
        return Competency(name, tuple(found[name]), len(insights) if name in INSIGHT_COMPETENCIES else 0)

    shown = [competency(n) for n in wanted]
    others = [n for n in dict.fromkeys([*config.competencies, *sorted(found)]) if n not in wanted]
    beyond = [c for c in map(competency, others) if not c.gap]
    weeks = stats.mondays(since or period[0].date, until or period[-1].date) if period else []
    return Portfolio(
        level=level,
        since=since,
        until=until,
        contains=contains,
        competencies=tuple(shown),
        beyond=tuple(beyond),
        gaps=tuple(c.name for c in shown if c.gap),
        themes=_themes(insights, view),
        learning_entries=len(learning),
        insights=len(insights),
        customers=len({e.insight.customer_key for e in insights}),
        weeks=stats.per_week(period, weeks),
        theme_weeks=stats.theme_series(period, weeks),
        goals=_goals(entries, learning),
        visibility=Visibility(sum(e.slug in view.public for e in period),
                              *_reach([i for i in issues if i[0] in days])),
        not_done=tuple(_evidence(e, view, not_done=True) for e in period if e.loop and e.slug in missed),
    )


def _evidence(e: Entry, view: View, not_done: bool = False) -> Evidence:
    one = " ".join
    goals = tuple(g.title for slug in e.loop.goals if (g := view.get(slug)) is not None)
    state = e.loop.step_state_as(dt.date.isoformat, later=lambda slug: f"“{t.title}”" if (t := view.get(slug)) else "")
    return Evidence(e.date, e.title, one(e.loop.learning.split()), view.where(e), bool(view.url(e)), e.slug,
                    one(e.loop.action.split()), one(e.loop.outcome.split()), goals, one(e.loop.next_step.split()),
                    state if e.loop.next_step else "", not_done)


def _goals(entries: list[Entry], learning: list[Entry]) -> tuple[GoalServed, ...]:
    goals = sorted((e for e in entries if e.goal), key=lambda e: (e.goal.horizon, e.slug))
    return tuple(GoalServed(g.slug, g.title, g.goal.horizon, sum(g.slug in e.loop.goals for e in learning),
                            g.goal.competencies) for g in goals)


def _reach(issues: list[tuple[dt.date, frozenset[str]]]) -> tuple[int, int]:
    sent = [addresses for _, addresses in issues if addresses]
    return len(sent), len({a.lower() for addresses in sent for a in addresses})


def _themes(insights: list[Entry], view: View) -> tuple[Theme, ...]:
    """The insights by theme, a theme one whatever its case (model.by_theme), most customers first."""
    themes = [Theme(name, len({e.insight.customer_key for e in notes}), len(notes),
                    tuple(InsightEvidence(e.date, e.title, e.insight.customer, e.insight.source, view.where(e),
                                          bool(view.url(e))) for e in notes))
              for name, notes in by_theme(insights).items()]
    return tuple(sorted(themes, key=lambda t: (-t.customers, -t.insights, theme_key(t.name))))
