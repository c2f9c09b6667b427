"""Open next steps (overdue first), and marking one done by editing a single front-matter line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass

from ..config import Config
from ..edits import read_only, replace
from ..entries import parse_entry
from ..front_matter import edit
from ..model import Entry
from ..problems import NotepressError, Problem, Report


class StepError(NotepressError):
    """A request about one entry's next step that cannot be done: always a single problem."""


@dataclass(frozen=True)
class OpenStep:
    step: str
    due: dt.date | None
    overdue: bool
    age: int  # days since the entry's date
    title: str
    slug: str
    source: str  # path relative to the repo root
    date: dt.date


@dataclass(frozen=True)
class Done:
    source: str
    on: dt.date | bool  # the date written, or the earlier value when it was already done
    changed: bool


def is_open(entry: Entry) -> bool:
    return bool(entry.loop and entry.loop.next_step and entry.loop.next_step_done is False)


def open_steps(entries: list[Entry], today: dt.date) -> list[OpenStep]:
    """Every open next step of `entries` (already through the audience gate): overdue first, then
    by due date, then the undated ones, oldest entry first."""
    steps = [
        OpenStep(step=" ".join(e.loop.next_step.split()), due=e.loop.next_step_due,
                 overdue=e.loop.next_step_due is not None and e.loop.next_step_due < today,
                 age=(today - e.date).days, title=e.title, slug=e.slug, source=e.source, date=e.date)
        for e in entries if is_open(e)
    ]
    return sorted(steps, key=lambda s: (not s.overdue, s.due is None, s.due or s.date, s.date, s.slug))


def find_step(entries: list[Entry], slug: str) -> Entry:
    """The learning entry `slug` with a next step, or a StepError saying why not (one line)."""
    by_slug = {e.slug: e for e in entries}
    entry = by_slug.get(slug)
    if entry is None:
        near = difflib.get_close_matches(slug, [e.slug for e in entries if e.loop], n=1, cutoff=0.6)
        fix = f'did you mean "{near[0]}"?' if near else "run `notepress next` to see the slugs of open steps"
        raise StepError(Problem("", 0, "slug", f'no entry has the slug "{slug}"', fix))
    if entry.loop is None:
        raise StepError(Problem(entry.source, entry.line_of("type"), "type",
                                f'"{slug}" is {"an" if entry.type[0] in "aeiou" else "a"} {entry.type}, '
                                "not a learning entry", "only learning entries have a next step"))
    if not entry.loop.next_step:
        raise StepError(Problem(entry.source, entry.line_of("next_step"), "next_step",
                                "is empty, so there is no next step to mark done", "write the next step first"))
    return entry


def mark_done(config: Config, entries: list[Entry], slug: str, on: dt.date, note: str = "") -> Done:
    """Set `next_step_done: ON` in entry `slug`, changing only that line (or inserting it after
    `next_step_due:`, else after `next_step:`), with `note` as a comment after the date (a step
    carried over). An entry already done is left untouched; one its owner made read-only is refused.
    The file is replaced whole (edits.replace): its mode kept at every moment, no temporary file in posts/."""
    entry = find_step(entries, slug)
    raw = entry.path.read_bytes()
    before = parse_entry(entry.path, raw, config, Report(config.root))
    if before is None or before.loop is None:
        raise StepError(Problem(entry.source, 1, "", "changed since it was read", "run the command again"))
    if before.loop.next_step_done is not False:
        return Done(entry.source, before.loop.next_step_done, changed=False)
    refused = read_only(entry.path, entry.source)
    if refused:
        raise StepError(refused)
    note = " ".join(note.split())
    data, line = edit(raw, "next_step_done", on.isoformat() + (f"  # {note}" if note else ""),
                      after=("next_step_due", "next_step"), where=entry.source)
    after = parse_entry(entry.path, data, config, Report(config.root))
    if after is None or not _same_but_done(before, after, on):
        raise StepError(Problem(entry.source, line, "next_step_done", "cannot be set without changing "
                                "other lines", f"add `next_step_done: {on.isoformat()}` by hand"))
    replace(config.root, entry.path, data, entry.source)
    return Done(entry.source, on, changed=True)


def _same_but_done(before: Entry, after: Entry, on: dt.date) -> bool:
    if after.loop is None or after.loop.next_step_done != on:
        return False
    skip = {"lines", "loop", "body_line"}  # an inserted line moves the body down
    same = all(getattr(before, f.name) == getattr(after, f.name)
               for f in dataclasses.fields(Entry) if f.name not in skip)
    return same and dataclasses.replace(after.loop, next_step_done=False) == before.loop
