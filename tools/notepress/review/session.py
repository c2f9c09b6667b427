"""The guided check-in: one coaching session, written as a learning entry without editing YAML.

The session starts from the open commitments (overdue first). For the one checked in on, the
writer says whether they did it, what happened and what they learned ("I did not do it" is a
learning too); then the one next step, its due date, the goal it serves, the competencies it shows
and who may see it (answers.py checks each). `write_checkin` writes the new learning entry, whose
body says in the writer's words what became of the earlier step and links back to it, and closes
the earlier step by editing or adding one line: `next_step_done: DAY` when it was done,
`next_step_carried: new-slug` when it was not done and is the new entry's next step again,
`next_step_dropped: new-slug` when it was not done and the writer chose another. A step not done
is never "done".

Two writes, and an interruption between them (a kill, Ctrl+C, a power cut) is finished by running the
check-in again, never by writing a second entry:
1. the new entry, created whole (edits.create: in `.notepress/tmp/`, then linked to its name, never
   over another file), after checking that the earlier entry can be edited (not read-only);
2. the earlier entry's closing line (edits.replace: renamed over it, its mode kept).
After 1 and before 2, the earlier step is open and an entry dated today starts with the sentence
that links back to it (LINK_BACK): that is a check-in interrupted (`interrupted`). Run again, the
check-in finds it (first among the open steps when no --on is given), asks nothing and only closes
the earlier step as the sentence says (done, carried over, dropped). An entry written by `notepress
new --from SLUG` today starts with the same words, and is taken as that check-in too. Before 1
nothing is written; after 2 the step is closed and a check-in on it is refused as closed.
(Answers typed before 1 are kept by the CLI in a draft to resume: resume.py.)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..edits import create, read_only
from ..entries import ENDS, parse_entry
from ..model import Entry
from ..problems import Problem, Report
from ..scaffold import FOLDER, entry_slug, unique_slug
from ..templates import environment
from .answers import Rules, goal_choices, problem
from .goals import Cadence, cadence
from .nextsteps import OpenStep, StepError, find_step, is_open, mark_done, mark_not_done, open_steps


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
    done_line: str  # the line that closed its step: `next_step_done: 2026-11-24`, `next_step_carried: slug`
    resumed: bool = False  # the entry was written by an interrupted check-in: only the step was closed now


def start(config: Config, entries: list[Entry], today: dt.date) -> Session:
    return Session(tuple(open_steps(entries, today)),
                   goal_choices(entries),
                   cadence(entries, config.cadence_days, today))


def earlier(entries: list[Entry], slug: str) -> Entry:
    """The learning entry whose open next step is checked in on (StepError: one problem)."""
    entry = find_step(entries, slug)
    if entry.loop.closed:
        key = next(k for k in ENDS if getattr(entry.loop, k))
        raise StepError(Problem(entry.source, entry.line_of(key), key, "is set: that step is closed already",
                                "check in on an open step (notepress next)"))
    return entry


def check(answers: Answers, entries: list[Entry], config: Config, today: dt.date) -> None:
    """Refuse an answer the entry could not hold, naming the option (one problem)."""
    before = next((e for e in entries if e.slug == answers.on), None) if answers.on else None
    Rules(config, goal_choices(entries), today, before).check(answers)


def how(answers: Answers) -> str:
    """What became of the earlier step: done, carried (over to this entry) or dropped."""
    return "done" if answers.did else "carried" if answers.carried else "dropped"


def render(answers: Answers, slug: str, today: dt.date, config: Config) -> str:
    return environment(config.root).get_template("entry-checkin.md.jinja").render(
        a=answers, slug=slug, date=today.isoformat(), due=answers.due.isoformat() if answers.due else "",
        link_back=link_back(answers.on, how(answers)) if answers.on else "")


# The sentence a check-in's body starts with (entry-checkin.md.jinja, `new --from`): what became of
# the earlier step, in the writer's words, linking back to it.
SAYS = {"done": "I did what I set out to do in “[[{slug}]]”.",
        "carried": "I have not yet done what I set out to do in “[[{slug}]]”: it is my next step again.",
        "dropped": "I did not do what I set out to do in “[[{slug}]]”, and chose another next step."}
LINK_BACK = re.compile(r"^(?:I (?P<how>did|have not yet done|did not do) what I set out to do in “\[\[(?P<slug>[^\]\n]+)"
                       r"\]\]”|Check-in on \[\[(?P<old>[^\]\n]+)\]\]: its next step (?P<old_how>was not done, and is "
                       r"carried over|was not done|is this entry's action))", re.MULTILINE)  # and as notepress wrote it before


def link_back(slug: str, how: str) -> str:
    return SAYS[how].format(slug=slug)


def links_back(body: str) -> list[tuple[str, str]]:
    """(earlier slug, how: done | carried | dropped) of each sentence linking back in `body`."""
    found = []
    for m in LINK_BACK.finditer(body):
        said = m["how"] or m["old_how"]
        how = ("done" if said in ("did", "is this entry's action") else
               "carried" if said in ("have not yet done", "was not done, and is carried over") else "dropped")
        found.append((m["slug"] or m["old"], how))
    return found


def interrupted(entries: list[Entry], today: dt.date) -> dict[str, Entry]:
    """earlier slug -> the check-in on it written today while its step is still open: what a check-in
    interrupted between its two writes leaves (the module's docstring)."""
    steps = {e.slug for e in entries if is_open(e)}
    found: dict[str, Entry] = {}
    for e in sorted(entries, key=lambda e: e.source):
        if e.loop is None or e.date != today:
            continue
        for slug, _ in links_back(e.body):
            if slug in steps and slug != e.slug:
                found.setdefault(slug, e)
    return found


def close(config: Config, entries: list[Entry], before: Entry, slug: str, how: str, today: dt.date):
    """Close `before`'s step as the check-in `slug` says: done today, carried over to it, or dropped."""
    if how == "done":
        return mark_done(config, entries, before.slug, today)
    return mark_not_done(config, entries, before.slug, slug, carried=how == "carried")


def finish(config: Config, entries: list[Entry], before: Entry, today: dt.date) -> Written | None:
    """Close `before`'s step for the check-in on it an interrupted run wrote today; None when there is none."""
    written = interrupted(entries, today).get(before.slug)
    if written is None:
        return None
    said = next(h for slug, h in links_back(written.body) if slug == before.slug)
    done = close(config, entries, before, written.slug, said, today)
    return Written(written.path, written.source, done.source, done.line, resumed=True)


def write_checkin(config: Config, entries: list[Entry], answers: Answers, today: dt.date) -> Written:
    """Write the check-in entry, then close the earlier step; an interrupted check-in is finished
    instead (see the module's docstring)."""
    before = earlier(entries, answers.on) if answers.on else None
    resumed = finish(config, entries, before, today) if before is not None else None
    if resumed is not None:
        return resumed
    check(answers, entries, config, today)
    slug = unique_slug(entry_slug(answers.title), {e.slug for e in entries}, today)
    path = config.posts_dir / FOLDER["learning"] / f"{today.isoformat()}-{slug}.md"
    data = render(answers, slug, today, config).encode("utf-8")
    report = Report(config.root)
    if parse_entry(path, data, config, report) is None or report.errors:
        raise StepError(report.errors[0])

    def write() -> Path:
        try:
            create(config.root, path, data)
        except FileExistsError:
            raise problem("--title", f"{report.rel(path)} exists already", "choose another title")
        return path

    if before is None:
        return Written(write(), report.rel(path), "", "")
    return write_and_close(config, entries, before, write, slug, how(answers), today)


def write_and_close(config: Config, entries: list[Entry], before: Entry, write, slug: str, how: str,
                    today: dt.date) -> Written:
    """The two writes of a check-in on `before`'s step (the module's docstring): the new entry `slug`,
    by `write()` (which creates it whole and returns its path), then `before`'s step closed as `how`
    says (done today, carried over to `slug`, dropped). `checkin` and `new --from` both write through
    here. Refused before anything is written when `before` is read-only; a refusal of the close
    removes the new entry."""
    refused = read_only(before.path, before.source)
    if refused:
        raise StepError(refused)  # before anything is written
    path = write()
    try:
        done = close(config, entries, before, slug, how, today)
    except Exception:  # a refusal: nothing is left half done (an interruption is finished by a new run)
        path.unlink(missing_ok=True)  # ours, written a moment ago
        raise
    return Written(path, Report(config.root).rel(path), done.source, done.line)
