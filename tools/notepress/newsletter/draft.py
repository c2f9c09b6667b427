"""`notepress newsletter draft`: choose the period and the number, compose, render, archive."""

from __future__ import annotations

import datetime as dt

from .. import clock
from ..audience import View
from ..model import Period
from . import archive
from .compose import compose
from .render import fields, render
from ..problems import NotepressError, Problem


def draft(view: View, *, since: dt.date | None = None, until: dt.date | None = None, today: dt.date | None = None,
          now: dt.datetime | None = None, markdown_settings: tuple[list, dict] | None = None) -> archive.IssueRecord:
    """Draft the next issue of the team's `view`, or re-draft the newest one if it was never sent.
    A command passes its Project's `today` and Markdown settings (else: the clock's, and mkdocs.yml's).

    Default period: from the day after the last sent issue (the first issue: the last
    `cadence_days`) up to today.
    """
    config = view.config
    today = today or clock.today()
    now = now or clock.now()
    issues = archive.issues(config.archive_dir)
    sent = [r for r in issues if archive.is_sent(r)]
    unsent = issues[-1] if issues and (not sent or sent[-1] is not issues[-1]) else None
    number = unsent.number if unsent else (issues[-1].number + 1 if issues else 1)
    until = until or today
    if since is None:
        since = sent[-1].until + dt.timedelta(days=1) if sent else until - dt.timedelta(days=config.newsletter.cadence_days - 1)
        if Period(since, until).reversed:  # the last issue, just sent, already covers today
            raise NotepressError(Problem("", 0, "", f"nothing new to draft: issue #{sent[-1].number} was sent for the "
                                         f"period up to {sent[-1].until}",
                                         "draft again tomorrow, or choose a period with --since and --until"))
    issue = compose(view, number, since, until)
    rendered = render(issue, view, now, markdown_settings=markdown_settings)
    record = archive.IssueRecord(
        number=number, since=since, until=until, subject=rendered.subject, preheader=rendered.preheader,
        top_theme=issue.top_theme, entries=tuple(sorted({e.slug for e in issue.entries} | set(rendered.included))),
        created=now.isoformat(timespec="seconds"),
        values={k: v for k, v in fields(issue, config).items() if k != "title"})
    folder = archive.save(config.archive_dir, record, {
        "index.html": rendered.preview.encode("utf-8"),
        "email.txt": rendered.text.encode("utf-8"),
        "message.eml": rendered.message,
        **{f"images/{image.name}": image.data for image in rendered.images},
    }, replaces=unsent)
    return archive.IssueRecord.read(folder)
