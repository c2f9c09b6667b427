"""Builds under faults as real machines produce them: two builds at once, a killed build and its
engine, Ctrl+C, a read-only site/ and site/ as a mount point. From `notepress init`, real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from e2e_helpers import as_in_a_terminal
from notepress.output import swap_in

NOTEPRESS = [sys.executable, "-c", "from notepress.cli import main; main()"]
COMPLETE = ("index.html", "404.html", "sitemap.xml", "feed_rss_created.xml")  # what a whole site has, on both engines


def start(root: Path, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([*NOTEPRESS, "-C", str(root), *args], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            preexec_fn=as_in_a_terminal)


def wait_for(condition, *, timeout: float = 60, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def complete(site: Path) -> bool:
    return all((site / name).exists() for name in COMPLETE)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    """A process's command line, "" once it has ended (a short-lived child: git, say)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.site
def test_two_builds_at_once_both_succeed_one_after_the_other_and_leave_a_whole_site(init_copy, tmp_path):
    """The second starts while the first builds (the lock itself: the next test)."""
    first = start(init_copy, "build", log=tmp_path / "first.log")
    wait_for(lambda: "Building the site" in (tmp_path / "first.log").read_text(), what="the first build")
    second = start(init_copy, "build", log=tmp_path / "second.log")
    assert first.wait(120) == 0, (tmp_path / "first.log").read_text()
    assert second.wait(120) == 0, (tmp_path / "second.log").read_text()
    said = (tmp_path / "second.log").read_text() + (tmp_path / "first.log").read_text()
    assert "Traceback" not in said
    assert complete(init_copy / "site")
    assert not [p.name for p in init_copy.iterdir() if p.name.startswith(".site.")]  # no staging folder left
    again = subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build"], capture_output=True, text=True)
    assert again.returncode == 0 and "nothing changed" in again.stderr  # the record matches the site in place


@pytest.mark.site
def test_a_killed_zensical_build_takes_its_engine_with_it_and_the_next_build_cleans_up(init_copy, tmp_path):
    build = start(init_copy, "build", "--engine", "zensical", log=tmp_path / "killed.log")
    engine = wait_for(lambda: [c for c in children(build.pid) if "zensical" in cmdline(c)], what="Zensical to start")[0]
    build.send_signal(signal.SIGKILL)
    build.wait(30)
    wait_for(lambda: not alive(engine), timeout=10, what="the orphaned Zensical process to end")
    # The staging folder the killed build left (unless Zensical's --clean had just removed it)
    left = [p.name for p in init_copy.iterdir() if p.name.startswith(".site.building")]
    result = subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build", "--engine", "zensical"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in left:
        assert f"notepress: removed {name}/, left by an interrupted build" in result.stderr.splitlines()
    assert complete(init_copy / "site")
    assert not [p.name for p in init_copy.iterdir() if p.name.startswith(".site.")]


@pytest.mark.site
def test_ctrl_c_stops_a_build_and_says_the_site_in_place_is_the_last_good_one(init_copy, tmp_path):
    assert subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build"], capture_output=True).returncode == 0
    before = sorted(p.relative_to(init_copy).as_posix() for p in (init_copy / "site").rglob("*"))
    essay = next((init_copy / "posts" / "essays").glob("*.md"))
    essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build = start(init_copy, "build", log=tmp_path / "build.log")
    wait_for(lambda: "Building the site" in (tmp_path / "build.log").read_text(), what="the build to start")
    build.send_signal(signal.SIGINT)
    assert build.wait(30) == 130
    said = (tmp_path / "build.log").read_text()
    assert "Traceback" not in said and "Aborted!" not in said
    assert "site: interrupted: site/ was left as it was (the last good site) (run notepress build again to finish)" \
        in said.splitlines(), said
    assert sorted(p.relative_to(init_copy).as_posix() for p in (init_copy / "site").rglob("*")) == before


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting is not allowed here: {done.stderr.strip()}")


@pytest.mark.site
def test_a_read_only_site_is_refused_before_any_work_and_a_mounted_one_is_written_in_place(init_copy):
    site = init_copy / "site"
    site.mkdir()
    _mount("-t", "tmpfs", "-o", "size=32m", "tmpfs", str(site))
    try:
        (site / "old.html").write_text("the last site")
        _mount("-o", "remount,ro", str(site))
        refused = subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build"], capture_output=True, text=True)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert refused.stderr.splitlines()[0] == (
            "site: the folder site/ is written in is on a read-only file system (build in a writable copy of the "
            "repo, or set site_dir in mkdocs.yml to a writable folder)")
        assert not (init_copy / ".notepress").exists()  # refused before anything was generated
        _mount("-o", "remount,rw", str(site))
        built = subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build"], capture_output=True, text=True)
        assert built.returncode == 0, built.stderr
        assert os.path.ismount(site) and complete(site) and not (site / "old.html").exists()
        assert not [p.name for p in init_copy.iterdir() if p.name.startswith(".site.")]
    finally:
        subprocess.run(["umount", "-l", str(site)], capture_output=True)


def test_the_swap_never_leaves_a_moment_without_a_whole_site(tmp_path):
    """A reader (a web server, a deploy) polling site/ while builds are swapped in: it is always
    there and whole, the old one or the new one."""
    tmp_path = tmp_path / "repo"
    tmp_path.mkdir()
    final = tmp_path / "site"
    seen: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append((final / "index.html").read_text())
            except OSError:
                seen.append("missing")

    def stage(n: int) -> Path:
        folder = tmp_path / f".site.building-{n}"
        folder.mkdir()
        for i in range(200):
            (folder / f"page-{i}.html").write_text("x")
        (folder / "index.html").write_text(f"build {n}")
        return folder

    swap_in(stage(0), final)
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(1, 20):
            swap_in(stage(n), final)
    finally:
        stop.set()
        thread.join()
    assert "missing" not in seen and len(set(seen)) > 1
    assert (final / "index.html").read_text() == "build 19" and len(list(tmp_path.iterdir())) == 1


@pytest.mark.site
def test_a_build_waits_while_another_process_holds_the_repos_build_lock(init_copy, tmp_path):
    """The lock itself, deterministically: held here, a build says whose it is and waits; released,
    the build goes on. (A killed holder releases it too: the system drops a dead process's lock.)"""
    import fcntl

    lock = init_copy / ".notepress" / "build.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(str(os.getpid()))
        held.flush()
        build = start(init_copy, "build", log=tmp_path / "build.log")
        wait_for(lambda: f"waiting for the build of process {os.getpid()} in this repo to finish"
                 in (tmp_path / "build.log").read_text(), what="the build to wait for the lock")
        assert build.poll() is None and not (init_copy / "site").exists()
    assert build.wait(120) == 0, (tmp_path / "build.log").read_text()
    assert complete(init_copy / "site")


def test_a_site_set_aside_by_an_interrupted_two_step_swap_is_put_back_not_removed(init_copy):
    """Where the one-step exchange is not supported, a swap is two renames; a build killed between
    them leaves no site/ and the last good one at .site.old: the next build starts from it."""
    (init_copy / ".site.old").mkdir()
    (init_copy / ".site.old" / "index.html").write_text("the last good site")
    (init_copy / "notepress.yml").write_text("redact: sometimes\n")  # this build stops on an error
    result = subprocess.run([*NOTEPRESS, "-C", str(init_copy), "build"], capture_output=True, text=True)
    assert result.returncode == 1
    assert (init_copy / "site" / "index.html").read_text() == "the last good site"
    assert not (init_copy / ".site.old").exists()  # put back, not deleted
