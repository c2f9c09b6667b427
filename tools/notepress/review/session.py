"""The guided check-in: one coaching session, written as a learning entry without editing YAML.

The session starts from the open commitments (overdue first). For the one checked in on, the
writer says whether they did it, what happened and what they learned ("I did not do it" is a
learning too); then the one next step, its due date and the goal it serves. `write_checkin` writes
the new learning entry (linked back to the earlier one) and closes the earlier step by editing
only its `next_step_done:` line: done on that day, or closed with a comment, `carried over to
[[new-slug]]` when the step moves on to the new entry, `not done, see [[new-slug]]` when it does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..entries import parse_entry
from ..model import AUDIENCES, Entry
from ..problems import Problem, Report
from ..scaffold import FOLDER, entry_slug, unique_slug
from ..templates import environment
from .goals import Cadence, cadence
from .nextsteps import OpenStep, StepError, find_step, mark_done, open_steps


@dataclass(frozen=True)
class Session:
    """What the check-in shows before it asks."""

    steps: tuple[OpenStep, ...]  # overdue first
    goals: tuple[tuple[str, str], ...]  # (slug, title) of every goal
    cadence: Cadence


@dataclass(frozen=True)
class Answers:
    on: str  # the slug of the entry whose next step is checked in on; "" for a first check-in
    did: bool
    action: str  # what I did (the earlier step when it was done)
    outcome: str
    learning: str
    title: str
    next_step: str
    due: dt.date | None
    goals: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    audience: str = "private"
    carried: bool = False  # the earlier step, not done, is this entry's next step again


@dataclass(frozen=True)
class Written:
    path: Path
    source: str  # the new entry, relative to the repo
    earlier: str  # the earlier entry's source, "" for a first check-in
    done_line: str  # what its `next_step_done:` now says


def start(config: Config, entries: list[Entry], today: dt.date) -> Session:
    return Session(tuple(open_steps(entries, today)),
                   tuple((e.slug, e.title) for e in sorted(entries, key=lambda e: (e.date, e.slug)) if e.goal),
                   cadence(entries, config.cadence_days, today))


def earlier(entries: list[Entry], slug: str) -> Entry:
    """The learning entry whose open next step is checked in on (StepError: one problem)."""
    entry = find_step(entries, slug)
    if entry.loop.next_step_done is not False:
        raise StepError(Problem(entry.source, entry.line_of("next_step_done"), "next_step_done",
                                "is set: that step is closed already", "check in on an open step (notepress next)"))
    return entry


def _problem(option: str, message: str, fix: str) -> StepError:
    return StepError(Problem("", 0, option, message, fix))


def check(answers: Answers, entries: list[Entry], config: Config, today: dt.date) -> None:
    """Refuse an answer the entry could not hold, naming the option (one problem)."""
    for option, value in (("--learning", answers.learning), ("--title", answers.title),
                          ("--action", answers.action)):
        if not value.strip():
            raise _problem(option, "is empty", "say it in a sentence: even a step not done teaches something")
    if answers.due and answers.due < today:
        raise _problem("--due", f"{answers.due} is before today ({today})", "a next step is due from today on")
    if answers.due and not answers.next_step.strip():
        raise _problem("--next-step", "is empty but --due is set", "write the one next step, or leave out --due")
    if answers.audience not in AUDIENCES:
        raise _problem("--audience", f"{answers.audience!r} is not one of {', '.join(AUDIENCES)}", "write private")
    goals = {e.slug for e in entries if e.goal}
    for slug in answers.goals:
        if slug not in goals:
            known = ", ".join(sorted(goals)) or "none yet (notepress new goal TITLE)"
            raise _problem("--goal", f"{slug!r} is not a goal", f"use one of: {known}")
    for name in answers.competencies:
        if name not in config.competencies:
            raise _problem("--competency", f"{name!r} is not in the competency framework",
                           f"use one of: {', '.join(config.competencies)}")


def render(answers: Answers, slug: str, today: dt.date, config: Config) -> str:
    return environment(config.root).get_template("entry-checkin.md.jinja").render(
        a=answers, slug=slug, date=today.isoformat(), due=answers.due.isoformat() if answers.due else "")


def write_checkin(config: Config, entries: list[Entry], answers: Answers, today: dt.date) -> Written:
    """Write the check-in entry, then close the earlier step; nothing is left half done."""
    check(answers, entries, config, today)
    before = earlier(entries, answers.on) if answers.on else None
    slug = entry_slug(answers.title)
    if not slug:
        raise _problem("--title", f"{answers.title!r} has no letters or digits", "write a short title")
    slug = unique_slug(slug, {e.slug for e in entries}, today)
    path = config.posts_dir / FOLDER["learning"] / f"{today.isoformat()}-{slug}.md"
    data = render(answers, slug, today, config).encode("utf-8")
    report = Report(config.root)
    if parse_entry(path, data, config, report) is None or report.errors:
        raise StepError(report.errors[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as f:
            f.write(data)
    except FileExistsError:
        raise _problem("--title", f"{report.rel(path)} exists already", "choose another title")
    if before is None:
        return Written(path, report.rel(path), "", "")
    note = "" if answers.did else f"carried over to [[{slug}]]" if answers.carried else f"not done, see [[{slug}]]"
    try:
        done = mark_done(config, entries, before.slug, today, note=note)
    except Exception:
        path.unlink(missing_ok=True)  # ours, written a moment ago
        raise
    return Written(path, report.rel(path), done.source,
                   f"next_step_done: {today.isoformat()}" + (f"  # {note}" if note else ""))
