"""Dates from git history: one `git log` for the whole tree; uncommitted files and trees outside
git fall back to file times; a public post shows the date as `updated`."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import yaml

from notepress import api, gitdates

ENTRY = """---
title: {title}
date: 2026-09-01
type: essay
audience: public
---
Body of {title}.
"""
OLD = dt.datetime(2026, 1, 2, 12, tzinfo=dt.timezone.utc)


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def write(root: Path, name: str, title: str) -> Path:
    path = root / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ENTRY.format(title=title))
    os.utime(path, (OLD.timestamp(), OLD.timestamp()))
    return path


def test_dates_come_from_the_last_commit_or_the_file_time(tmp_path):
    root = tmp_path
    git(root, "init", "-q")
    a = write(root, "a.md", "Alpha")
    b = write(root, "b.md", "Beta")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first", when="2026-10-01T10:00:00+00:00")
    b.write_text(ENTRY.format(title="Beta, revised"))
    git(root, "commit", "-qam", "second", when="2026-10-05T10:00:00+00:00")
    c = write(root, "c.md", "Gamma")  # untracked: its file time
    a.write_text(ENTRY.format(title="Alpha, edited"))  # modified, not committed: its file time
    os.utime(a, (OLD.timestamp(), OLD.timestamp()))

    dates = gitdates.last_changed(root, root / "posts", [a, b, c])

    assert dates == {a: dt.date(2026, 1, 2), b: dt.date(2026, 10, 5), c: dt.date(2026, 1, 2)}


def test_outside_git_every_date_is_the_file_time(tmp_path):
    a = write(tmp_path, "a.md", "Alpha")
    assert gitdates.last_changed(tmp_path, tmp_path / "posts", [a]) == {a: dt.date(2026, 1, 2)}


def test_one_git_log_for_any_number_of_entries(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q")
    paths = [write(tmp_path, f"e{i:03d}.md", f"Entry {i}") for i in range(200)]
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "all", when="2026-10-01T10:00:00+00:00")
    calls = []
    real = subprocess.run
    monkeypatch.setattr(gitdates.subprocess, "run", lambda *a, **k: calls.append(a[0]) or real(*a, **k))

    dates = gitdates.last_changed(tmp_path, tmp_path / "posts", paths)

    assert set(dates.values()) == {dt.date(2026, 10, 1)} and len(dates) == 200
    assert len(calls) == 3  # rev-parse, log, status: not one per file


def test_a_public_post_shows_when_its_source_last_changed(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path, "essay.md", "An essay")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "essay", when="2026-10-09T10:00:00+00:00")

    api.generate_blog(tmp_path)

    text = (tmp_path / ".notepress/docs/blog/posts/essay.md").read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["date"] == {"created": dt.date(2026, 9, 1), "updated": dt.date(2026, 10, 9)}


def test_a_change_after_the_projects_day_shows_as_that_day(tmp_path):
    """The one clock: a source changed after the day notepress publishes for (NOTEPRESS_TODAY, or a
    file time ahead of it) is shown as updated on that day, never later."""
    from e2e_helpers import TODAY

    path = write(tmp_path, "essay.md", "An essay")
    later = dt.datetime.combine(TODAY + dt.timedelta(days=10), dt.time(12), dt.timezone.utc).timestamp()
    os.utime(path, (later, later))

    api.generate_blog(tmp_path)

    text = (tmp_path / ".notepress/docs/blog/posts/essay.md").read_text()
    assert yaml.safe_load(text.split("---\n")[1])["date"]["updated"] == TODAY
