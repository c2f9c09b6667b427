"""`notepress newsletter draft`: choose the period and the number, compose, render, archive; and
the issue.md the writer edits (edited.py), kept across drafts and read again by preview and send.

    record = draft(team)              # issue.md written (or its new insights added), the issue rendered
    record = refresh(team, record)    # rendered again if the writer edited issue.md since
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .. import clock
from ..audience import View
from ..model import Period
from ..problems import NotepressError, Problem, Report
from . import archive, edited
from .compose import Issue, compose, proposal
from .render import fields, one_line, render


def draft(view: View, *, since: dt.date | None = None, until: dt.date | None = None, today: dt.date | None = None,
          now: dt.datetime | None = None, markdown_settings: tuple[list, dict] | None = None) -> archive.IssueRecord:
    """Draft the next issue of the team's `view`, or re-draft the newest one if it was never sent.
    A command passes its Project's `today` and Markdown settings (else: the clock's, and mkdocs.yml's).

    Default period: from the day after the last sent issue (the first issue: the last
    `cadence_days`) up to today. The issue's issue.md is written the first time; after that only the
    period's new insights are added to it (and the proposed subject, while the writer kept it).
    """
    config = view.config
    today = today or clock.today()
    issues = archive.issues(config.archive_dir)
    sent = [r for r in issues if archive.is_sent(r)]
    unsent = issues[-1] if issues and (not sent or sent[-1] is not issues[-1]) else None
    number = unsent.number if unsent else (issues[-1].number + 1 if issues else 1)
    until = until or today
    chosen = since is not None
    if since is None:
        since = sent[-1].until + dt.timedelta(days=1) if sent else until - dt.timedelta(days=config.newsletter.cadence_days - 1)
        if Period(since, until).reversed:  # the last issue, just sent, already covers today
            raise NotepressError(Problem("", 0, "", f"nothing new to draft: issue #{sent[-1].number} was sent for the "
                                         f"period up to {sent[-1].until}",
                                         "draft again tomorrow, or choose a period with --since and --until"))
    proposed = compose(view, number, since, until)
    groups = proposal(Period(since, until).of(view))
    slugs = tuple(dict.fromkeys(e.slug for _, notes in groups for e in notes))
    before = _read(unsent)
    shown = _shown(view, unsent.folder / edited.FILE) if before is not None else ""
    if before is None:
        if proposed.empty:
            raise NotepressError(_nothing(number, since, until))
        subject = one_line(config.newsletter.subject, fields(proposed, config))
        text = edited.new_text(number=number, title=config.newsletter.title, period=proposed.period,
                               subject=subject, groups=groups)
        last = Last(subject, slugs)
    else:
        listed = edited.parse(before, shown).listed
        new = [(name, [e for e in notes if e.slug not in unsent.proposed and e.slug not in listed])
               for name, notes in groups]
        text = edited.add(before, shown, new)
        last = Last(unsent.proposed_subject, tuple(dict.fromkeys(unsent.proposed + slugs)),
                    tuple(dict.fromkeys(e.slug for _, notes in new for e in notes)))
    record = _rendered(view, number, since, until, text, last, unsent, before, now=now, today=today,
                       markdown_settings=markdown_settings)
    earlier = [] if chosen or sent else [e for e in view.entries if e.insight and e.date < since]
    return record if not earlier else dataclasses.replace(record, warnings=(*record.warnings, Problem(
        "", 0, "period", f"{len(earlier)} insight{'s' if len(earlier) != 1 else ''} from before {since} "
        f"(the first issue covers the last {config.newsletter.cadence_days} days) {'are' if len(earlier) != 1 else 'is'} "
        "in no issue", f"to include them, draft with --since {min(e.date for e in earlier)}", "warning")))


def refresh(view: View, record: archive.IssueRecord, *, sending: bool = False, now: dt.datetime | None = None,
            markdown_settings: tuple[list, dict] | None = None) -> archive.IssueRecord:
    """`record`'s issue rendered again from its issue.md, if the writer edited it since (else the record
    as it is). An issue that went out is never rendered again: an edit after it is refused when
    `sending`, else a warning. The entries of the rendering before are checked against the team's
    `view` first, as `send` checks them (send.withdrawn): an issue showing an entry the team may no
    longer see is drafted again, never quietly rendered without it."""
    from .send import withdrawn

    path = record.folder / edited.FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:  # an issue drafted before issue.md
        return record
    if edited.digest(data) == record.edited:
        return record
    shown = _shown(view, path)
    if archive.is_sent(record):
        late = Problem(shown, 0, "", f"edited after issue #{record.number} was sent; a sent issue is never "
                       "rewritten, so the edit is not in it", f"put it back as it was (git checkout -- {shown}); "
                       "new edits go into the next issue", "error" if sending else "warning")
        if sending:
            raise NotepressError(late)
        return dataclasses.replace(record, warnings=(late,))
    problems = withdrawn(record, view, _shown(view, record.folder))
    if problems:
        raise NotepressError(problems)
    last = Last(record.proposed_subject, record.proposed)
    return _rendered(view, record.number, record.since, record.until, data, last, record, data, now=now,
                     markdown_settings=markdown_settings, propose_subject=False)


def stale(record: archive.IssueRecord) -> bool:
    """Whether the writer edited the issue's issue.md since it was rendered."""
    data = _read(record)
    return data is not None and edited.digest(data) != record.edited


@dataclasses.dataclass(frozen=True)
class Last:
    """What notepress wrote into issue.md: its subject, every insight it proposed, those it just added."""
    subject: str
    proposed: tuple[str, ...]
    added: tuple[str, ...] = ()


def _rendered(view: View, number: int, since: dt.date, until: dt.date, text: bytes, last: Last,
              unsent: archive.IssueRecord | None, before: bytes | None, *, now: dt.datetime | None,
              markdown_settings: tuple[list, dict] | None, propose_subject: bool = True,
              today: dt.date | None = None) -> archive.IssueRecord:
    """The issue as issue.md (`text`) edits it, rendered and archived with issue.md. The subject is
    the writer's once they changed the one notepress wrote (`last.subject`); until then notepress
    proposes it again from the issue as edited (and writes it into issue.md, unless
    `propose_subject` is off: preview and send never write the writer's file)."""
    config, now = view.config, now or clock.now()
    folder = unsent.folder if unsent is not None and unsent.number == number else \
        config.archive_dir / archive.folder_name(number, today or clock.today())  # the issue's day, as its period
    shown = _shown(view, folder / edited.FILE)
    edits = dataclasses.replace(edited.parse(text, shown), proposed=frozenset(last.proposed))
    issue = compose(view, number, since, until, edits)
    own = bool(edits.subject) and edits.subject != last.subject
    subject = last.subject
    if not own and propose_subject:
        subject = one_line(config.newsletter.subject, fields(issue, config))
        if edits.subject != subject:
            text = edited.add(text, shown, [], subject=subject)
    rendered = render(issue, view, now, markdown_settings=markdown_settings, subject=edits.subject if own else "")
    record = archive.IssueRecord(
        number=number, since=since, until=until, subject=rendered.subject, preheader=rendered.preheader,
        top_theme=issue.top_theme, entries=tuple(sorted({e.slug for e in issue.entries} | set(rendered.included))),
        created=now.isoformat(timespec="seconds"),
        values={k: v for k, v in fields(issue, config).items() if k != "title"}, own_subject=own,
        proposed_subject=subject, proposed=last.proposed, edited=edited.digest(text))
    if before is not None and _read(unsent) != before:
        raise NotepressError(Problem(shown, 0, "", "changed while the issue was drafted; nothing was written",
                                     "run the command again"))
    folder = archive.save(folder, record, {
        edited.FILE: text,
        "index.html": rendered.preview.encode("utf-8"),
        "email.txt": rendered.text.encode("utf-8"),
        "message.eml": rendered.message,
        **{f"images/{image.name}": image.data for image in rendered.images},
    }, replaces=unsent)
    return dataclasses.replace(archive.IssueRecord.read(folder), warnings=_warnings(issue, shown),
                               added=last.added)


def _warnings(issue: Issue, shown: str) -> tuple[Problem, ...]:
    empty = (Problem(shown, 0, "insights", f"issue #{issue.number} shows nothing: no insight is listed, and "
                     "nothing was learned or posted in its period; send refuses it",
                     "list an insight under insights:, or draft again when there is something new", "warning"),)
    return tuple(issue.warnings) + (empty if issue.empty else ())


def _nothing(number: int, since: dt.date, until: dt.date) -> Problem:
    return Problem("", 0, "period", f"nothing to show in issue #{number}: no insight, learning or blog post "
                   f"from {since} to {until} that the team may see",
                   "write some, or choose another period with --since and --until")


def _read(record: archive.IssueRecord | None) -> bytes | None:
    if record is None:
        return None
    try:
        return (record.folder / edited.FILE).read_bytes()
    except FileNotFoundError:
        return None


def _shown(view: View, path) -> str:
    return Report(view.config.root).rel(path)
