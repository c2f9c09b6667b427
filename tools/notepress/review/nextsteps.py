"""Open next steps (overdue first), and marking one done by editing a single front-matter line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass

from ..config import Config
from ..edits import read_only, replace
from ..entries import parse_entry
from ..front_matter import edit, scalar
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
    carried_from: tuple[str, ...] = ()  # the slugs of the earlier entries whose step, not done, was carried over to this one


def carried_from(entries: list[Entry]) -> dict[str, list[str]]:
    """later slug -> the slugs of the entries (of `entries`) whose step was carried over to it, oldest first."""
    found: dict[str, list[str]] = {}
    for e in sorted(entries, key=lambda e: (e.date, e.slug)):
        if e.loop and e.loop.next_step_carried:
            found.setdefault(e.loop.next_step_carried, []).append(e.slug)
    return found


@dataclass(frozen=True)
class Done:
    source: str
    on: dt.date | bool  # the date written, or the earlier value when it was already done
    changed: bool
    line: str = ""  # the line written: `next_step_done: 2026-11-24`, `next_step_carried: later-slug`
    state: str = ""  # what the step was already, when it was closed before: "carried over to later-slug"


def is_open(entry: Entry) -> bool:
    return bool(entry.loop and entry.loop.next_step and not entry.loop.closed)


def open_steps(entries: list[Entry], today: dt.date) -> list[OpenStep]:
    """Every open next step of `entries` (already through the audience gate): overdue first, then
    by due date, then the undated ones, oldest entry first."""
    carried = carried_from(entries)
    steps = [
        OpenStep(step=" ".join(e.loop.next_step.split()), due=e.loop.next_step_due,
                 overdue=e.loop.next_step_due is not None and e.loop.next_step_due < today,
                 age=(today - e.date).days, title=e.title, slug=e.slug, source=e.source, date=e.date,
                 carried_from=tuple(carried.get(e.slug, ())))
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


def mark_done(config: Config, entries: list[Entry], slug: str, on: dt.date) -> Done:
    """Set `next_step_done: ON` in entry `slug`, changing only that line (or inserting it after
    `next_step_due:`, else after `next_step:`). See close_step."""
    return close_step(config, entries, slug, "next_step_done", on)


def mark_not_done(config: Config, entries: list[Entry], slug: str, later: str, carried: bool) -> Done:
    """Close entry `slug`'s step as not done: carried over to the entry `later` (`next_step_carried:`),
    or dropped, `later` saying why (`next_step_dropped:`). See close_step."""
    return close_step(config, entries, slug, "next_step_carried" if carried else "next_step_dropped", later)


def close_step(config: Config, entries: list[Entry], slug: str, key: str, value: dt.date | str) -> Done:
    """Write `key: value` (one of the ends of a step: done, carried, dropped) in entry `slug`, changing
    only that line (or inserting it after `next_step_due:`, else after `next_step:`). An entry whose
    step is closed already is left untouched; one its owner made read-only is refused. The file is
    replaced whole (edits.replace): its mode kept at every moment, no temporary file in posts/."""
    entry = find_step(entries, slug)
    raw = entry.path.read_bytes()
    before = parse_entry(entry.path, raw, config, Report(config.root))
    if before is None or before.loop is None:
        raise StepError(Problem(entry.source, 1, "", "changed since it was read", "run the command again"))
    if before.loop.closed:
        ended = dataclasses.replace(before.loop, next_step_due=None)  # what became of it, without its due date
        return Done(entry.source, before.loop.next_step_done, changed=False,
                    state=ended.step_state_as(dt.date.isoformat, later=lambda later: later))
    refused = read_only(entry.path, entry.source)
    if refused:
        raise StepError(refused)
    written = value.isoformat() if isinstance(value, dt.date) else scalar(value)
    data, line = edit(raw, key, written, after=("next_step_due", "next_step"), where=entry.source)
    after = parse_entry(entry.path, data, config, Report(config.root))
    if after is None or not _same_but_closed(before, after, key, value):
        raise StepError(Problem(entry.source, line, key, "cannot be set without changing other lines",
                                f"add `{key}: {written}` by hand"))
    replace(config.root, entry.path, data, entry.source)
    return Done(entry.source, value if key == "next_step_done" else False, changed=True, line=f"{key}: {written}")


def _same_but_closed(before: Entry, after: Entry, key: str, value) -> bool:
    if after.loop is None or getattr(after.loop, key) != value:
        return False
    skip = {"lines", "loop", "body_line"}  # an inserted line moves the body down
    same = all(getattr(before, f.name) == getattr(after, f.name)
               for f in dataclasses.fields(Entry) if f.name not in skip)
    return same and dataclasses.replace(after.loop, **{key: getattr(before.loop, key)}) == before.loop
