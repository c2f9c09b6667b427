"""Check-ins: a new learning entry that starts from the previous one's next step, and the chain
of check-ins that follow one another.

B follows A when both are learning entries, A is not newer than B, and B's action is A's next
step or B links back to A (`[[a-slug]]` or a relative link to A's file).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from ..config import Config
from ..entries import read_entries
from ..links import Resolver, find_links
from ..model import Entry
from ..output import write_atomic
from ..problems import NotepressError
from ..scaffold import new_entry
from ..templates import yaml_string
from .edit import FrontMatter
from .nextsteps import find_step


def new_checkin(config: Config, from_slug: str, title: str, today: dt.date) -> Path:
    """Create a learning entry whose action is the next step of entry `from_slug` and whose body
    links back to it. Returns the new file's path; never overwrites."""
    entries, _ = read_entries(config)
    previous = find_step(entries, from_slug)
    path = new_entry(config, "learning", title, today=today)
    try:
        fm = FrontMatter(path.read_bytes(), path.name)
        fm.set("action", yaml_string(" ".join(previous.loop.next_step.split())),
               after=("competencies", "type", "title"))
        fm.prepend_body(f"Check-in on [[{previous.slug}]]: its next step is this entry's action.")
        write_atomic(path, fm.to_bytes())
    except (NotepressError, OSError):
        path.unlink(missing_ok=True)  # ours: created a moment ago
        raise
    return path


class CheckIns:
    """The follows-up relation between learning entries, built once for many look-ups."""

    def __init__(self, entries: list[Entry]):
        self.entries = {e.slug: e for e in entries}
        learning = [e for e in entries if e.loop]
        by_step: dict[str, list[Entry]] = defaultdict(list)
        for e in learning:
            if e.loop.next_step:
                by_step[" ".join(e.loop.next_step.split()).casefold()].append(e)
        resolve = Resolver(entries)
        self.before: dict[str, set[str]] = defaultdict(set)  # slug -> the slugs it follows up
        self.after: dict[str, set[str]] = defaultdict(set)  # slug -> the slugs following it up
        for b in learning:
            targets = {t for link in find_links(b.body) if (t := resolve(link, b)) is not None}
            targets.update(by_step.get(" ".join(b.loop.action.split()).casefold(), ()))
            for a in targets:
                if a.loop is not None and a.slug != b.slug and a.date <= b.date:
                    self.before[b.slug].add(a.slug)
                    self.after[a.slug].add(b.slug)

    def _walk(self, slug: str, edges: dict[str, set[str]]) -> list[Entry]:
        seen, stack = {slug}, [slug]
        while stack:
            for other in edges.get(stack.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        seen.discard(slug)
        return sorted((self.entries[s] for s in seen), key=lambda e: (e.date, e.slug))

    def chain(self, slug: str) -> tuple[list[Entry], list[Entry]]:
        """(the earlier check-ins, the later ones) around entry `slug`, each oldest first."""
        return self._walk(slug, self.before), self._walk(slug, self.after)


def chain(entries: list[Entry], slug: str) -> tuple[list[Entry], list[Entry]]:
    """(previous, next) check-ins of entry `slug` among `entries`, each oldest first. Pass only
    the entries a reader may see (e.g. the public ones) to get only those neighbours."""
    return CheckIns(entries).chain(slug)
