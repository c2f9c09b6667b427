"""Review tools for the writer: open next steps, a competency portfolio, writing statistics,
check-ins. One function per command; nothing here prints.

Every function reads the entries through the audience gate as the team would see them
(internal and public, never drafts); `include_private=True` is the writer's explicit choice to
see their private entries too (Reader.SELF).

    from notepress import review
    steps = review.next_steps("path/to/repo", today=date(2026, 3, 20))
    html = review.render_portfolio("path/to/repo", level="Director", fmt="html")
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..api import load
from ..audience import Reader, View, gate
from ..config import Config
from ..problems import NotepressError
from . import render
from . import stats as _stats
from .checkin import CheckIns, chain, new_checkin
from .nextsteps import Done, OpenStep, StepError, open_steps
from .nextsteps import mark_done as _mark_done
from .portfolio import DEFAULT_LEVELS, Portfolio, build
from .stats import DEFAULT_WEEKS, Stats

__all__ = ["DEFAULT_LEVELS", "CheckIns", "Done", "OpenStep", "Portfolio", "Stats", "StepError", "build_portfolio",
           "chain", "contains", "mark_done", "new_checkin", "next_steps", "reader_for", "render_portfolio",
           "stats_table", "writing_stats"]


def reader_for(include_private: bool) -> Reader:
    return Reader.SELF if include_private else Reader.TEAM


def contains(reader: Reader) -> str:
    """Which audiences an output may contain, as its first line says."""
    names = [a for a in ("private", "internal", "public") if reader.admits(a)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Contains: {listed} entries"


def _view(root: Path | str, include_private: bool) -> View:
    project = load(root)
    return gate(project.entries, project.config, reader_for(include_private))


def _period(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise NotepressError(f"--since {since} is after --until {until} (swap them)")


def next_steps(root: Path | str, *, today: dt.date | None = None, include_private: bool = False) -> list[OpenStep]:
    """Every open next step, overdue first, then by due date, then undated."""
    return open_steps(list(_view(root, include_private)), today or dt.date.today())


def mark_done(root: Path | str, slug: str, *, on: dt.date | None = None) -> Done:
    """Mark entry `slug`'s next step done on `on` (default today), editing only that line.

    This edits the writer's own file, so any of their entries can be named; the result shows only
    its path and date. Raises StepError (one problem) for an unknown slug, an entry that is not a
    learning entry, or one without a next step."""
    project = load(root)
    return _mark_done(project.config, project.entries, slug, on or dt.date.today())


def build_portfolio(root: Path | str, *, since: dt.date | None = None, until: dt.date | None = None,
                    level: str | None = None, include_private: bool = False,
                    levels: dict[str, tuple[str, ...]] | None = None) -> tuple[Portfolio, Config]:
    """The portfolio of the period and the config it was built with. Levels: `levels`, else the
    `levels:` of notepress.yml, else DEFAULT_LEVELS."""
    _period(since, until)
    view = _view(root, include_private)
    levels = levels or view.config.levels or DEFAULT_LEVELS
    p = build(view, contains=contains(reader_for(include_private)), since=since, until=until,
              level=level, levels=levels)
    return p, view.config


def render_portfolio(root: Path | str, *, since: dt.date | None = None, until: dt.date | None = None,
                     level: str | None = None, fmt: str = "md", include_private: bool = False,
                     levels: dict[str, tuple[str, ...]] | None = None) -> str:
    """The portfolio as Markdown or self-contained HTML."""
    p, config = build_portfolio(root, since=since, until=until, level=level, include_private=include_private,
                                levels=levels)
    return render.render(p, config, fmt)


def writing_stats(root: Path | str, *, since: dt.date | None = None, until: dt.date | None = None,
                  weeks: int = DEFAULT_WEEKS, include_private: bool = False) -> Stats:
    until = until or dt.date.today()
    _period(since, until)
    if weeks < 1:
        raise NotepressError(f"--weeks {weeks}: must be 1 or more")
    view = _view(root, include_private)
    return _stats.compute(list(view), view.config.competencies, until=until, since=since, weeks=weeks)


def stats_table(root: Path | str, *, since: dt.date | None = None, until: dt.date | None = None,
                weeks: int = DEFAULT_WEEKS, include_private: bool = False) -> str:
    """The compact terminal table of `writing_stats`."""
    s = writing_stats(root, since=since, until=until, weeks=weeks, include_private=include_private)
    return _stats.table(s, contains(reader_for(include_private)))
