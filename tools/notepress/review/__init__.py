"""Review tools for the writer: open next steps (and their calendar), goals and the cadence, a
competency portfolio (Markdown, HTML, PDF), writing statistics, the guided check-in. One function
per command; nothing here prints.

The reports read the entries through the audience gate as the team would see them (internal and
public, never drafts); `include_private=True` is the writer's explicit choice to see their private
entries too (Reader.SELF). What edits the writer's own files works on all of them: the guided
check-in sees the writer's view (Reader.SELF), and `mark_done` may name any entry.

    from notepress import review
    steps = review.next_steps(Project.open("path/to/repo", today=date(2026, 3, 20)))
    html = review.render_portfolio("path/to/repo", level="Director", fmt="html")
"""

from __future__ import annotations

import datetime as dt

from ..audience import Reader, View
from ..config import Config
from ..model import Period
from ..problems import NotepressError, Problem
from ..project import Repo, opened
from . import render
from . import stats as _stats
from .checkin import new_checkin
from .nextsteps import Done, OpenStep, StepError, open_steps
from .nextsteps import mark_done as _mark_done
from .portfolio import DEFAULT_LEVELS, Portfolio, build
from .stats import DEFAULT_WEEKS, Stats
from .goals import Cadence, Goals
from .session import Answers, Session, Written

__all__ = ["Answers", "Cadence", "Goals", "Session", "Written", "cadence", "checkin", "goals", "goals_table",
           "next_steps_ics", "start_checkin", "DEFAULT_LEVELS", "Done", "OpenStep", "Portfolio", "Stats", "StepError", "build_portfolio",
           "contains", "mark_done", "new_checkin", "next_steps", "reader_for", "render_portfolio",
           "stats_table", "writing_stats"]

def reader_for(include_private: bool) -> Reader:
    return Reader.SELF if include_private else Reader.TEAM


def contains(reader: Reader) -> str:
    """Which audiences an output may contain, as its first line says."""
    names = [a for a in ("private", "internal", "public") if reader.admits(a)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Contains: {listed} entries"


def _period(since: dt.date | None, until: dt.date | None) -> None:
    problem = Period(since, until).reversed
    if problem:
        raise NotepressError(Problem("", 0, "", problem))


def next_steps(repo: Repo, *, today: dt.date | None = None, include_private: bool = False) -> list[OpenStep]:
    """Every open next step, overdue first, then by due date, then undated."""
    project = opened(repo, today)
    return open_steps(list(project.view(reader_for(include_private))), project.today)


def mark_done(repo: Repo, slug: str, *, on: dt.date | None = None) -> Done:
    """Mark entry `slug`'s next step done on `on` (default: the project's today), editing only that line.

    This edits the writer's own file, so any of their entries can be named; the result shows only
    its path and date. Raises StepError (one problem) for an unknown slug, an entry that is not a
    learning entry, or one without a next step."""
    project = opened(repo)
    return _mark_done(project.config, project.require().entries, slug, on or project.today)


def build_portfolio(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                    level: str | None = None, include_private: bool = False,
                    levels: dict[str, tuple[str, ...]] | None = None) -> tuple[Portfolio, Config]:
    """The portfolio of the period and the config it was built with. Levels: `levels`, else the
    `levels:` of notepress.yml, else DEFAULT_LEVELS."""
    _period(since, until)
    view = opened(repo).view(reader_for(include_private))
    levels = levels or view.config.levels or DEFAULT_LEVELS
    p = build(view, contains=contains(reader_for(include_private)), since=since, until=until,
              level=level, levels=levels, issues=_sent_issues(view.config))
    return p, view.config


def _sent_issues(config: Config) -> tuple[tuple[dt.date, frozenset[str]], ...]:
    """(last day, addresses served) of each archived newsletter issue."""
    from ..newsletter import archive

    return tuple((r.until, frozenset(archive.served(archive.read_log(r.folder))))
                 for r in archive.issues(config.archive_dir))


def render_portfolio(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                     level: str | None = None, fmt: str = "md", include_private: bool = False,
                     levels: dict[str, tuple[str, ...]] | None = None) -> str:
    """The portfolio as Markdown or self-contained HTML."""
    p, config = build_portfolio(repo, since=since, until=until, level=level, include_private=include_private,
                                levels=levels)
    return render.render(p, config, fmt)


def _stats_of(view: View, *, since: dt.date | None, until: dt.date, weeks: int) -> Stats:
    _period(since, until)
    if weeks < 1:
        raise NotepressError(Problem("", 0, f"--weeks {weeks}", "must be 1 or more"))
    return _stats.compute(list(view), view.config.competencies, until=until, since=since, weeks=weeks)


def writing_stats(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                  weeks: int = DEFAULT_WEEKS, include_private: bool = False) -> Stats:
    project = opened(repo)
    return _stats_of(project.view(reader_for(include_private)), since=since, until=until or project.today,
                     weeks=weeks)


def stats_table(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                weeks: int = DEFAULT_WEEKS, include_private: bool = False) -> str:
    """The compact terminal table of `writing_stats`, and the cadence on its last day."""
    from .goals import cadence as _cadence

    project = opened(repo)
    until = until or project.today
    view = project.view(reader_for(include_private))
    s = _stats_of(view, since=since, until=until, weeks=weeks)
    late = _cadence(list(view), view.config.cadence_days, until).message()
    return _stats.table(s, contains(reader_for(include_private))) + (f"\n{late[:1].upper()}{late[1:]}\n" if late else "")


def goals(repo: Repo, *, today: dt.date | None = None, include_private: bool = False) -> Goals:
    """Every goal with the actions serving it, what they showed and taught, the open steps, staleness."""
    from .goals import progress

    project = opened(repo, today)
    return progress(project.view(reader_for(include_private)), contains=contains(reader_for(include_private)),
                    today=project.today)


def goals_table(repo: Repo, *, today: dt.date | None = None, include_private: bool = False) -> str:
    from .goals import table

    return table(goals(repo, today=today, include_private=include_private))


def cadence(repo: Repo, *, today: dt.date | None = None, include_private: bool = False) -> Cadence:
    """The last check-in (the newest learning entry the reader sees) against `cadence_days`."""
    from .goals import cadence as _cadence

    project = opened(repo, today)
    return _cadence(list(project.view(reader_for(include_private))), project.config.cadence_days, project.today)


def next_steps_ics(repo: Repo, *, today: dt.date | None = None, include_private: bool = False,
                   stamp: dt.datetime | None = None) -> tuple[bytes, int, int]:
    """(the open next steps as iCalendar bytes, the steps in it, the undated ones left out)."""
    from .calendar import calendar

    steps = next_steps(repo, today=today, include_private=include_private)
    dated = sum(s.due is not None for s in steps)
    return calendar(steps, contains(reader_for(include_private)), stamp), dated, len(steps) - dated


def start_checkin(repo: Repo, *, today: dt.date | None = None):
    """(the session to show, the entries): the writer's own entries, private ones included, as
    `mark_done` sees them (a check-in is the writer's session in their terminal)."""
    from .session import start

    project = opened(repo, today)
    entries = list(project.view(Reader.SELF))
    return start(project.config, entries, project.today), entries


def checkin(repo: Repo, answers: Answers, *, today: dt.date | None = None) -> Written:
    """Write the check-in entry and close the earlier step (see review.session)."""
    from .session import write_checkin

    project = opened(repo, today)
    return write_checkin(project.config, list(project.view(Reader.SELF)), answers, project.today)


def portfolio_pdf(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                  level: str | None = None, include_private: bool = False) -> bytes:
    """The portfolio as a print-ready PDF promotion packet (needs the `pdf` extra: WeasyPrint)."""
    p, config = build_portfolio(repo, since=since, until=until, level=level, include_private=include_private)
    return render.pdf(p, config)
