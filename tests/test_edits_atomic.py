"""Edits that are atomic and honest (issue 19), on real processes, from `notepress init`.

A check-in killed (SIGKILL) or interrupted (Ctrl-C: SIGINT) at a point the test observes (the commands
loading, a temporary file appearing, the new entry appearing) is finished by running it again: one
check-in, the earlier step closed, `check` clean, no temporary file in posts/ nor anywhere `git add -A`
would take it, no traceback. The state a kill between the two writes leaves (the new entry written,
the earlier step open) is also made exactly, and run again. An edit keeps a private entry's 0600 at
every moment, watched by another process; a read-only entry is refused in one line naming the fix.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e_helpers import TODAY, as_in_a_terminal, init_entry, output, run_cli
from notepress.entries import read_entries
from notepress.project import Project
from notepress.review.nextsteps import mark_done

NOTEPRESS = Path(sys.executable).parent / "notepress"
EARLIER = "five-support-calls-in-one-week"  # init's learning entry, its next step open
CHECKIN = ("checkin", "--on", EARLIER, "--yes", "--did", "--learning", "Listening groups problems by the job",
           "--next-step", "Bring the setup theme to planning", "--title", "Listened to five calls")
DONE = re.compile(rf"^next_step_done: {TODAY.isoformat()}\b", re.M)


@pytest.fixture
def repo(init_copy, empty_git_config) -> Path:
    """init's repo in git, so that `git status` shows what `git add -A` would take."""
    subprocess.run(["git", "init", "-q", str(init_copy)], check=True)
    return init_copy


@pytest.fixture
def earlier(repo) -> Path:
    return repo / init_entry(repo, "learning")


def checkins(repo: Path) -> list[str]:
    """The entries of today that check in on EARLIER (linking back to it)."""
    return sorted(p.name for p in (repo / "posts" / "learning").glob(f"{TODAY.isoformat()}-*.md")
                  if f"“[[{EARLIER}]]”" in p.read_text(encoding="utf-8"))


def strays(repo: Path) -> list[str]:
    """Temporary files where notepress's reader or git would see them: any dot-file in posts/, and
    anything `git add -A` would add that is not an entry or a file init wrote."""
    hidden = [p.relative_to(repo).as_posix() for p in (repo / "posts").rglob(".*")]
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "-uall"], capture_output=True,
                            text=True, check=True).stdout
    added = [line[3:] for line in status.splitlines() if ".tmp" in line or "/." in line[3:]]
    return hidden + added


def assert_finished(repo: Path, earlier: Path, closed: re.Pattern = DONE) -> None:
    assert len(checkins(repo)) == 1, checkins(repo)
    assert closed.search(earlier.read_text(encoding="utf-8"))
    checked = run_cli("-C", str(repo), "check")
    assert checked.exit_code == 0, output(checked)
    assert strays(repo) == []


def run_again(repo: Path) -> None:
    """The same command again: it finishes an interrupted check-in, or says the step is closed."""
    again = run_cli("-C", str(repo), *CHECKIN)
    assert again.exit_code == 0 or "that step is closed already" in again.stderr, output(again)


def loading(repo: Path, proc: subprocess.Popen) -> bool:
    """The process is importing the commands (PyYAML's C extension is mapped: half way through)."""
    try:
        return "/_yaml." in Path(f"/proc/{proc.pid}/maps").read_text()
    except OSError:
        return False


def interrupt_when(repo: Path, when, sig: int) -> tuple[int, str]:
    """Start `notepress checkin` and send `sig` as soon as `when(repo, proc)` is seen (polling, 20 s
    at most). Returns its exit code and stderr."""
    proc = subprocess.Popen([str(NOTEPRESS), "-C", str(repo), *CHECKIN], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=as_in_a_terminal)
    deadline = time.monotonic() + 20
    try:
        while proc.poll() is None and not when(repo, proc):
            assert time.monotonic() < deadline, "the point to interrupt at never came"
        assert proc.poll() is None, "it ended before the point to interrupt at"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    return proc.returncode, err


STRACE = shutil.which("strace")
needs_strace = pytest.mark.skipif(  # tools/install.sh installs it; a container may forbid ptrace
    STRACE is None or subprocess.run([STRACE, "-qq", "-o", "/dev/null", "true"]).returncode != 0,
    reason="strace (Debian's), which stops a process at a system call, is missing or not allowed here")
NEW = f"posts/learning/{TODAY.isoformat()}-listened-to-five-calls.md"  # where the check-in goes
AT = {  # where strace sends the signal: on entering the first of these system calls
    "the new entry's first byte": ("-P", NEW, "write,link,linkat"),  # the entry written or linked into posts/
    "the earlier entry replaced": ("rename,renameat,renameat2",),  # the first rename: its edit (caches warm)
}


def interrupt_at(repo: Path, at: str, sig: str) -> tuple[int, str]:
    """Run `notepress checkin` under strace, which sends `sig` when it enters the system call `at`
    names. Returns its exit code and stderr."""
    *path, calls = AT[at]
    path = [path[0], str(repo / path[1])] if path else []
    if not path:  # the caches written first, by a process like the one traced (the tests' own go
        # elsewhere), so that the only rename left is the edit's
        subprocess.run([str(NOTEPRESS), "-C", str(repo), "check"], capture_output=True, check=True)
    done = subprocess.run([STRACE, "-qq", "-o", "/dev/null", *path, "-e", f"trace={calls}", "-e",
                           f"inject={calls}:signal={sig}:when=1", str(NOTEPRESS), "-C", str(repo), *CHECKIN],
                          capture_output=True, text=True, timeout=60, preexec_fn=as_in_a_terminal)
    return done.returncode, done.stderr


def between(repo: Path, earlier: Path) -> None:
    """Stopped between the two writes: the check-in whole in posts/, the earlier step still open."""
    assert checkins(repo) == [Path(NEW).name]
    assert not DONE.search(earlier.read_text(encoding="utf-8"))


@needs_strace
@pytest.mark.parametrize("at", AT)
def test_a_checkin_killed_at_a_write_is_finished_by_running_it_again(repo, earlier, at):
    code, _ = interrupt_at(repo, at, "KILL")

    assert code == -signal.SIGKILL
    assert all(p.stat().st_size for p in repo.glob("posts/**/*.md"))  # never an empty or partial entry
    assert strays(repo) == []  # a temporary file left by the kill is where git and the reader do not look
    if at == "the new entry's first byte":
        assert checkins(repo) == []  # not yet linked into posts/
    else:
        between(repo, earlier)
    run_again(repo)
    assert_finished(repo, earlier)


@needs_strace
def test_ctrl_c_between_the_two_writes_says_how_to_finish_and_running_again_does(repo, earlier):
    code, err = interrupt_at(repo, "the new entry's first byte", "INT")

    assert code == 130
    assert err.endswith("notepress: interrupted: run `notepress checkin` again to finish the check-in "
                        "(an entry it wrote is kept, not written twice)\n"), err
    between(repo, earlier)
    assert strays(repo) == []
    run_again(repo)
    assert_finished(repo, earlier)


def test_ctrl_c_while_the_commands_load_is_one_line_not_a_traceback(repo, earlier):
    code, err = interrupt_when(repo, loading, signal.SIGINT)

    assert (code, err) == (130, "\nAborted!\n")
    assert checkins(repo) == [] and strays(repo) == []
    run_again(repo)
    assert_finished(repo, earlier)


def _checkin(repo: Path, *args: str):
    return run_cli("-C", str(repo), "checkin", "--yes", "--learning", "Listening groups problems by the job",
                   "--due", (TODAY + dt.timedelta(days=1)).isoformat(), *args)


@pytest.mark.parametrize("answers, line", [
    (("--did", "--next-step", "Bring it to planning"), f"next_step_done: {TODAY}"),
    (("--did-not", "--carry"), "next_step_carried: {slug}"),
    (("--did-not", "--no-carry", "--next-step", "Book the calls first"), "next_step_dropped: {slug}"),
])
def test_a_checkin_interrupted_between_its_two_writes_is_finished_not_written_again(repo, earlier, answers, line):
    before = earlier.read_bytes()
    first = _checkin(repo, *answers, "--title", "First try")
    assert first.exit_code == 0, output(first)
    written = first.stdout.splitlines()[-2]
    earlier.write_bytes(before)  # what a kill between the two writes leaves: the new entry, the step open

    # Run again, other answers, no --on: the new entry's own step (due tomorrow) comes first in the
    # list, yet the interrupted check-in is the one finished, and no second entry is written.
    again = _checkin(repo, "--did", "--next-step", "Something else", "--title", "Second try")

    assert again.exit_code == 0, output(again)
    rel = earlier.relative_to(repo).as_posix()
    slug = Path(written).stem.removeprefix(f"{TODAY.isoformat()}-")
    assert again.stdout.splitlines()[-2:] == [written, f"{rel}: {line.format(slug=slug)}"]
    assert f"{written}: the check-in on {EARLIER} written earlier today, kept" in again.stderr
    assert checkins(repo) == [Path(written).name]
    assert not list(repo.glob("posts/learning/*second-try*"))
    assert_finished(repo, earlier, re.compile(f"^{re.escape(line.format(slug=slug))}$", re.M))


def read_only_line(rel: str) -> str:
    return f"{rel}: is read-only, left as it is (chmod u+w {rel} to let notepress edit it)\n"


def test_next_done_refuses_a_read_only_entry_in_one_line(repo, earlier):
    before = earlier.read_bytes()
    earlier.chmod(0o444)

    done = run_cli("-C", str(repo), "next", "--done", EARLIER)

    assert done.exit_code == 1
    assert done.stderr == read_only_line(earlier.relative_to(repo).as_posix())
    assert earlier.read_bytes() == before and stat.S_IMODE(earlier.stat().st_mode) == 0o444


def test_a_checkin_on_a_read_only_entry_writes_nothing_then_finishes_once_writable(repo, earlier):
    earlier.chmod(0o444)

    refused = run_cli("-C", str(repo), *CHECKIN)

    assert refused.exit_code == 1
    assert refused.stderr == read_only_line(earlier.relative_to(repo).as_posix())
    assert checkins(repo) == [] and strays(repo) == []
    earlier.chmod(0o644)  # chmod u+w
    run_again(repo)
    assert_finished(repo, earlier)


POLLER = """
import os, stat, sys
path, stop = sys.argv[1:]
seen = {}
print("watching", flush=True)
while not os.path.exists(stop):
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = -1
    seen[mode] = seen.get(mode, 0) + 1
print(seen)
"""


def test_a_private_entry_stays_0600_at_every_moment_of_many_edits(repo, earlier, tmp_path):
    earlier.chmod(0o600)
    original = earlier.read_bytes()
    config = Project.open(repo).config
    entries, _ = read_entries(config, cache=False)
    stop = tmp_path / "stop"
    poller = subprocess.Popen([sys.executable, "-c", POLLER, str(earlier), str(stop)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert poller.stdout.readline() == "watching\n"
        for _ in range(150):
            assert mark_done(config, entries, EARLIER, TODAY).changed
            with open(earlier, "r+b") as f:  # the step open again, in place: the mode is not touched
                f.write(original)
                f.truncate()
        stop.touch()
        seen = eval(poller.communicate(timeout=20)[0])
    finally:
        poller.kill()
    assert set(seen) == {0o600}, {oct(m) if m >= 0 else "missing": n for m, n in seen.items()}
    assert sum(seen.values()) > 1000  # it was watching all along
    assert strays(repo) == []
