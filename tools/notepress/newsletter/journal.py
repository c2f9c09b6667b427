"""The send journal of an issue: one line per event, appended as it happens, never rewritten.

    newsletters/007-2026-11-22/send-journal.jsonl
    {"event":"attempt","to":"ann@example.com","message_id":"<7.1.3f…@example.com>","at":"2026-11-22T10:00:00+00:00"}
    {"event":"sent","to":"ann@example.com","code":250,"at":"2026-11-22T10:00:00+00:00"}
    {"event":"failed","to":"bob@example.com","code":550,"error":"mailbox unavailable","at":"…"}

    state = read(folder)                  # recipient -> where they are; what a resume starts from
    with Journal(folder, state) as journal:
        journal.attempt("ann@example.com", message_id, 1)   # on disk (fsync'd) before the copy goes out
        journal.outcome(delivery, 1)                         # written at once; made durable by the next attempt

The events of a resend with --force carry `"round": 2` (3…). A recipient's last event says where
they are: "sent", "failed", or "unknown": an attempt with no outcome, because the sender was killed
(or lost the disk) while the copy was with the server, so it may have been delivered. The next run
sends it again with the Message-ID of that attempt (send.py decides; receivers collapse copies with
one Message-ID). A copy is handed to SMTP only once its attempt is on disk, so an attempt that could
not be written means nothing was sent; and its outcome is written into room reserved with the
attempt (fallocate, where the file system has it), so a full disk stops the send before a message,
not after one.

A kill during a write leaves a torn last line (no newline): it is ignored, and cut off by the next
sender before it appends. Issues sent before the journal have `send-log.json` (one object rewritten
after every recipient): it is read as the state before the journal's first line, and never written.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..problems import NotepressError, Problem
from .backends import Delivery, Stop

JOURNAL = "send-journal.jsonl"
LEGACY = "send-log.json"
EVENTS = ("attempt", "sent", "failed")
CHUNK = 16 * 1024  # room reserved ahead at a time
OUTCOME_ROOM = 1536  # an outcome line beyond its attempt's size: a 200-character error, every character escaped


class JournalError(Stop):
    """The journal cannot be written (a full disk, a read-only folder): nothing more may be sent."""


@dataclass
class State:
    """Where each recipient is, as the journal (and an older send-log.json) says. `entries` maps an
    address to {"status": "sent" | "failed" | "unknown", "code", "error", "message_id", "at"} and
    "round" (2, 3…) for a resend; `length` is the size of the journal's complete lines."""
    entries: dict[str, dict] = field(default_factory=dict)
    length: int = 0
    keys: dict[str, str] = field(default_factory=dict)  # lower case -> the address as first written

    def get(self, address: str) -> dict | None:
        key = self.keys.get(address.lower())
        return None if key is None else self.entries[key]

    def apply(self, event: dict) -> None:
        key = self.keys.setdefault(event["to"].lower(), event["to"])
        entry = {"status": "unknown" if event["event"] == "attempt" else event["event"],
                 "code": event.get("code"), "error": event.get("error", ""), "at": event.get("at", "")}
        before = self.entries.get(key) or {}
        same_round = before.get("round", 1) == event.get("round", 1)
        entry["message_id"] = event.get("message_id") or (before.get("message_id", "") if same_round else "")
        if event.get("round", 1) > 1:
            entry["round"] = event["round"]
        self.entries[key] = entry


def read(folder: Path) -> State:
    """The state of an issue's sending: send-log.json if an earlier notepress wrote one, then every
    complete line of the journal in order. A line that is complete but not an event is an error."""
    state = State()
    legacy = folder / LEGACY
    if legacy.exists():
        try:
            old = json.loads(legacy.read_text(encoding="utf-8"))["recipients"]
        except (OSError, ValueError, KeyError) as e:
            raise NotepressError(Problem(str(legacy), 0, "", f"unreadable send log ({e}); restore it from git "
                                         "before sending again"))
        for address, entry in old.items():
            state.keys.setdefault(address.lower(), address)
            state.entries[state.keys[address.lower()]] = dict(entry)
    path = folder / JOURNAL
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return state
    except OSError as e:
        raise NotepressError(Problem(str(path), 0, "", f"unreadable send journal ({e.strerror or e})"))
    state.length = data.rfind(b"\n") + 1  # what follows the last newline is a torn write: ignored
    for number, line in enumerate(data[:state.length].splitlines(), 1):
        if line.strip():
            state.apply(_event(line, path, number))
    return state


def _event(line: bytes, path: Path, number: int) -> dict:
    try:
        event = json.loads(line)
        if event["event"] in EVENTS and isinstance(event["to"], str) and isinstance(event.get("round", 1), int):
            return event
        problem = "not a send event"
    except (ValueError, KeyError, TypeError) as e:
        problem = f"not a send event ({e})"
    raise NotepressError(Problem(str(path), number, "", problem, "restore the file from git before sending again"))


class Journal:
    """Appends events to an issue's journal. One writer at a time: send.py holds the issue's lock.

    The file is opened (made, the first time) at the first event, so a run that sends nothing writes
    nothing; opening it cuts off a torn last line (from a kill mid-write). `shown` names the folder
    in errors."""

    def __init__(self, folder: Path, state: State, shown: str = ""):
        self.folder, self.path, self.shown = folder, folder / JOURNAL, f"{shown or folder}/{JOURNAL}"
        self.fd = -1
        self.allocate = True  # reserve room ahead, where the file system can
        self.size = self.reserved = state.length

    def _open(self) -> None:
        created = not self.path.exists()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        if os.fstat(self.fd).st_size > self.size:
            os.ftruncate(self.fd, self.size)
        if created:
            _sync_folder(self.folder)  # the new file's name survives a crash too

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Give back the room reserved and not used, and close."""
        if self.fd >= 0:
            if self.reserved > self.size:
                try:
                    os.ftruncate(self.fd, self.size)
                except OSError:
                    pass
            os.close(self.fd)
            self.fd = -1

    def attempt(self, address: str, message_id: str, round: int) -> None:
        """Record that `address`'s copy, `message_id`, is about to be handed to SMTP, with room for its
        outcome, and make it durable. Raises JournalError (nothing is to be sent) when it cannot."""
        line = _line({"event": "attempt", "to": address, "message_id": message_id, **_round(round), "at": _now()})
        try:
            if self.fd < 0:
                self._open()
            self._reserve(2 * len(line) + OUTCOME_ROOM)
        except OSError as e:
            raise JournalError(self._cannot(e)) from None
        self._append(line, durable=True)  # also makes the previous outcome durable

    def outcome(self, result: Delivery, round: int) -> None:
        """Record a copy's result (written at once: a kill of the process cannot lose it; the next
        attempt's fsync makes it durable against a power cut). Raises JournalError when it cannot."""
        event = {"event": result.status, "to": result.address, "code": result.code}
        if result.error:
            event["error"] = result.error
        self._append(_line({**event, **_round(round), "at": _now()}), durable=False)

    def _append(self, line: bytes, durable: bool) -> None:
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self.fd, view):]
            if durable:
                os.fsync(self.fd)
        except OSError as e:
            try:  # no torn line left behind; a reader would skip it anyway
                os.ftruncate(self.fd, self.size)
            except OSError:
                pass
            raise JournalError(self._cannot(e)) from None
        self.size += len(line)

    def _reserve(self, need: int) -> None:
        """Make sure the next `need` bytes have room on disk, reserving CHUNK at a time (the last
        scraps of a nearly full disk too); OSError(ENOSPC) when not even `need` is left. Where the
        file system cannot reserve, appends go without (a full disk then fails a write instead)."""
        if not self.allocate or self.size + need <= self.reserved:
            return
        for length in (max(need, CHUNK), need):
            try:
                _fallocate(self.fd, self.size, length)
                self.reserved = self.size + length
                return
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EDQUOT):  # not supported here: plain appends
                    self.allocate = False
                    return
                if length == need:
                    raise

    def _cannot(self, e: OSError) -> str:
        return f"cannot write {self.shown} ({e.strerror or e})"


def _line(event: dict) -> bytes:
    return (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _round(number: int) -> dict:
    return {"round": number} if number > 1 else {}


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_FALLOCATE = []


def _fallocate(fd: int, offset: int, length: int) -> None:
    """Reserve [offset, offset + length) of the file without changing its size (Linux's
    FALLOC_FL_KEEP_SIZE); OSError(ENOTSUP) where there is no such call."""
    if not _FALLOCATE:
        try:
            import ctypes

            call = ctypes.CDLL(None, use_errno=True).fallocate
            call.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
            _FALLOCATE.append((call, ctypes))
        except (OSError, AttributeError):
            _FALLOCATE.append(None)
    if _FALLOCATE[0] is None:
        raise OSError(errno.ENOTSUP, os.strerror(errno.ENOTSUP))
    call, ctypes = _FALLOCATE[0]
    keep_size = 1
    if call(fd, keep_size, offset, length) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
