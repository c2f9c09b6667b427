"""The copies of an archived issue: its `message.eml` readdressed, one copy per recipient.

    copies = Copies(folder, shown, headers(config, record))
    data = copies.build(to, message_id(record, 1, to.addr_spec, "example.com"))

The archived message's content (its MIME parts and their fields) is read and split once. The
Subject, From, Reply-To and List-* headers are made at send time from the current notepress.yml,
and each copy gets its own To, Date and Message-ID. A recipient's Message-ID is derived from the
issue, the round and the address, so every retry and every resumed run sends them the same one
(receivers collapse copies with one Message-ID). Nothing here sends: see send.py.
"""

from __future__ import annotations

import hashlib
import re
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..config import CONFIG_FILE, Config
from ..mail import domain_key, parse_address
from ..problems import NotepressError, Problem
from . import archive
from .render import list_headers, one_line

MESSAGE = "message.eml"
REPLACED = {b"to", b"cc", b"bcc", b"date", b"message-id", b"from", b"sender", b"reply-to", b"subject", b"list-id",
            b"list-unsubscribe", b"list-unsubscribe-post"}


class Copies:
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

    def build(self, to: Address, message_id: str, subject: str | None = None) -> bytes:
        """The copy for `to`, with `message_id`. `subject` replaces the Subject (the test copy)."""
        own = _fold("To", str(to)) + _fold("Date", formatdate(localtime=True)) + _fold("Message-ID", message_id)
        head = self.head
        if subject is not None:
            head = head.replace(_fold("Subject", self.subject), _fold("Subject", subject), 1)
        return head + own + b"\r\n" + self.body


def message_id(record: archive.IssueRecord, round: int, address: str, domain: str) -> str:
    """The Message-ID of `address`'s copy of the issue in `round` (a resend with --force is round 2,
    a new message): the same for every attempt, in any run. Its left part is a digest, so it does
    not show the address; the right part is the sender's domain (in its IDNA form)."""
    seed = f"notepress\0{record.number}\0{record.created}\0{round}\0{address.lower()}"
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
    return f"<{record.number}.{round}.{digest}@{domain_key(domain) or 'notepress.invalid'}>"


def random_id(domain: str) -> str:
    """A new Message-ID: a test copy's, never collapsed with another."""
    return make_msgid(domain=domain_key(domain) or "notepress.invalid")


def missing_sender(config: Config) -> Problem | None:
    if parse_address(config.newsletter.sender or ""):
        return None
    return Problem(CONFIG_FILE, 0, "newsletter.sender", "missing",
                   'add `sender: "Your Name <you@example.com>"` under newsletter:, then send again')


def headers(config: Config, record: archive.IssueRecord) -> dict[str, str]:
    """Every header of the issue as notepress.yml says now (a draft made before the sender or the
    list was configured is sent right): the subject (the writer's own, from issue.md, as it is), then
    render.list_headers."""
    problem = missing_sender(config)
    if problem:
        raise NotepressError(problem)
    nl = config.newsletter
    if record.values and not record.own_subject:
        subject = one_line(nl.subject, {**record.values, "title": nl.title})
    else:
        subject = record.subject
    return {"Subject": " ".join(subject.split()), **list_headers(config)}


def _fold(name: str, value: str) -> bytes:
    """One header field, RFC 2047-encoded and folded when it needs to be (the email package's folding
    costs a third of a millisecond: most To, all Date and Message-ID fields fit on one ASCII line)."""
    if value.isascii() and len(name) + len(value) < 76 and "\r" not in value and "\n" not in value:
        return f"{name}: {value}\r\n".encode("ascii")
    return policy.SMTP.header_factory(name, value).fold(policy=policy.SMTP).encode("ascii")
