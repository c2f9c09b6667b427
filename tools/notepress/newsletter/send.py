"""Send an archived issue over SMTP: one copy per recipient, never twice to the same person.

    report = send_issue(config, 7, dry_run=True)       # who would get it; sends and writes nothing
    report = send_issue(config, 7, test_address="me@example.com")   # one "[TEST]" copy, not logged
    report = send_issue(config, 7, progress=print)      # the real thing; run it again to resume

Each recipient gets the archived `message.eml` with their own To, a fresh Date and Message-ID, over
one reused connection. Who was served is written to `send-log.json` after every recipient, so an
interrupted run resumes where it stopped. Temporary failures (4xx, dropped connections, timeouts)
are retried with back-off; permanent ones (5xx) are recorded and reported, and not retried on
resume unless asked. The SMTP password comes from NOTEPRESS_SMTP_PASSWORD and is never written
anywhere. Nothing here prints: progress goes to a callback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..audience import Reader, View
from ..config import CONFIG_FILE, Config, Smtp
from ..mail import parse_address
from ..problems import NotepressError, Problem, Report
from . import archive
from .render import list_headers
from .recipients import addresses, load_recipients

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock against a second sender
    fcntl = None

PASSWORD_ENV = "NOTEPRESS_SMTP_PASSWORD"
MESSAGE = "message.eml"
REPLACED = {b"to", b"cc", b"bcc", b"date", b"message-id", b"from", b"sender", b"reply-to", b"subject", b"list-id",
            b"list-unsubscribe", b"list-unsubscribe-post"}
ENHANCED_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}\s+")

Progress = Callable[[str], None]


@dataclass
class Delivery:
    address: str
    status: str  # "sent" | "failed" | "skipped"
    code: int | None = None
    error: str = ""


@dataclass
class SendReport:
    issue: int
    sent: list[str] = field(default_factory=list)  # in a dry run: who would get it
    failed: list[Delivery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already served
    dry_run: bool = False
    test: bool = False
    unserved: list[str] = field(default_factory=list)  # not reached: sending stopped early
    stopped: str = ""  # why sending stopped early
    subject: str = ""
    addressed: list[str] = field(default_factory=list)  # in a dry run: each To as it would be written

    def plan(self) -> list[str]:
        """A dry run's list: who would get what, and who was already served."""
        return ([f"would send to {to}: {self.subject}" for to in self.addressed]
                + [f"already served: {address}" for address in self.skipped]
                + [f"failed earlier, not retried: {d.address} ({_why(d)})" for d in self.failed])

    @property
    def ok(self) -> bool:
        """Nobody left unserved."""
        return not self.failed and not self.unserved

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
        if self.unserved:
            parts.append(f"not sent {len(self.unserved)} ({self.stopped}; run the same command again to resume)")
        return f"{head}: {', '.join(parts)}" + ("; nothing was sent" if self.dry_run else "")


def _why(d: Delivery) -> str:
    return f"{d.code} {d.error}".strip() if d.code else (d.error or "failed")


# --- the message ------------------------------------------------------------------------------


class _Copies:
    """The archived message's content, split once; every header is made at send time from the
    current notepress.yml (`headers`), and each copy gets its own To, Date and Message-ID."""

    def __init__(self, folder: Path, shown: str, headers: dict[str, str]):
        path = folder / MESSAGE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotepressError(Problem(f"{shown}/{MESSAGE}", 0, "", "missing",
                                         "draft the issue again with `notepress newsletter draft`"))
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        head, sep, self.body = raw.partition(b"\r\n\r\n")
        parsed = message_from_bytes(raw, policy=policy.default)
        if not sep or parsed.get_content_maintype() not in ("multipart", "text"):
            raise NotepressError(Problem(f"{shown}/{MESSAGE}", 0, "", "not a complete message", "draft the issue again"))
        fields: list[bytes] = []
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and fields:
                fields[-1] += b"\r\n" + line
            else:
                fields.append(line)
        # The content's own fields (MIME-Version, Content-Type…) stay; the addressing is made anew.
        kept = [f + b"\r\n" for f in fields if f.split(b":", 1)[0].strip().lower() not in REPLACED]
        self.head = b"".join(_fold(name, value) for name, value in headers.items()) + b"".join(kept)
        self.eight_bit = any(b > 127 for b in raw)
        self.subject = headers["Subject"]

    def build(self, to: Address, domain: str, subject: str | None = None) -> tuple[str, bytes]:
        """(Message-ID, the copy for `to`). `subject` replaces the Subject (the test copy)."""
        message_id = make_msgid(domain=domain)
        own = _fold("To", str(to)) + _fold("Date", formatdate(localtime=True)) + _fold("Message-ID", message_id)
        head = self.head
        if subject is not None:
            head = head.replace(_fold("Subject", self.subject), _fold("Subject", subject), 1)
        return message_id, head + own + b"\r\n" + self.body


def missing_sender(config: Config) -> Problem | None:
    if parse_address(config.newsletter.sender or ""):
        return None
    return Problem(CONFIG_FILE, 0, "newsletter.sender", "missing",
                   'add `sender: "Your Name <you@example.com>"` under newsletter:, then send again')


def headers(config: Config, record: archive.IssueRecord) -> dict[str, str]:
    """Every header of the issue as notepress.yml says now (a draft made before the sender or the
    list was configured is sent right): the subject, then render.list_headers."""
    problem = missing_sender(config)
    if problem:
        raise NotepressError(problem)
    nl = config.newsletter
    subject = nl.subject.format(**{**record.values, "title": nl.title}) if record.values else record.subject
    return {"Subject": " ".join(subject.split()), **list_headers(config)}


def _fold(name: str, value: str) -> bytes:
    """One header field, RFC 2047-encoded and folded when it needs to be (the email package's folding
    costs a third of a millisecond: most To, all Date and Message-ID fields fit on one ASCII line)."""
    if value.isascii() and len(name) + len(value) < 76 and "\r" not in value and "\n" not in value:
        return f"{name}: {value}\r\n".encode("ascii")
    return policy.SMTP.header_factory(name, value).fold(policy=policy.SMTP).encode("ascii")


# --- the send log ---------------------------------------------------------------------------------


def _round(entry: dict | None) -> int:
    return int(entry.get("round", 1)) if entry else 0


def _permanent(entry: dict | None) -> bool:
    code = entry.get("code") if entry else None
    return bool(entry) and entry.get("status") == "failed" and isinstance(code, int) and 500 <= code < 600


# --- SMTP -----------------------------------------------------------------------------------------


def open_connection(smtp: Smtp) -> smtplib.SMTP:
    """A connected client per `smtp.security` (starttls | ssl | none), not yet logged in."""
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            client.starttls(context=ssl.create_default_context())
        except BaseException:
            client.close()
            raise
        client.ehlo()
    return client


class _Stop(Exception):
    """Sending cannot go on: the server is unreachable, refuses the login or the sender."""


class _Mailer:
    """One reused connection; delivers one copy at a time, retrying what is temporary."""

    def __init__(self, smtp: Smtp, password: str, sender: Address, backoff, progress: Progress, connect):
        self.smtp, self.password, self.sender = smtp, password, sender
        self.backoff, self.progress, self.connect = tuple(backoff), progress, connect
        self.client: smtplib.SMTP | None = None
        self.where = f"{smtp.host}:{smtp.port}"

    def clean(self, text: str) -> str:
        """A server reply or error as one short line, never containing the password."""
        text = " ".join(text.split())
        if self.password:
            text = text.replace(self.password, "***")
        return text[:200]

    def open(self) -> None:
        """Connect and log in, retrying with the back-off; raises _Stop when it cannot."""
        last = ""
        for delay in (0, *self.backoff):
            if delay:
                time.sleep(delay)
            client = None
            try:
                client = self.connect(self.smtp)
                if self.smtp.username and self.password:
                    self._login(client)
                self.client = client
                return
            except _Stop:
                self._close(client)
                raise
            except smtplib.SMTPNotSupportedError:  # from connect: no STARTTLS
                raise _Stop(f"{CONFIG_FILE}: smtp.security: {self.where} does not offer STARTTLS "
                            "(use security: ssl with port 465, or none only for a local relay)")
            except ssl.SSLCertVerificationError as e:
                raise _Stop(f"{CONFIG_FILE}: smtp.host: {self.where}: {self.clean(e.verify_message or str(e))} "
                            "(check smtp.host and smtp.security)")
            except OSError as e:  # refused, unreachable, timeouts, TLS errors, an unexpected greeting
                self._close(client)
                last = self._describe(e)
        raise _Stop(f"cannot connect to {self.where} ({last})")

    def _login(self, client: smtplib.SMTP) -> None:
        try:
            client.login(self.smtp.username, self.password)
        except smtplib.SMTPAuthenticationError as e:
            raise _Stop(f"{CONFIG_FILE}: smtp.username: {self.where} refused the login for {self.smtp.username} "
                        f"({e.smtp_code} {self._reply(e.smtp_error)}) (check the username and {PASSWORD_ENV})")
        except smtplib.SMTPNotSupportedError:
            raise _Stop(f"{CONFIG_FILE}: smtp.username: {self.where} offers no login on this connection "
                        "(use security: starttls or ssl, or remove smtp.username)")

    def deliver(self, to: Address, data: bytes, eight_bit: bool, label: str) -> Delivery:
        """Sent, or failed after the retries; raises _Stop when sending cannot go on at all."""
        address, code, error = to.addr_spec, None, ""
        for delay in (*self.backoff, None):
            if self.client is None:
                self.progress(f"{label} reconnecting to {self.where}")
                self.open()
            try:
                self.client.sendmail(self.sender.addr_spec, [address], data, self._options(address, eight_bit))
                return Delivery(address, "sent", 250)
            except smtplib.SMTPRecipientsRefused as e:
                code, reply = next(iter(e.recipients.values()), (None, b""))
                error = self._reply(reply)
            except smtplib.SMTPSenderRefused as e:
                code, error = e.smtp_code, self._reply(e.smtp_error)
                if 500 <= code < 600:
                    raise _Stop(f"{self.where} refused the sender {self.sender.addr_spec} ({code} {error}) "
                                "(check newsletter.sender in notepress.yml)")
            except smtplib.SMTPResponseException as e:  # DATA refused, and the rest with a reply code
                code, error = e.smtp_code, self._reply(e.smtp_error)
            except smtplib.SMTPNotSupportedError as e:
                return Delivery(address, "failed", None, self.clean(str(e)))
            except OSError as e:  # disconnected, reset, timed out: the connection is unusable
                code, error = None, self._describe(e)
                self._close(self.client)
                self.client = None
            if self.client is not None and self.client.sock is None:  # smtplib closed it (421)
                self.client = None
            if code is not None and 500 <= code < 600:
                return Delivery(address, "failed", code, error)
            if delay is None:
                break
            self.progress(f"{label} {address}: {f'{code} ' if code else ''}{error}; retrying in {delay:g}s")
            time.sleep(delay)
        return Delivery(address, "failed", code, error)

    def quit(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except OSError:
                self._close(self.client)
            self.client = None

    def _options(self, address: str, eight_bit: bool) -> list[str]:
        options = []
        if eight_bit and self.client.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (address + self.sender.addr_spec).isascii():
            options.append("SMTPUTF8")
        return options

    def _reply(self, reply) -> str:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return self.clean(ENHANCED_STATUS.sub("", text))

    def _describe(self, error: OSError) -> str:
        if isinstance(error, TimeoutError):
            return f"no answer within {self.smtp.timeout:g}s"
        if isinstance(error, smtplib.SMTPResponseException):
            return f"{error.smtp_code} {self._reply(error.smtp_error)}"
        return self.clean(error.strerror or str(error) or type(error).__name__)

    @staticmethod
    def _close(client) -> None:
        if client is not None:
            try:
                client.close()
            except OSError:
                pass


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


def send_issue(config: Config, number: int | None = None, *, team: View, recipients: list[str] | None = None,
               dry_run: bool = False, test_address: str | None = None, force: bool = False,
               retry_failed: bool = False, password: str | None = None, progress: Progress | None = None,
               backoff: tuple[float, ...] = (0.5, 2.0, 8.0),
               connect: Callable[[Smtp], smtplib.SMTP] | None = None) -> SendReport:
    """Send issue `number` (the newest by default) to every recipient not yet served.

    `team` is the team's view of the entries as they are now: an issue showing an entry the team may
    no longer see is refused (dry runs and test copies too). `recipients` defaults to `load_recipients(config)`. `connect(config.smtp)` returns a connected,
    not logged-in client (default: `open_connection`)."""
    record = archive.find(config.archive_dir, number)
    folder, shown = record.folder, Report(config.root).rel(record.folder)
    problems = withdrawn(record, team, shown)
    if problems:
        raise NotepressError(problems)
    copies = _Copies(folder, shown, headers(config, record))
    sender = parse_address(config.newsletter.sender)
    password = os.environ.get(PASSWORD_ENV, "") if password is None else password
    if config.smtp.username and not password and not dry_run:
        raise NotepressError(Problem(CONFIG_FILE, 0, "smtp.username", f"{config.smtp.username} needs a password",
                                     f"set the {PASSWORD_ENV} environment variable, or remove smtp.username"))
    mailer = _Mailer(config.smtp, password, sender, backoff, progress or (lambda message: None),
                     connect or open_connection)

    if test_address is not None:
        return _send_test(record.number, copies, mailer, test_address, dry_run)

    people = addresses(list(recipients) if recipients is not None else load_recipients(config), "recipients")
    if not people:
        raise NotepressError(Problem("", 0, "recipients", "the list is empty", "give at least one address"))
    with nullcontext() if dry_run else _sending_lock(folder, record.number):
        log = archive.SendLog(folder, archive.read_log(folder))  # read under the lock: another sender may be writing it
        report, to_send, this_round = _plan(record.number, people, log, force, retry_failed)
        report.dry_run, report.subject = dry_run, copies.subject
        if dry_run:
            report.sent = [a.addr_spec for a in to_send]
            report.addressed = [str(a) for a in to_send]
            return report
        if not to_send:
            return report
        return _send_all(report, copies, mailer, log, to_send, this_round)


def _plan(number: int, people: list[Address], log: archive.SendLog, force: bool,
          retry_failed: bool) -> tuple[SendReport, list[Address], int]:
    """Who gets a copy in this run, and in which round (a forced resend starts a new round, so that
    an interrupted resend resumes instead of starting over)."""
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
    return report, to_send, current


def _served(entry: dict | None, current: int) -> bool:
    return bool(entry) and entry.get("status") == "sent" and _round(entry) == current


def _send_all(report: SendReport, copies: _Copies, mailer: _Mailer, log: archive.SendLog, to_send: list[Address],
              this_round: int) -> SendReport:
    try:
        mailer.open()
    except _Stop as e:
        raise NotepressError(str(e))
    total, domain = len(to_send), mailer.sender.domain
    try:
        for i, to in enumerate(to_send, 1):
            label = f"[{i}/{total}]"
            message_id, data = copies.build(to, domain)
            try:
                result = mailer.deliver(to, data, copies.eight_bit, label)
            except _Stop as e:
                if i == 1:
                    raise NotepressError(str(e))
                report.unserved = [a.addr_spec for a in to_send[i - 1:]]
                report.stopped = str(e)
                mailer.progress(f"{label} stopped: {e}")
                break
            entry = {"status": result.status, "code": result.code, "error": result.error,
                     "message_id": message_id, "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
            if this_round > 1:
                entry["round"] = this_round
            log.record(to.addr_spec, entry)
            if result.status == "sent":
                report.sent.append(to.addr_spec)
                mailer.progress(f"{label} sent to {to.addr_spec}")
            else:
                report.failed.append(result)
                mailer.progress(f"{label} failed for {to.addr_spec}: {_why(result)}")
    finally:
        mailer.quit()
    return report


def _send_test(number: int, copies: _Copies, mailer: _Mailer, test_address: str, dry_run: bool) -> SendReport:
    to = parse_address(test_address)
    if to is None:
        raise NotepressError(Problem("", 0, "--test", f"{test_address!r} is not a valid address", "write you@example.com"))
    report = SendReport(number, dry_run=dry_run, test=True)
    if dry_run:
        report.sent = [to.addr_spec]
        return report
    _, data = copies.build(to, mailer.sender.domain, subject=f"[TEST] {copies.subject}")
    try:
        mailer.open()
        result = mailer.deliver(to, data, copies.eight_bit, "[test]")
    except _Stop as e:
        raise NotepressError(str(e))
    finally:
        mailer.quit()
    if result.status == "sent":
        report.sent.append(to.addr_spec)
    else:
        report.failed.append(result)
    return report
