"""A shallow clone (CI's default checkout) has lost the history the posts' dates come from: its
oldest commit seems to add every file. gitdates says so, with the fix, instead of dating silently."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from notepress import gitdates

DAYS = ["2026-03-02T10:00:00+00:00", "2026-04-06T10:00:00+00:00", "2026-05-04T10:00:00+00:00"]
FIX = "(fetch the whole history: `fetch-depth: 0` for actions/checkout, or `git fetch --unshallow`)"


def git(cwd: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def origin(tmp_path, empty_git_config) -> Path:
    """A repo whose three posts were last changed on three different days, one commit each."""
    repo = tmp_path / "origin"
    (repo / "posts").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for name, day in zip("abc", DAYS):
        (repo / "posts" / f"{name}.md").write_text(f"---\ntitle: {name}\n---\nBody.\n", encoding="utf-8")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", f"add {name}", when=day)
    return repo


def clone(origin: Path, dest: Path, *depth: str) -> Path:
    git(origin.parent, "clone", "-q", *depth, origin.as_uri(), str(dest))
    return dest


def dates(repo: Path) -> dict[str, dt.date]:
    posts = sorted((repo / "posts").glob("*.md"))
    return {p.name: d for p, d in gitdates.last_changed(repo, repo / "posts", posts).items()}


def test_a_clone_of_depth_one_is_flagged_with_the_fix(origin, tmp_path):
    shallow = clone(origin, tmp_path / "shallow", "--depth", "1")

    assert gitdates.shallow_depth(shallow) == 1
    assert gitdates.shallow_depth(shallow / "posts") == 1  # from anywhere inside it
    assert gitdates.shallow_warning(shallow) == (
        "warning: this is a shallow git clone (depth 1): the 'updated' dates of posts come from its last "
        f"commit {FIX}")
    # what the warning is about: every post seems last changed by the one commit there
    assert set(dates(shallow).values()) == {dt.date(2026, 5, 4)}


def test_a_deeper_shallow_clone_says_how_deep(origin, tmp_path):
    shallow = clone(origin, tmp_path / "shallow", "--depth", "2")

    assert gitdates.shallow_depth(shallow) == 2
    assert gitdates.shallow_warning(shallow) == (
        "warning: this is a shallow git clone (depth 2): the 'updated' dates of posts come from its last "
        f"2 commits only {FIX}")


def test_a_full_clone_is_not_flagged_and_has_the_real_dates(origin, tmp_path):
    full = clone(origin, tmp_path / "full")

    assert gitdates.shallow_depth(full) is None
    assert gitdates.shallow_warning(full) is None
    assert dates(full) == {"a.md": dt.date(2026, 3, 2), "b.md": dt.date(2026, 4, 6), "c.md": dt.date(2026, 5, 4)}


def test_unshallowing_clears_the_warning(origin, tmp_path):
    shallow = clone(origin, tmp_path / "shallow", "--depth", "1")

    git(shallow, "fetch", "-q", "--unshallow")

    assert gitdates.shallow_warning(shallow) is None
    assert dates(shallow)["a.md"] == dt.date(2026, 3, 2)


def test_outside_git_nothing_is_flagged(tmp_path, empty_git_config, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no repo above tmp_path counts
    folder = tmp_path / "plain"
    folder.mkdir()

    assert gitdates.shallow_depth(folder) is None
    assert gitdates.shallow_warning(folder) is None


@pytest.mark.site
def test_a_build_in_a_shallow_clone_of_an_init_repo_warns_and_is_built_again_once_unshallowed(tmp_path, empty_git_config):
    """From `notepress init`: a second commit, a clone of depth 1 (CI's default), `build` warns; after
    `git fetch --unshallow` (HEAD unchanged) the next build is a whole one, without the warning."""
    from e2e_helpers import run_cli

    origin = tmp_path / "notes"
    assert run_cli("init", str(origin), "--name", "Notes", "--author", "Ana Li").exit_code == 0
    assert run_cli("-C", str(origin), "new", "essay", "What finance taught me").exit_code == 0  # a draft
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "a learning entry", when=DAYS[2])
    shallow = clone(origin, tmp_path / "ci", "--depth", "1")

    first = run_cli("-C", str(shallow), "build")
    assert first.exit_code == 0, first.output
    assert f"warning: this is a shallow git clone (depth 1): the 'updated' dates of posts come from its last commit {FIX}" \
        in first.stderr.splitlines()

    git(shallow, "fetch", "-q", "--unshallow")
    second = run_cli("-C", str(shallow), "build")
    assert second.exit_code == 0, second.output
    assert "nothing changed" not in second.output and "shallow git clone" not in second.output
