"""Send an archived issue: one copy per recipient, never twice to the same person.

    report = send_issue(config, 7, team=team, dry_run=True)       # who would get it; sends and writes nothing
    report = send_issue(config, 7, team=team, test_address="me@example.com")   # one "[TEST]" copy, not logged
    report = send_issue(config, 7, team=team, progress=print)     # the real thing; run it again to resume

This module decides who gets a copy and keeps the send journal (journal.py); message.py makes the
copies and a backend delivers them (backends.py): over SMTP (smtp.py), or into memory in a dry run,
so that a dry run builds every copy a real run would send. Every recipient, and the test copy's
address, is at one of the company's domains (recipients.allowed_domains) or nothing is sent, not
even a dry run. A second sender of the same issue is refused. The SMTP password comes from
NOTEPRESS_SMTP_PASSWORD and is never written anywhere. Nothing here prints: progress goes to a callback.

Resuming. Each copy's attempt is on disk before the copy goes to SMTP, and its outcome right after,
so the same command run again serves exactly the recipients not yet served. Recipients that failed
permanently (5xx) are not retried unless asked. A recipient in flight when a run was killed (an
attempt with no outcome: the server may have accepted the copy) is sent again, with the Message-ID
of that attempt: every copy a recipient gets of an issue carries one Message-ID (message.message_id),
so a duplicate is one that mail systems collapse, and no recipient is left without the issue. The
report names them. When the journal cannot be written (a full disk), sending stops before the next
copy, with one line saying why; nothing is ever delivered without its attempt on disk.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from pathlib import Path

from ..audience import Reader, View
from ..config import CONFIG_FILE, Config, Smtp
from ..mail import parse_address
from ..problems import NotepressError, Problem, Report
from . import archive, edited, journal
from .edited import FILE
from .backends import Backend, Collecting, Delivery, Stop
from .journal import Journal, JournalError
from .message import Copies, headers, message_id, random_id
from .recipients import addresses, allowed_domains, load_recipients, outside, outside_problem
from .smtp import PASSWORD_ENV, Progress, SmtpBackend, open_connection

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock against a second sender
    fcntl = None


@dataclass
class SendReport:
    issue: int
    sent: list[str] = field(default_factory=list)  # in a dry run: who would get it
    failed: list[Delivery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already served
    resent: list[str] = field(default_factory=list)  # in flight when a run stopped: sent again, same Message-ID
    dry_run: bool = False
    test: bool = False
    unserved: list[str] = field(default_factory=list)  # not reached: sending stopped early
    stopped: str = ""  # why sending stopped early
    subject: str = ""
    addressed: list[str] = field(default_factory=list)  # in a dry run: each To as it would be written

    def plan(self) -> list[str]:
        """A dry run's list: who would get what, and who was already served."""
        return ([f"would send to {to}: {self.subject}" for to in self.addressed]
                + [f"in flight when a send stopped, would send again with the same Message-ID: {address}"
                   for address in self.resent]
                + [f"already served: {address}" for address in self.skipped]
                + [f"failed earlier, not retried: {d.address} ({_why(d)})" for d in self.failed])

    @property
    def ok(self) -> bool:
        """Nobody left unserved, and nothing stopped the run."""
        return not self.failed and not self.unserved and not self.stopped

    def summary(self) -> str:
        """One line: `issue #1: sent 3, failed 1 (x@y: 550 mailbox unavailable), already served 2`."""
        head = f"issue #{self.issue}" + (" (dry run)" if self.dry_run else "")
        if self.test:
            to = (self.sent or [d.address for d in self.failed] or ["?"])[0]
            verb = "would send a test copy to" if self.dry_run else "test copy sent to"
            if self.failed:
                return f"{head}: test copy to {to} failed ({_why(self.failed[0])})"
            return f"{head}: {verb} {to}"
        parts = [f"{'would send' if self.dry_run else 'sent'} {len(self.sent)}"]
        if self.failed:
            shown = ", ".join(f"{d.address}: {_why(d)}" for d in self.failed[:3])
            more = f", and {len(self.failed) - 3} more" if len(self.failed) > 3 else ""
            label = "failed earlier, skipped" if self.dry_run else "failed"
            parts.append(f"{label} {len(self.failed)} ({shown}{more})")
        if self.skipped:
            parts.append(f"already served {len(self.skipped)}")
        if self.resent:
            shown = ", ".join(self.resent[:3]) + (f" and {len(self.resent) - 3} more" if len(self.resent) > 3 else "")
            verb = "would send again" if self.dry_run else "sent again"
            parts.append(f"in flight when a send stopped, {verb} with the same Message-ID {len(self.resent)} ({shown})")
        if self.unserved or self.stopped:
            parts.append(f"not sent {len(self.unserved)} ({self.stopped}; run the same command again to resume)")
        return f"{head}: {', '.join(parts)}" + ("; nothing was sent" if self.dry_run else "")


def _why(d: Delivery) -> str:
    return f"{d.code} {d.error}".strip() if d.code else (d.error or "failed")


# --- the command ------------------------------------------------------------------------------------


def withdrawn(record: archive.IssueRecord, team: View, shown: str) -> list[Problem]:
    """The entries an issue shows that the team may no longer see: made private or a draft, or deleted
    since the issue was drafted. Such an issue is never sent; it is drafted again."""
    if team.reader is not Reader.TEAM or team.drafts:
        raise TypeError("an issue is checked against the team's view, without drafts")
    return [Problem(f"{shown}/{archive.RECORD}", 0, "entries",
                    f"{slug}: issue #{record.number} shows this entry, but the team may no longer see it "
                    "(it was made private or a draft, or deleted)",
                    "draft the issue again with `notepress newsletter draft`, then send it")
            for slug in record.entries if team.get(slug) is None]


def shown(record: archive.IssueRecord) -> set[str]:
    """The entries issue `record` shows, and the insights its issue.md lists (a send renders the issue
    again from them when the writer edited it; a broken issue.md is refused there, with its lines)."""
    slugs = set(record.entries)
    try:
        return slugs | edited.parse((record.folder / FILE).read_bytes(), FILE).listed
    except (OSError, NotepressError):
        return slugs


def unfixed(record: archive.IssueRecord, errors: list[Problem]) -> list[Problem]:
    """The errors of the entries issue `record` shows (see Project.errors_of), each saying why the
    issue is not sent: the other entries' problems do not hold it up."""
    return [replace(p, message=f"{p.message}; issue #{record.number} shows this entry, so it is not "
                                "sent until this is fixed") for p in errors]


def empty(record: archive.IssueRecord, shown: str) -> Problem:
    """The refusal of an issue that shows nothing (every insight left out of issue.md, and nothing
    learned or posted in its period)."""
    return Problem(f"{shown}/{FILE}", 0, "insights", f"issue #{record.number} shows nothing (no insight, learning "
                   "or blog post), so it is not sent", "list an insight under insights: in that file, then send; "
                   "or draft the next issue when there is something new")


def send_issue(config: Config, number: int | None = None, *, team: View, recipients: list[str] | None = None,
               dry_run: bool = False, test_address: str | None = None, force: bool = False,
               retry_failed: bool = False, progress: Progress | None = None,
               backoff: tuple[float, ...] = (0.5, 2.0, 8.0),
               connect: Callable[[Smtp], smtplib.SMTP] = open_connection,
               backend: Backend | None = None) -> SendReport:
    """Send issue `number` (the newest by default) to every recipient not yet served.

    `team` is the team's view of the entries as they are now: an issue showing an entry the team may
    no longer see is refused (dry runs and test copies too). `recipients` defaults to
    `load_recipients(config)`; they and `test_address` must be at the allowed domains (see
    recipients.py), or nothing is sent. The copies go to `backend`: by default an SmtpBackend for
    `config.smtp` (with `backoff` and `connect`), and a Collecting one in a dry run."""
    record = archive.find(config.archive_dir, number)
    folder, shown = record.folder, Report(config.root).rel(record.folder)
    problems = withdrawn(record, team, shown)
    if problems:
        raise NotepressError(problems)
    if not record.entries:
        raise NotepressError(empty(record, shown))
    sender = parse_address(config.newsletter.sender)
    run = _Run(Copies(folder, shown, headers(config, record)), sender, progress or (lambda message: None),
               lambda to: random_id(sender.domain))
    if test_address is not None:
        people = [_test_recipient(test_address, config)]
    else:  # every address outside the allowed domains refused at once, before anything is sent
        people = addresses(list(recipients) if recipients is not None else load_recipients(config), "recipients",
                           config)
    if dry_run:
        backend = Collecting(keep=False)
    elif backend is None:
        backend = SmtpBackend(config.smtp, _password(config), run.sender, backoff=backoff,
                              progress=run.progress, connect=connect)
    if test_address is not None:
        return _send_test(record.number, run, backend, people[0], dry_run)
    if not people:
        raise NotepressError(Problem("", 0, "recipients", "the list is empty", "give at least one address"))
    with nullcontext() if dry_run else _sending_lock(folder, record.number):
        state = journal.read(folder)  # read under the lock: another sender may be writing it
        report, to_send, this_round = _plan(record.number, people, state, force, retry_failed)
        report.dry_run, report.subject = dry_run, run.copies.subject
        run.message_id = _ids(record, state, this_round, sender.domain)
        if dry_run:
            _deliver(report, run, backend, to_send)
            report.addressed = [str(to) for to, _ in backend.outbox]
        elif to_send:
            with Journal(folder, state, shown) as written:
                _deliver(report, run, backend, to_send, _Journaled(written, this_round, run.progress))
        return report


def _ids(record: archive.IssueRecord, state: journal.State, this_round: int,
         domain: str) -> Callable[[Address], str]:
    """Each recipient's Message-ID in this round: the one an earlier attempt recorded, else the
    one derived from the issue, the round and the address (the same, unless the sender changed)."""
    def of(to: Address) -> str:
        entry = state.get(to.addr_spec)
        if entry and entry.get("message_id") and _round(entry) == this_round:
            return entry["message_id"]
        return message_id(record, this_round, to.addr_spec, domain)
    return of


def _password(config: Config) -> str:
    password = os.environ.get(PASSWORD_ENV, "")
    if config.smtp.username and not password:
        raise NotepressError(Problem(CONFIG_FILE, 0, "smtp.username", f"{config.smtp.username} needs a password",
                                     f"set the {PASSWORD_ENV} environment variable, or remove smtp.username"))
    return password


@dataclass
class _Run:
    """What every copy of this run shares: the copies to make, who sends them, where progress goes."""
    copies: Copies
    sender: Address
    progress: Progress
    message_id: Callable[[Address], str]  # each recipient's, fixed before their first attempt


def _plan(number: int, people: list[Address], log: journal.State, force: bool,
          retry_failed: bool) -> tuple[SendReport, list[Address], int]:
    """Who gets a copy in this run, and in which round (a forced resend starts a new round, so that
    an interrupted resend resumes instead of starting over). A recipient in flight when a run
    stopped (status "unknown") gets it again, with the same Message-ID (see `_ids`)."""
    current = max((_round(e) for e in log.entries.values()), default=1)
    served = [a for a in people if _served(log.get(a.addr_spec), current)]
    if len(served) == len(people) and not force:
        raise NotepressError(Problem("", 0, "", f"issue #{number} was already sent to all {len(people)} recipients",
                                     "use --force to send it again"))
    report = SendReport(number)
    if force:
        return report, people, current + 1 if served else current
    report.skipped = [a.addr_spec for a in served]
    to_send = []
    for a in people:
        entry = log.get(a.addr_spec)
        if _served(entry, current):
            continue
        if _round(entry) == current and _permanent(entry) and not retry_failed:
            report.failed.append(Delivery(a.addr_spec, "failed", entry.get("code"), entry.get("error", "")))
        else:
            to_send.append(a)
            if _round(entry) == current and entry.get("status") == "unknown":
                report.resent.append(a.addr_spec)
    return report, to_send, current


def _round(entry: dict | None) -> int:
    return int(entry.get("round", 1)) if entry else 0


def _permanent(entry: dict | None) -> bool:
    code = entry.get("code") if entry else None
    return bool(entry) and entry.get("status") == "failed" and isinstance(code, int) and 500 <= code < 600


def _served(entry: dict | None, current: int) -> bool:
    return bool(entry) and entry.get("status") == "sent" and _round(entry) == current


# --- sending, and the send journal ----------------------------------------------------------------


class _Journaled:
    """Each copy of a real run: its attempt on disk before it goes out, its outcome right after, and
    the outcome told to `progress`."""

    def __init__(self, written: Journal, this_round: int, progress: Progress):
        self.written, self.this_round, self.progress = written, this_round, progress

    def attempt(self, to: Address, message_id: str) -> None:
        self.written.attempt(to.addr_spec, message_id, self.this_round)

    def outcome(self, label: str, result: Delivery) -> None:
        if result.status == "sent":
            self.progress(f"{label} sent to {result.address}")
        else:
            self.progress(f"{label} failed for {result.address}: {_why(result)}")
        self.written.outcome(result, self.this_round)


def _deliver(report: SendReport, run: _Run, backend: Backend, to_send: list[Address],
             journaled: _Journaled | None = None, subject: str | None = None) -> SendReport:
    """Make and deliver each copy in turn, adding each result to `report`; in a real run, each
    attempt and outcome goes to the journal. A Stop before the first copy is an error; a later
    one leaves the rest unserved, to be sent by the next run."""
    try:
        backend.open()
    except Stop as e:
        raise NotepressError(str(e))
    total = len(to_send)
    try:
        for i, to in enumerate(to_send, 1):
            label = "[test]" if report.test else f"[{i}/{total}]"
            message_id = run.message_id(to)
            data = run.copies.build(to, message_id, subject)
            try:
                if journaled is not None:
                    journaled.attempt(to, message_id)  # on disk first: if it cannot be, nothing is sent
                result = backend.deliver(to, data, run.copies.eight_bit, label)
            except Stop as e:
                if i == 1:
                    raise NotepressError(str(e) + ("; nothing was sent" if isinstance(e, JournalError) else ""))
                _stop(report, run, to_send[i - 1:], label, str(e))
                break
            if result.status == "sent":
                report.sent.append(result.address)
            else:
                report.failed.append(result)
            if journaled is not None:
                try:
                    journaled.outcome(label, result)
                except JournalError as e:  # delivered, but not recorded: the next run sends it again, same Message-ID
                    _stop(report, run, to_send[i:], label, f"{e}; {result.address}'s result is not recorded "
                          "(the next run sends it again with the same Message-ID)")
                    break
    finally:
        backend.close()
    return report


def _stop(report: SendReport, run: _Run, rest: list[Address], label: str, why: str) -> None:
    report.unserved = [a.addr_spec for a in rest]
    report.stopped = why
    run.progress(f"{label} stopped: {why}")


def _test_recipient(test_address: str, config: Config) -> Address:
    """The address of `--test`: a valid one, at an allowed domain (a test copy is a whole issue)."""
    to = parse_address(test_address)
    if to is None:
        raise NotepressError(Problem("", 0, "--test", f"{test_address!r} is not a valid address", "write you@example.com"))
    if outside(to, allowed_domains(config)):
        raise NotepressError(outside_problem("", 0, "--test", to, config))
    return to


def _send_test(number: int, run: _Run, backend: Backend, to: Address, dry_run: bool) -> SendReport:
    """One copy marked [TEST] to `to`, whatever the send log says; not logged."""
    report = SendReport(number, dry_run=dry_run, test=True)
    return _deliver(report, run, backend, [to], subject=f"[TEST] {run.copies.subject}")


@contextmanager
def _sending_lock(folder: Path, number: int):
    """One sender per issue: a second `send` of the same issue stops instead of sending twice."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NotepressError(Problem("", 0, "", f"issue #{number} is being sent by another notepress process",
                                         "wait for it to finish, then run the command again"))
        yield
    finally:
        os.close(fd)


