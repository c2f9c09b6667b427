"""`notepress new --from SLUG`: a new learning entry whose action is an earlier entry's next step,
linked back to it. (The guided check-in, `notepress checkin`, is review/session.py.)
"""

from __future__ import annotations

from pathlib import Path

from ..front_matter import Lines, scalar
from ..scaffold import new_entry
from .nextsteps import find_step
from .session import link_back as says


def new_checkin(project, from_slug: str, title: str) -> Path:
    """Create a learning entry (a project.Project's, dated its today) whose action is the next step
    of entry `from_slug` and whose body links back to it. Returns the new file's path; never overwrites."""
    previous = find_step(project.entries, from_slug)

    def link_back(data: bytes) -> bytes:
        fm = Lines(data, "entry-learning.md.jinja")
        fm.set("action", scalar(" ".join(previous.loop.next_step.split())),
               after=("competencies", "type", "title"))
        fm.prepend_body(says(previous.slug, "done"))
        return fm.to_bytes()

    return new_entry(project, "learning", title, change=link_back)
