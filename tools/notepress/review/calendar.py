"""Open next steps as an iCalendar file (RFC 5545, written by the icalendar library), so that their
due dates land in the writer's calendar: one all-day event per dated step, on its due date."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from .. import clock
from .nextsteps import OpenStep

DAY = dt.timedelta(days=1)


def uid(step: OpenStep) -> str:
    """Stable across exports, so importing the file again updates an event instead of adding one."""
    return f"{step.slug}.next-step@notepress"


def calendar(steps: list[OpenStep], contains: str, stamp: dt.datetime | None = None) -> bytes:
    """The dated steps as VEVENTs (undated ones have no day to land on and are left out)."""
    cal = Calendar()
    cal.add("prodid", "-//notepress//next steps//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Next steps")
    stamp = stamp or clock.now()
    for step in steps:
        if step.due is None:
            continue
        event = Event()
        event.add("uid", uid(step))
        event.add("dtstamp", stamp)
        event.add("summary", step.step)
        event.add("dtstart", step.due)
        event.add("dtend", step.due + DAY)
        event.add("description", f"Next step of \"{step.title}\" ({step.source}). {contains}.")
        event.add("categories", ["next step"])
        cal.add_component(event)
    return cal.to_ical()
