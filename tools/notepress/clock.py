"""The one reading of the calendar and the clock: every rule that depends on the day (the gate's
scheduled posts, validation, next steps, the check-in cadence, the newsletter's period, the dates
`init` and `new` write) takes the `today` of the Project opened for the command, which comes from here.

NOTEPRESS_TODAY=YYYY-MM-DD runs notepress as if it were that day: to preview what the site will
show on a scheduled post's day, or to replay a test on a fixed day (the test suite sets it). It
changes what notepress decides by the date, not the times it stamps (a sent message's Date header,
a calendar file's DTSTAMP), which are the real ones.
"""

from __future__ import annotations

import datetime as dt
import os

from .problems import NotepressError, Problem

VARIABLE = "NOTEPRESS_TODAY"


def today() -> dt.date:
    """NOTEPRESS_TODAY when it is set, else the machine's local date."""
    given = os.environ.get(VARIABLE, "").strip()
    if not given:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise NotepressError(Problem("", 0, VARIABLE, f"{given!r} is not a date",
                                     f"write it as YYYY-MM-DD, or unset {VARIABLE} to use today's date"))


def now() -> dt.datetime:
    """The real time, in UTC, for what notepress stamps (a message's Date, a log line)."""
    return dt.datetime.now(dt.timezone.utc)
