"""`notepress new --from SLUG`: a new learning entry whose action is an earlier entry's next step,
linked back to it. (The guided check-in, `notepress checkin`, is review/session.py.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..config import Config
from ..entries import read_entries
from ..front_matter import Lines, scalar
from ..output import write_atomic
from ..problems import NotepressError
from ..scaffold import new_entry
from .nextsteps import find_step


def new_checkin(config: Config, from_slug: str, title: str, today: dt.date) -> Path:
    """Create a learning entry whose action is the next step of entry `from_slug` and whose body
    links back to it. Returns the new file's path; never overwrites."""
    entries, _ = read_entries(config)
    previous = find_step(entries, from_slug)
    path = new_entry(config, "learning", title, today=today)
    try:
        fm = Lines(path.read_bytes(), path.name)
        fm.set("action", scalar(" ".join(previous.loop.next_step.split())),
               after=("competencies", "type", "title"))
        fm.prepend_body(f"Check-in on [[{previous.slug}]]: its next step is this entry's action.")
        write_atomic(path, fm.to_bytes())
    except (NotepressError, OSError):
        path.unlink(missing_ok=True)  # ours: created a moment ago
        raise
    return path
