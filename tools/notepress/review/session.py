"""The guided check-in: one coaching session, written as a learning entry without editing YAML.

The session starts from the open commitments (overdue first). For the one checked in on, the
writer says whether they did it, what happened and what they learned ("I did not do it" is a
learning too); then the one next step, its due date and the goal it serves. `write_checkin` writes
the new learning entry (linked back to the earlier one) and closes the earlier step by editing
only its `next_step_done:` line: done on that day, or closed with a comment, `carried over to
[[new-slug]]` when the step moves on to the new entry, `not done, see [[new-slug]]` when it does not.

Two writes, and an interruption between them (a kill, Ctrl+C, a power cut) is finished by running the
check-in again, never by writing a second entry:
1. the new entry, created whole (edits.create: in `.notepress/tmp/`, then linked to its name, never
   over another file), after checking that the earlier entry can be edited (not read-only);
2. the earlier entry's `next_step_done:` line (edits.replace: renamed over it, its mode kept).
After 1 and before 2, the earlier step is open and an entry dated today starts a line with `Check-in
on [[earlier-slug]]`: that is a check-in interrupted (`interrupted`). Run again, the check-in finds it
(first among the open steps when no --on is given), asks nothing and only closes the earlier step,
with the note the written entry's sentence says (done, carried over, not done). An entry written by
`notepress new --from SLUG` today starts with the same words, and is taken as that check-in too.
Before 1 nothing is written; after 2 the step is closed and a check-in on it is refused as closed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..edits import create, read_only
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
    resumed: bool = False  # the entry was written by an interrupted check-in: only the step was closed now


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


# The sentence entry-checkin.md.jinja (and `new --from`) starts the body with; what it says of the step.
LINK_BACK = re.compile(r"^Check-in on \[\[(?P<slug>[^\]\n]+)\]\]: its next step (?P<how>was not done, and is "
                       r"carried over|was not done|is this entry's action)", re.MULTILINE)


def interrupted(entries: list[Entry], today: dt.date) -> dict[str, Entry]:
    """earlier slug -> the check-in on it written today while its step is still open: what a check-in
    interrupted between its two writes leaves (the module's docstring)."""
    open_steps = {e.slug for e in entries if e.loop and e.loop.next_step and e.loop.next_step_done is False}
    found: dict[str, Entry] = {}
    for e in sorted(entries, key=lambda e: e.source):
        if e.loop is None or e.date != today:
            continue
        for m in LINK_BACK.finditer(e.body):
            if m["slug"] in open_steps and m["slug"] != e.slug:
                found.setdefault(m["slug"], e)
    return found


def finish(config: Config, entries: list[Entry], before: Entry, today: dt.date) -> Written | None:
    """Close `before`'s step for the check-in on it an interrupted run wrote today; None when there is none."""
    written = interrupted(entries, today).get(before.slug)
    if written is None:
        return None
    how = next(m["how"] for m in LINK_BACK.finditer(written.body) if m["slug"] == before.slug)
    note = ("" if how.startswith("is") else f"carried over to [[{written.slug}]]" if "carried" in how
            else f"not done, see [[{written.slug}]]")
    done = mark_done(config, entries, before.slug, today, note=note)
    return Written(written.path, written.source, done.source, _done_line(today, note), resumed=True)


def _done_line(today: dt.date, note: str) -> str:
    return f"next_step_done: {today.isoformat()}" + (f"  # {note}" if note else "")


def write_checkin(config: Config, entries: list[Entry], answers: Answers, today: dt.date) -> Written:
    """Write the check-in entry, then close the earlier step; an interrupted check-in is finished
    instead (see the module's docstring)."""
    before = earlier(entries, answers.on) if answers.on else None
    resumed = finish(config, entries, before, today) if before is not None else None
    if resumed is not None:
        return resumed
    check(answers, entries, config, today)
    refused = read_only(before.path, before.source) if before is not None else None
    if refused:
        raise StepError(refused)  # before anything is written
    slug = entry_slug(answers.title)
    if not slug:
        raise _problem("--title", f"{answers.title!r} has no letters or digits", "write a short title")
    slug = unique_slug(slug, {e.slug for e in entries}, today)
    path = config.posts_dir / FOLDER["learning"] / f"{today.isoformat()}-{slug}.md"
    data = render(answers, slug, today, config).encode("utf-8")
    report = Report(config.root)
    if parse_entry(path, data, config, report) is None or report.errors:
        raise StepError(report.errors[0])
    try:
        create(config.root, path, data)
    except FileExistsError:
        raise _problem("--title", f"{report.rel(path)} exists already", "choose another title")
    if before is None:
        return Written(path, report.rel(path), "", "")
    note = "" if answers.did else f"carried over to [[{slug}]]" if answers.carried else f"not done, see [[{slug}]]"
    try:
        done = mark_done(config, entries, before.slug, today, note=note)
    except Exception:  # a refusal: nothing is left half done (an interruption is finished by a new run)
        path.unlink(missing_ok=True)  # ours, written a moment ago
        raise
    return Written(path, report.rel(path), done.source, _done_line(today, note))
