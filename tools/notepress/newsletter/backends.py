"""Where the copies of an issue go: a backend opens once, delivers one copy at a time, and closes.

    backend.open()                                            # raises Stop when it cannot
    delivery = backend.deliver(to, data, eight_bit, "[1/5]")  # "sent" or "failed"; Stop ends the run
    backend.close()

Two backends: `smtp.SmtpBackend` (one reused connection, retries with back-off) and `Collecting`,
which keeps every copy in memory: the dry run's backend, and one for tests that need no server.
Which recipients get a copy, and what is logged, is decided by send.py, never by a backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from typing import Protocol


@dataclass
class Delivery:
    address: str
    status: str  # "sent" | "failed" | "skipped"
    code: int | None = None
    error: str = ""


class Stop(Exception):
    """Sending cannot go on: the server is unreachable, refuses the login or the sender."""


class Backend(Protocol):
    def open(self) -> None:
        """Be ready to deliver; raises Stop when it cannot."""

    def deliver(self, to: Address, data: bytes, eight_bit: bool, label: str) -> Delivery:
        """Deliver one copy (`label` names it in progress messages, e.g. "[3/5]"); raises Stop when
        nothing more can be delivered."""

    def close(self) -> None:
        """Let go of whatever `open` took; safe to call when `open` failed."""


class Collecting:
    """Keeps every copy in `outbox` as (recipient, message) instead of sending it; every delivery
    succeeds. With `keep=False` the messages are dropped (b""): a dry run of a long list needs only
    the recipients, and every copy made."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.outbox: list[tuple[Address, bytes]] = []

    def open(self) -> None:
        pass

    def deliver(self, to: Address, data: bytes, eight_bit: bool, label: str) -> Delivery:
        self.outbox.append((to, data if self.keep else b""))
        return Delivery(to.addr_spec, "sent", 250)

    def close(self) -> None:
        pass
