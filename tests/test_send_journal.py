"""The send journal (newsletter/journal.py) under faults: `notepress newsletter send` killed with
SIGKILL in the middle of a message and run again, a disk that fills during a send, a torn last
line. Real processes against a real aiosmtpd server (smtp_server.py) that can hold a message at a
chosen step, so that each kill lands at a known point: no sleeps, only waits with a deadline.

What a resume must give: every recipient exactly one copy, except one that was in flight when the
sender died (its copy with the server, no outcome written), who may get a second copy with the
same Message-ID, which mail systems collapse.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from smtp_server import LocalSmtpServer, _Handler
from test_newsletter_send import RECIPIENTS, folder, make_issue, repo_for, send

from notepress.newsletter import archive, journal
from notepress.newsletter.backends import Collecting
from notepress.newsletter.journal import JOURNAL, LEGACY
from notepress.newsletter.smtp import PASSWORD_ENV

NOTEPRESS = [sys.executable, "-c", "from notepress.cli import main; main()"]
DEADLINE = 30  # seconds: a bound on steps that take a fraction of one
SHOWN = f"newsletters/001-2026-11-22/{JOURNAL}"


class _Holding(_Handler):
    async def handle_RCPT(self, smtpd, session, envelope, address, rcpt_options):
        await self.server.step("RCPT")  # before the copy is accepted: not delivered
        return await super().handle_RCPT(smtpd, session, envelope, address, rcpt_options)

    async def handle_DATA(self, smtpd, session, envelope):
        reply = await super().handle_DATA(smtpd, session, envelope)  # stored: the copy is delivered
        await self.server.step("DATA")  # ...and the sender has not had the reply yet
        return reply


class HoldingServer(LocalSmtpServer):
    """Holds the nth RCPT or DATA (counted over every connection) until `release()`; `held` is
    set once the sender is waiting there."""

    def __init__(self):
        super().__init__()
        self._controller.handler = _Holding(self)
        self.seen = {"RCPT": 0, "DATA": 0}
        self.at: tuple[str, int] | None = None
        self.held, self.released = threading.Event(), threading.Event()

    def hold(self, step: str, n: int) -> None:
        self.at = (step, n)
        self.held.clear()
        self.released.clear()

    def release(self) -> None:
        self.at = None
        self.released.set()

    async def step(self, name: str) -> None:
        self.seen[name] += 1
        if self.at == (name, self.seen[name]):
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, DEADLINE)


@pytest.fixture
def server():
    with HoldingServer() as s:
        yield s


@pytest.fixture
def repo(tmp_path, server, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    return repo_for(tmp_path / "repo", server.port)


def events(root: Path) -> list[dict]:
    data = (folder(root) / JOURNAL).read_bytes()
    assert data.endswith(b"\n"), "a complete journal ends with a complete line"
    return [json.loads(line) for line in data.splitlines()]


def ids_received(server: LocalSmtpServer, addresses=RECIPIENTS) -> dict[str, list[str]]:
    return {a: [m["Message-ID"] for m in server.messages_for(a)] for a in addresses}


def attempted_ids(root: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in events(root):
        if e["event"] == "attempt":
            found.setdefault(e["to"], []).append(e["message_id"])
    return found


def start(root: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    return subprocess.Popen([*NOTEPRESS, "-C", str(root), "newsletter", "send", "1", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=DEADLINE)
    return proc.returncode, out, err


def kill_when_held(proc: subprocess.Popen, server: HoldingServer) -> None:
    """SIGKILL the sender once the server holds its message, then let the server go on."""
    held = server.held.wait(DEADLINE)
    if not held:
        proc.kill()
        pytest.fail(f"the send never reached the held message: {finish(proc)}")
    proc.send_signal(signal.SIGKILL)
    code, out, err = finish(proc)
    server.release()
    assert code == -signal.SIGKILL, (out, err)


# --- killed and resumed --------------------------------------------------------------------------


def test_a_killed_send_resumes_and_each_recipient_has_one_message_id(repo, server):
    """Killed with the 2nd copy delivered but unanswered, then (resumed) with the 4th recipient's copy
    at RCPT: the 2nd recipient gets the same message twice (same Message-ID), everyone else once."""
    make_issue(repo)
    server.hold("DATA", 2)
    kill_when_held(start(repo), server)
    after_first = {a: e["status"] for a, e in archive.read_log(folder(repo)).items()}
    assert after_first == {RECIPIENTS[0]: "sent", RECIPIENTS[1]: "unknown"}
    assert archive.is_sent(archive.find(repo / "newsletters", 1))

    server.hold("RCPT", 5)  # the resumed run: the 2nd again (3), the 3rd (4), the 4th held (5)
    kill_when_held(start(repo), server)
    assert archive.read_log(folder(repo))[RECIPIENTS[3]]["status"] == "unknown"

    code, out, err = finish(start(repo))

    assert code == 0 and "Traceback" not in out + err, (out, err)
    assert out.splitlines()[-1] == ("issue #1: sent 2, already served 3, in flight when a send stopped, sent again "
                                    f"with the same Message-ID 1 ({RECIPIENTS[3]})")
    received = ids_received(server)
    assert {a: len(ids) for a, ids in received.items()} == {a: 2 if a == RECIPIENTS[1] else 1 for a in RECIPIENTS}
    assert len(set(received[RECIPIENTS[1]])) == 1  # the second copy is the same message
    assert len({ids[0] for ids in received.values()}) == 5
    attempts = attempted_ids(repo)
    assert list(attempts) == RECIPIENTS
    assert [len(ids) for ids in attempts.values()] == [1, 2, 1, 2, 1]
    assert {a: set(ids) for a, ids in attempts.items()} == {a: set(ids) for a, ids in received.items()}
    assert {e["status"] for e in archive.read_log(folder(repo)).values()} == {"sent"}


def test_a_torn_attempt_is_ignored_and_cut_off(repo, server):
    """A kill while the 4th attempt was being written leaves half a line: nothing was sent for it
    (a copy goes out only after its attempt is written); the next run cuts it off and appends."""
    make_issue(repo)
    assert send(repo, recipients=RECIPIENTS[:3]).ok
    path = folder(repo) / JOURNAL
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"event":"attempt","to":"aisha.khan@ledgerly.example","messa')

    assert sorted(archive.read_log(folder(repo))) == sorted(RECIPIENTS[:3])
    resumed = send(repo)

    assert resumed.ok and resumed.sent == RECIPIENTS[3:] and not resumed.resent
    assert server.counts() == {a: 1 for a in RECIPIENTS}
    assert path.read_bytes().startswith(whole) and b"messa" + b"{" not in path.read_bytes()
    assert [e["to"] for e in events(repo) if e["event"] == "sent"] == RECIPIENTS


def test_a_torn_outcome_leaves_the_recipient_in_flight_and_resent_with_its_message_id(repo, server):
    """A kill while the last outcome was being written: that copy may have been delivered, so it
    is sent again, with the Message-ID its attempt recorded."""
    make_issue(repo)
    assert send(repo).ok
    path = folder(repo) / JOURNAL
    data = path.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    path.write_bytes(data[:last + 20])  # the kill left 20 bytes of the last line

    assert archive.read_log(folder(repo))[RECIPIENTS[4]]["status"] == "unknown"
    resumed = send(repo)

    assert resumed.ok and resumed.sent == resumed.resent == RECIPIENTS[4:]
    assert resumed.summary() == ("issue #1: sent 1, already served 4, in flight when a send stopped, sent again "
                                 f"with the same Message-ID 1 ({RECIPIENTS[4]})")
    twice = ids_received(server)[RECIPIENTS[4]]
    assert len(twice) == 2 and twice[0] == twice[1] == attempted_ids(repo)[RECIPIENTS[4]][0]


# --- a full disk ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (root only); skipped where it cannot be mounted: the injected full disk below
    still runs."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                                           capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` with one file, then give back `leave` bytes."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as e:
            assert e.errno == errno.ENOSPC
        f.truncate(max(0, f.tell() - leave))
    return filler


def test_a_disk_that_fills_stops_the_send_before_a_message_and_resume_serves_the_rest(repo, server, small_disk,
                                                                                        tmp_path):
    """The issue's folder on a 64 KiB tmpfs with 8 KiB left: the send stops when the journal cannot
    reserve room for the next attempt, before that copy goes out, with one line; freed, the same
    command serves exactly the others."""
    team = [f"reader{i:03d}@ledgerly.example" for i in range(120)]
    (repo / "team.csv").write_text("email\n" + "\n".join(team) + "\n", encoding="utf-8")
    drafted = make_issue(tmp_path / "elsewhere")
    target = folder(repo)
    target.parent.mkdir()
    target.symlink_to(small_disk)
    for path in drafted.iterdir():
        shutil.copy(path, small_disk / path.name)
    filler = fill(small_disk, 8192)

    code, out, err = finish(start(repo, "--recipients", str(repo / "team.csv")))

    assert code == 1 and "Traceback" not in out + err, (out, err)
    sent = [e["to"] for e in events(repo) if e["event"] == "sent"]
    assert 0 < len(sent) < len(team)
    assert out.splitlines()[-1] == (f"issue #1: sent {len(sent)}, not sent {len(team) - len(sent)} (cannot write "
                                    f"{SHOWN} (No space left on device); run the same command again to resume)")
    assert [r.rcpt_tos[0] for r in server.received] == sent == team[:len(sent)]  # every copy out is recorded
    assert [e["to"] for e in events(repo) if e["event"] == "attempt"] == sent  # nothing left in flight

    filler.unlink()
    code, out, err = finish(start(repo, "--recipients", str(repo / "team.csv")))

    assert code == 0, (out, err)
    assert out.splitlines()[-1] == f"issue #1: sent {len(team) - len(sent)}, already served {len(sent)}"
    assert server.counts() == {a: 1 for a in team}


class _FullDisk:
    """`os` as journal.py sees it, on a file system without fallocate that fills up: from the
    `after`-th write on, a write lands half its bytes and the rest fails with ENOSPC, as a full
    disk does."""

    def __init__(self, after: int):
        self.writes, self.after = 0, after

    def write(self, fd: int, data) -> int:
        self.writes += 1
        if self.writes < self.after:
            return os.write(fd, data)
        if self.writes == self.after and len(data) > 1:
            return os.write(fd, bytes(data[:len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(os, name)


def _unsupported(fd, offset, length):
    raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))


@pytest.mark.parametrize("failing", ["attempt", "outcome"])
def test_a_full_disk_without_reserved_room_stops_with_one_line(repo, server, monkeypatch, failing):
    """Where no room can be reserved, the write that fails decides: the 3rd attempt (nothing of
    it sent), or the 3rd outcome (delivered but not recorded: sent again with its Message-ID)."""
    make_issue(repo)
    disk = _FullDisk(after=5 if failing == "attempt" else 6)  # 2 writes per copy: attempt, outcome
    monkeypatch.setattr(journal, "_fallocate", _unsupported)
    monkeypatch.setattr(journal, "os", disk)
    progress = []

    report = send(repo, progress=progress.append)

    delivered = 2 if failing == "attempt" else 3
    assert [r.rcpt_tos[0] for r in server.received] == RECIPIENTS[:delivered]
    assert report.sent == RECIPIENTS[:delivered] and report.unserved == RECIPIENTS[delivered:] and not report.ok
    why = f"cannot write {SHOWN} (No space left on device)"
    if failing == "outcome":
        why += f"; {RECIPIENTS[2]}'s result is not recorded (the next run sends it again with the same Message-ID)"
    assert report.stopped == why and progress[-1] == f"[3/5] stopped: {why}"
    statuses = {a: e["status"] for a, e in archive.read_log(folder(repo)).items()}
    assert statuses == {**{a: "sent" for a in RECIPIENTS[:2]}, **({RECIPIENTS[2]: "unknown"} if failing == "outcome" else {})}
    events(repo)  # no torn line left behind

    monkeypatch.setattr(journal, "os", os)  # space freed
    resumed = send(repo)

    assert resumed.ok and resumed.sent == RECIPIENTS[2:]
    received = ids_received(server)
    assert {a: len(ids) for a, ids in received.items()} == {
        a: 2 if failing == "outcome" and a == RECIPIENTS[2] else 1 for a in RECIPIENTS}
    assert all(len(set(ids)) == 1 for ids in received.values())


def test_a_full_disk_at_the_first_attempt_sends_nothing(repo, server, monkeypatch):
    make_issue(repo)
    monkeypatch.setattr(journal, "_fallocate", _unsupported)
    monkeypatch.setattr(journal, "os", _FullDisk(after=1))

    with pytest.raises(Exception) as error:
        send(repo)

    assert str(error.value) == f"cannot write {SHOWN} (No space left on device); nothing was sent"
    assert server.received == [] and (folder(repo) / JOURNAL).read_bytes() == b""


# --- Message-IDs, the record's size, older archives ----------------------------------------------


def test_a_recipient_keeps_one_message_id_across_retries_and_runs_and_a_forced_resend_is_new(repo, server):
    make_issue(repo)
    server.reply_to_rcpt(RECIPIENTS[1], "451 4.3.0 try again later", times=4)  # the first try and 3 retries
    assert not send(repo).ok
    assert send(repo).sent == [RECIPIENTS[1]]
    first = ids_received(server)
    assert attempted_ids(repo)[RECIPIENTS[1]] == first[RECIPIENTS[1]] * 2  # two runs, one Message-ID

    again = send(repo, force=True)

    assert again.ok and again.sent == RECIPIENTS
    resent = {a: ids[1] for a, ids in ids_received(server).items()}
    assert not set(resent.values()) & {ids[0] for ids in first.values()}  # a resend is a new message
    assert {e.get("round") for e in archive.read_log(folder(repo)).values()} == {2}


def test_the_journal_is_appended_a_line_per_event_not_rewritten(repo):
    """300 recipients: about 200 bytes per recipient written in all (the rewritten log wrote the
    whole list again after each one: ~40 KB per recipient at this size, 500 KB at 5,000)."""
    make_issue(repo)
    people = [f"reader{i:03d}@ledgerly.example" for i in range(300)]
    io = Path("/proc/self/io")
    before = io.read_text() if io.exists() else ""
    assert send(repo, recipients=people[:150], backend=Collecting(keep=False)).ok
    path = folder(repo) / JOURNAL
    half, inode = path.read_bytes(), path.stat().st_ino

    assert send(repo, recipients=people, backend=Collecting(keep=False)).ok

    data = path.read_bytes()
    assert data.startswith(half) and path.stat().st_ino == inode  # appended in place
    assert len(events(repo)) == 600 and len(data) < 300 * len(people)
    if before:
        wchar = [int(line.split()[1]) for text in (before, io.read_text()) for line in text.splitlines()
                 if line.startswith("wchar:")]
        assert wchar[1] - wchar[0] < len(data) + 256 * 1024  # what was written: the journal, and little else


def test_an_issue_sent_before_the_journal_resumes_from_its_send_log(repo, server):
    make_issue(repo)
    legacy = {RECIPIENTS[0]: {"status": "sent", "code": 250, "error": "", "message_id": "<1@ledgerly.example>",
                              "at": "2026-11-22T10:00:00+00:00"},
              RECIPIENTS[1]: {"status": "failed", "code": 550, "error": "mailbox unavailable", "message_id": "",
                              "at": "2026-11-22T10:00:01+00:00"}}
    (folder(repo) / LEGACY).write_text(json.dumps({"recipients": legacy}, indent=1), encoding="utf-8")
    old = (folder(repo) / LEGACY).read_bytes()

    report = send(repo)

    assert report.sent == RECIPIENTS[2:] and report.skipped == RECIPIENTS[:1]
    assert [d.address for d in report.failed] == RECIPIENTS[1:2]  # a permanent failure stays one
    assert (folder(repo) / LEGACY).read_bytes() == old  # read, never written again
    assert {e["to"] for e in events(repo)} == set(RECIPIENTS[2:])
    log = archive.read_log(folder(repo))
    assert {a: e["status"] for a, e in log.items()} == {RECIPIENTS[0]: "sent", RECIPIENTS[1]: "failed",
                                                        **{a: "sent" for a in RECIPIENTS[2:]}}
    assert server.counts() == {a: 1 for a in RECIPIENTS[2:]}


def test_a_damaged_line_inside_the_journal_is_an_error_naming_it(repo, server):
    make_issue(repo)
    assert send(repo, recipients=RECIPIENTS[:2]).ok
    path = folder(repo) / JOURNAL
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"<<<<<<< HEAD\n" + b"".join(lines[1:]))

    with pytest.raises(Exception) as error:
        send(repo)

    assert str(error.value).startswith(f"{path}:2: not a send event (")
    assert str(error.value).endswith("(restore the file from git before sending again)")
    assert len(server.received) == 2
