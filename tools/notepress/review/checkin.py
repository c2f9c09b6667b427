"""`notepress new --from SLUG`: a check-in written by hand on a step that was done. A new learning
entry whose action is the earlier entry's next step, with its goals and competencies as defaults
and a first sentence linking back to it ("I did what I set out to do in …"); the earlier step is
closed as done today, as `notepress checkin --did` closes it, through the same two writes
(session.write_and_close). A step not done is checked in on with `notepress checkin --did-not`.
(The guided check-in, `notepress checkin`, is review/session.py.)
"""

from __future__ import annotations

from ..front_matter import Lines, flow, scalar
from ..scaffold import new_entry
from .session import Written, earlier, link_back as says, write_and_close


def new_checkin(project, from_slug: str, title: str) -> Written:
    """Create a learning entry (a project.Project's, dated its today) whose action is the next step
    of entry `from_slug`, serving its goals and showing its competencies, whose body links back to
    it; then close that step as done today. Never overwrites; a step closed already is refused."""
    previous = earlier(project.entries, from_slug)
    loop = previous.loop

    def link_back(data: bytes) -> bytes:
        fm = Lines(data, "entry-learning.md.jinja")
        fm.set("action", scalar(" ".join(loop.next_step.split())), after=("competencies", "type", "title"))
        for key, values in (("goals", loop.goals), ("competencies", loop.competencies)):
            if values:
                fm.set(key, flow(values), after=("slug", "type", "title"))
        fm.prepend_body(says(previous.slug, "done"))
        return fm.to_bytes()

    # done: the close names no later entry, so the new entry's slug is not needed
    return write_and_close(project.config, project.entries, previous,
                           lambda: new_entry(project, "learning", title, change=link_back), "", "done", project.today)
