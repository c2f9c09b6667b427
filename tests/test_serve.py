"""Plain `mkdocs serve` in a writing repo: shows the current posts/ with drafts marked, and rebuilds
when an entry changes, without a restart."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from e2e_helpers import TODAY, copy_example

MKDOCS = Path(sys.executable).parent / "mkdocs"
DRAFT_TITLE = "What gross margin taught me about roadmaps"
ESSAY = "posts/essays/2026-11-03-reconciliation-is-a-trust-problem.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def start_notepress_serve(root: Path, out: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`notepress -C ROOT serve -a 127.0.0.1:PORT ARGS` as a process of its own (this checkout's code),
    its output in `out`; returns the process and the preview's base URL."""
    import os

    import notepress

    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(notepress.__file__).parent.parent),
                                                        os.environ.get("PYTHONPATH", "")])}
    with out.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from notepress.cli import main; main()", "-C", str(root),
                                 "serve", "-a", f"127.0.0.1:{port}", *args], stdout=log, stderr=subprocess.STDOUT,
                                env=env)
    return proc, f"http://127.0.0.1:{port}/"


def stop(proc: subprocess.Popen, *, wait: bool = True) -> None:
    """As `kill` does, which notepress serve takes as Ctrl+C (MkDocs removes its temporary site folder,
    Zensical's server stops); killed if it hangs. (Not SIGINT: a process started in the background of
    a non-interactive shell, as on CI, may ignore it.) Without `wait` (a fixture's teardown, which
    checks nothing after it) the process is waited for in the background: MkDocs' server takes up to
    half a second to notice, time the next test need not spend idle."""
    def reap() -> None:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    if proc.poll() is None:
        proc.terminate()
        if wait:
            reap()
        else:
            threading.Thread(target=reap, daemon=True).start()


def wait_for(predicate, timeout: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError as e:  # server not up yet, or rebuilding
            last = e
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last error: {last})")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Plain `mkdocs serve -v` in a copy of the example repo: one for the module's tests, which run
    in order (the last one stops it)."""
    tmp_path = tmp_path_factory.mktemp("served")
    root = copy_example(tmp_path / "repo")
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:  # the process writes to its own copy of the file
        proc = subprocess.Popen([str(MKDOCS), "serve", "-v", "-a", f"127.0.0.1:{port}"], cwd=root,
                                stdout=log, stderr=subprocess.STDOUT)  # -v: the log names each change seen
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "<html" in fetch(base + "blog/"), what="mkdocs serve to start")
        yield root, base, lambda: stop(proc)
    finally:
        stop(proc)


def changes_seen(log: str) -> list[str]:
    """The files MkDocs' watcher reported changed, in order (`mkdocs serve -v` logs each event)."""
    return re.findall(r"Event\(src_path='([^']*)'", log)


def rebuilt_after_change(log_path: Path, name: str) -> bool:
    """Has a rebuild finished since the watcher reported the last change to a file ending in `name`?"""
    log = log_path.read_text()
    at = log.rfind(f"{name}', ")
    return at >= 0 and "Reloading browsers" in log[at:]


def test_mkdocs_serve_shows_posts_marks_drafts_and_follows_added_and_deleted_entries(served):
    root, base, _ = served
    index = fetch(base + "blog/")
    assert "Reconciliation is a trust problem" in index
    assert DRAFT_TITLE in index  # drafts are in the preview…
    assert "md-draft" in index  # …and marked as drafts in the listing
    draft_page = root / ".notepress/preview/blog/posts/what-margin-taught-me-about-roadmaps.md"
    assert DRAFT_TITLE in draft_page.read_text()
    assert "!!! warning \"Draft\"" in draft_page.read_text()  # and on the post page itself

    day = TODAY - dt.timedelta(days=2)
    new = root / "posts" / "essays" / f"{day}-a-brand-new-essay.md"
    new.write_text(f"---\ntitle: A brand new essay\ndate: {day}\ntype: essay\naudience: public\n---\n"
                   "Written while the preview was running.\n")
    wait_for(lambda: "A brand new essay" in fetch(base + "blog/"), what="the added entry")
    new.unlink()
    wait_for(lambda: "A brand new essay" not in fetch(base + "blog/"), what="the deleted entry to go")
    assert not (root / f".notepress/preview/blog/posts/{day}-a-brand-new-essay.md").exists()


def test_mkdocs_serve_rebuilds_when_an_entry_changes(served):
    root, base, _ = served
    log = root.parent / "serve.log"
    builds = log.read_text().count("Building documentation...")  # the first, and the earlier tests' changes
    essay = root / ESSAY
    text = essay.read_text()
    essay.write_text(text.replace("title: Reconciliation is a trust problem",
                                  "title: Reconciliation is a matter of trust"))
    wait_for(lambda: "Reconciliation is a matter of trust" in fetch(base + "blog/"), what="the new title")
    assert "Reconciliation is a trust problem" not in fetch(base + "blog/")
    # The post notepress wrote into .notepress/preview/ (the folder MkDocs builds from) during that rebuild
    # (done: the server answers only between builds) must not start another. Shown without waiting on
    # the clock: touch a watched file of docs/ and wait for its rebuild. MkDocs' polling watcher reports
    # every change under a watched folder at once, so had .notepress/preview/ been watched (MkDocs watches
    # the folder it builds from by default), the post written before the touch would be reported by
    # then too: the log would name it, and count a build more (or the same count, merged into one).
    os.utime(root / "docs" / "blog" / "index.md")
    wait_for(lambda: rebuilt_after_change(log, "/docs/blog/index.md"), what="the rebuild after the touch")
    said = log.read_text()
    assert [p for p in changes_seen(said) if "/.notepress/" in p] == []
    assert said.count("Building documentation...") == builds + 2, changes_seen(said)  # the entry's, the touch's

    # A build while the preview runs shares nothing with it: no draft published, and the preview's
    # next rebuild (after a save) still shows the drafts and the save, with no traceback.
    built = subprocess.run([sys.executable, "-c", "from notepress.cli import main; main()", "-C", str(root), "build"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert DRAFT_TITLE not in "".join(p.read_text(errors="replace") for p in (root / "site").rglob("*.html"))
    essay.write_text(essay.read_text().replace("title: Reconciliation is a matter of trust",
                                               "title: Reconciliation is about trust"))
    wait_for(lambda: "Reconciliation is about trust" in fetch(base + "blog/"), what="the preview's rebuild")
    assert DRAFT_TITLE in fetch(base + "blog/")
    assert "Traceback" not in log.read_text()


def test_a_draft_shown_by_serve_is_never_built(served):
    root, _, stop = served
    assert any(DRAFT_TITLE in p.read_text() for p in (root / ".notepress/preview/blog/posts").glob("*.md"))
    stop()  # the preview wrote the draft into .notepress/preview/, which no build reads
    result = subprocess.run([str(MKDOCS), "build"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    site_text = "".join(p.read_text(errors="replace") for p in (root / "site").rglob("*.html"))
    assert DRAFT_TITLE not in site_text
    assert not any(DRAFT_TITLE in p.read_text() for p in (root / ".notepress/docs/blog/posts").glob("*.md"))
