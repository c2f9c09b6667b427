"""Writing and insight statistics: entries per ISO week, streaks, insights per theme per week,
entries per competency. Entries come already through the audience gate."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..model import Entry, Period, by_theme, steps_not_done, theme_key

WEEK = dt.timedelta(days=7)
DEFAULT_WEEKS = 12


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Week:
    start: dt.date  # its Monday
    label: str  # ISO week, e.g. 2026-W07
    entries: int


@dataclass(frozen=True)
class ThemeSeries:
    theme: str
    counts: tuple[int, ...]  # insights per week, one per week of the period
    insights: int
    customers: int  # distinct customers


@dataclass(frozen=True)
class Stats:
    since: dt.date
    until: dt.date
    weeks: tuple[Week, ...]
    entries: int
    streak: int  # consecutive weeks with an entry, up to the week of `until`
    longest: int  # the longest such run up to `until`
    themes: tuple[ThemeSeries, ...]  # most insights first
    competencies: tuple[tuple[str, int], ...]  # (competency, learning entries), framework order


def mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], monday(first)
    while day <= last:
        out.append(day)
        day += WEEK
    return out


def per_week(entries: list[Entry], weeks: list[dt.date]) -> tuple[Week, ...]:
    counts = Counter(monday(e.date) for e in entries)
    return tuple(Week(m, week_label(m), counts[m]) for m in weeks)


def theme_series(entries: list[Entry], weeks: list[dt.date]) -> tuple[ThemeSeries, ...]:
    """Insights per theme per week of `weeks`, a theme one whatever its case (model.by_theme)."""
    index = {m: i for i, m in enumerate(weeks)}
    series = []
    for theme, notes in by_theme(e for e in entries if monday(e.date) in index).items():
        counts = [0] * len(weeks)
        for e in notes:
            counts[index[monday(e.date)]] += 1
        series.append(ThemeSeries(theme, tuple(counts), len(notes), len({e.insight.customer_key for e in notes})))
    return tuple(sorted(series, key=lambda s: (-s.insights, -s.customers, theme_key(s.theme))))


def coverage(entries: list[Entry], framework: tuple[str, ...],
             not_done: frozenset[str] = frozenset()) -> tuple[tuple[str, int], ...]:
    """Learning entries per competency; a check-in on a step not done (`not_done`) is no evidence."""
    counts = Counter(c for e in entries if e.loop and e.slug not in not_done for c in e.loop.competencies)
    names = list(dict.fromkeys([*framework, *sorted(counts)]))
    return tuple((name, counts[name]) for name in names)


def streaks(dates: list[dt.date], until: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive weeks with an entry. The week of `until` is still
    running: without an entry yet, the current streak counts from the week before."""
    so_far = Period(until=until)
    weeks = {monday(d) for d in dates if d in so_far}
    day = monday(until)
    if day not in weeks:
        day -= WEEK
    current = 0
    while day in weeks:
        current, day = current + 1, day - WEEK
    longest = run = 0
    previous = None
    for m in sorted(weeks):
        run = run + 1 if previous is not None and m - previous == WEEK else 1
        longest, previous = max(longest, run), m
    return current, longest


def compute(entries: list[Entry], framework: tuple[str, ...], *, until: dt.date, since: dt.date | None = None,
            weeks: int = DEFAULT_WEEKS) -> Stats:
    """Statistics of `entries` from `since` to `until`. By default from the Monday `weeks` weeks
    back, or from the week of the first entry when that is later: no empty weeks before it (no
    entry yet: the week of `until`)."""
    first = min((e.date for e in entries if e.date <= until), default=until)
    start = since or max(monday(until) - WEEK * (weeks - 1), monday(first))
    period = Period(start, until).of(entries)
    mondays_ = mondays(start, until)
    current, longest = streaks([e.date for e in entries], until)
    return Stats(
        since=start,
        until=until,
        weeks=per_week(period, mondays_),
        entries=len(period),
        streak=current,
        longest=longest,
        themes=theme_series(period, mondays_),
        competencies=coverage(period, framework, steps_not_done(entries)),
    )


def _bar(n: int, scale: int) -> str:
    return "#" * (n if scale <= 40 else round(n * 40 / scale) or (1 if n else 0))


def _weeks(n: int) -> str:
    return f"{n} week" if n == 1 else f"{n} weeks"


def table(stats: Stats, contains: str) -> str:
    """The compact terminal view of `stats`."""
    out = [contains, f"Period: {stats.since} to {stats.until} ({_weeks(len(stats.weeks))})", ""]
    top = max([w.entries for w in stats.weeks] or [0])
    out.append("Entries per week")
    out += [f"  {w.label}  {w.entries:>3}  {_bar(w.entries, top)}".rstrip() for w in stats.weeks]
    per = stats.entries / len(stats.weeks) if stats.weeks else 0
    out += [f"  {stats.entries} entries, {per:.1f} a week; current streak {_weeks(stats.streak)} "
            f"(longest {_weeks(stats.longest)})", ""]
    out.append("Insights per theme per week")
    if stats.themes:
        width = max(len(s.theme) for s in stats.themes)
        heads = " ".join(f"{w.label[-3:]:>3}" for w in stats.weeks)
        out.append(f"  {'theme':<{width}}  {heads}  insights  customers")
        for s in stats.themes:
            cells = " ".join(f"{c if c else '.':>3}" for c in s.counts)
            out.append(f"  {s.theme:<{width}}  {cells}  {s.insights:>8}  {s.customers:>9}")
    else:
        out.append("  no insights in the period")
    out += ["", "Competency coverage (learning entries)"]
    width = max([len(name) for name, _ in stats.competencies] or [0])
    top = max([n for _, n in stats.competencies] or [0])
    out += [f"  {name:<{width}}  {n:>3}  {_bar(n, top)}".rstrip() for name, n in stats.competencies]
    return "\n".join(out) + "\n"
