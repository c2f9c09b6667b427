"""Review tools for the writer: open next steps (and their calendar), goals and the cadence, a
competency portfolio (Markdown, HTML, PDF), writing statistics, the guided check-in. One function
per command; nothing here prints.

These are the writer's own tools: what they print shows every entry the writer wrote, private
included (never drafts); what is written to a file that may be shown or shared keeps the team's
view (internal and public). `reader_for` is that one rule, and a reader given to a function
narrows it (an output meant for the team, or the public). They go on with the valid entries
whatever the errors of others (Project.go_on: the caller shows the problems), and `mark_done` may
name any valid entry.

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

def reader_for(audience: str | None = None, *, to_file: bool = False) -> Reader:
    """The one rule of what the writer's review tools show. Printed for the writer (next, goals,
    stats, a portfolio, the check-in): every entry they wrote, private included (Reader.SELF).
    Written to a file that may be shown or shared (portfolio -o, the PDF packet, next --ics): what
    the team may see (Reader.TEAM), as before. `audience` chooses instead: the output is meant for
    that audience (private: you; internal: the team; public: anyone) and holds what it may see."""
    if audience is None:
        return Reader.TEAM if to_file else Reader.SELF
    return Reader.of(audience)


def _view(project, reader: Reader | None) -> View:
    """The valid entries `reader` (default: the writer) may see, whatever the errors of the others."""
    return project.view(reader or reader_for(), valid=True)


def contains(reader: Reader) -> str:
    """Which audiences an output may contain, as its first line says."""
    names = [a for a in ("private", "internal", "public") if reader.admits(a)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Contains: {listed} entries"


def _period(since: dt.date | None, until: dt.date | None) -> None:
    problem = Period(since, until).reversed
    if problem:
        raise NotepressError(Problem("", 0, "", problem))


def next_steps(repo: Repo, *, today: dt.date | None = None, reader: Reader | None = None) -> list[OpenStep]:
    """Every open next step, overdue first, then by due date, then undated."""
    project = opened(repo, today)
    return open_steps(list(_view(project, reader)), project.today)


def mark_done(repo: Repo, slug: str, *, on: dt.date | None = None) -> Done:
    """Mark entry `slug`'s next step done on `on` (default: the project's today), editing only that line.

    This edits the writer's own file, so any of their entries can be named; the result shows only
    its path and date. Raises StepError (one problem) for an unknown slug, an entry that is not a
    learning entry, or one without a next step."""
    project = opened(repo)
    project.go_on()
    return _mark_done(project.config, project.entries, slug, on or project.today)


def build_portfolio(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                    level: str | None = None, reader: Reader | None = None,
                    levels: dict[str, tuple[str, ...]] | None = None) -> tuple[Portfolio, Config]:
    """The portfolio of the period and the config it was built with. Levels: `levels`, else the
    `levels:` of notepress.yml, else DEFAULT_LEVELS."""
    _period(since, until)
    view = _view(opened(repo), reader)
    levels = levels or view.config.levels or DEFAULT_LEVELS
    p = build(view, contains=contains(view.reader), since=since, until=until,
              level=level, levels=levels, issues=_sent_issues(view.config))
    return p, view.config


def _sent_issues(config: Config) -> tuple[tuple[dt.date, frozenset[str]], ...]:
    """(last day, addresses served) of each archived newsletter issue."""
    from ..newsletter import archive

    return tuple((r.until, frozenset(archive.served(archive.read_log(r.folder))))
                 for r in archive.issues(config.archive_dir))


def render_portfolio(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                     level: str | None = None, fmt: str = "md", reader: Reader | None = None,
                     levels: dict[str, tuple[str, ...]] | None = None) -> str:
    """The portfolio as Markdown or self-contained HTML."""
    p, config = build_portfolio(repo, since=since, until=until, level=level, reader=reader, levels=levels)
    return render.render(p, config, fmt)


def _stats_of(view: View, *, since: dt.date | None, until: dt.date, weeks: int) -> Stats:
    _period(since, until)
    if weeks < 1:
        raise NotepressError(Problem("", 0, f"--weeks {weeks}", "must be 1 or more"))
    return _stats.compute(list(view), view.config.competencies, until=until, since=since, weeks=weeks)


def writing_stats(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                  weeks: int = DEFAULT_WEEKS, reader: Reader | None = None) -> Stats:
    project = opened(repo)
    return _stats_of(_view(project, reader), since=since, until=until or project.today, weeks=weeks)


def stats_table(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                weeks: int = DEFAULT_WEEKS, reader: Reader | None = None) -> str:
    """The compact terminal table of `writing_stats`, and the cadence on its last day."""
    from .goals import cadence as _cadence

    project = opened(repo)
    until = until or project.today
    view = _view(project, reader)
    s = _stats_of(view, since=since, until=until, weeks=weeks)
    late = _cadence(list(view), view.config.cadence_days, until).message()
    return _stats.table(s, contains(view.reader)) + (f"\n{late[:1].upper()}{late[1:]}\n" if late else "")


def goals(repo: Repo, *, today: dt.date | None = None, reader: Reader | None = None) -> Goals:
    """Every goal with the actions serving it, what they showed and taught, the open steps, staleness."""
    from .goals import progress

    project = opened(repo, today)
    view = _view(project, reader)
    return progress(view, contains=contains(view.reader), today=project.today)


def goals_table(repo: Repo, *, today: dt.date | None = None, reader: Reader | None = None) -> str:
    from .goals import table

    return table(goals(repo, today=today, reader=reader))


def cadence(repo: Repo, *, today: dt.date | None = None, reader: Reader | None = None) -> Cadence:
    """The last check-in (the newest learning entry the reader sees) against `cadence_days`."""
    from .goals import cadence as _cadence

    project = opened(repo, today)
    return _cadence(list(_view(project, reader)), project.config.cadence_days, project.today)


def next_steps_ics(repo: Repo, *, today: dt.date | None = None, reader: Reader | None = None,
                   stamp: dt.datetime | None = None) -> tuple[bytes, int, int]:
    """(the open next steps as iCalendar bytes, the steps in it, the undated ones left out); a
    file: the team's view unless `reader` says otherwise (reader_for)."""
    from .calendar import calendar

    reader = reader or reader_for(to_file=True)
    steps = next_steps(repo, today=today, reader=reader)
    dated = sum(s.due is not None for s in steps)
    return calendar(steps, contains(reader), stamp), dated, len(steps) - dated


def start_checkin(repo: Repo, *, today: dt.date | None = None):
    """(the session to show, the entries): the writer's own entries, private ones included, as
    `mark_done` sees them (a check-in is the writer's session in their terminal)."""
    from .session import start

    project = opened(repo, today)
    entries = list(_view(project, reader_for()))
    return start(project.config, entries, project.today), entries


def checkin(repo: Repo, answers: Answers, *, today: dt.date | None = None) -> Written:
    """Write the check-in entry and close the earlier step (see review.session)."""
    from .session import write_checkin

    project = opened(repo, today)
    return write_checkin(project.config, list(_view(project, reader_for())), answers, project.today)


def portfolio_pdf(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                  level: str | None = None, reader: Reader | None = None) -> bytes:
    """The portfolio as a print-ready PDF promotion packet (needs the `pdf` extra: WeasyPrint); a
    file to share: the team's view unless `reader` says otherwise (reader_for)."""
    p, config = build_portfolio(repo, since=since, until=until, level=level, reader=reader or reader_for(to_file=True))
    return render.pdf(p, config)
