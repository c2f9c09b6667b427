"""The pre-commit hook, with the real pre-commit: a bad entry cannot be committed, a fixed one can, and
an entry that is not part of the commit (a half-written one, untracked) does not stop it.

The writing repo comes from `notepress init`; its .pre-commit-config.yaml uses `repo: local` with
`language: system`, so the `notepress` of this environment runs the check (no network needed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pre_commit  # noqa: F401  the real package (test extra), not a stand-in
import pytest
import yaml

from conftest import FIXTURES
from e2e_helpers import run_cli
from notepress.scaffold_repo import git_toplevel, init_repo

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
BAD = FIXTURES / "workflow" / "learning-bad-audience.md"
ENTRY = "posts/learning/2026-11-20-revenue-recognition.md"


def environment(folder: Path) -> dict:
    """`notepress` first on PATH, pre-commit's cache and git's config inside `folder`."""
    gitconfig = folder / "gitconfig"
    gitconfig.write_text("")
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.update(PATH=f"{BIN}{os.pathsep}{e.get('PATH', '')}", PRE_COMMIT_HOME=str(folder / "pre-commit-home"),
             GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_COLOR="never")
    return e


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The test's environment (see `environment`), also this process's while the test runs."""
    e = environment(tmp_path)
    for k, v in e.items():
        monkeypatch.setenv(k, v)
    return e


def installed(root: Path, env: dict) -> Path:
    """A writing repo from `notepress init` (git init included) with the hook installed by pre-commit."""
    if git_toplevel(root.parent) is not None:
        pytest.skip("the temporary folder is inside a git repository")
    init_repo(root, name="Notes", author="Maya Chen")
    assert (root / ".git").is_dir()
    run(["git", "config", "user.name", "Maya Chen"], root, env)
    run(["git", "config", "user.email", "maya@example.com"], root, env)
    run([sys.executable, "-m", "pre_commit", "install"], root, env)
    return root


@pytest.fixture
def repo(tmp_path, env):
    return installed(tmp_path / "notes", env)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    """A repo with the hook installed and init's files committed through it, once for the module."""
    folder = tmp_path_factory.mktemp("precommit")
    e = environment(folder)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in e.items():
            mp.setenv(k, v)
        root = installed(folder / "notes", e)
        first = commit(root, e, "scaffold", ".")
        assert first.returncode == 0, first.stdout + first.stderr
    return root


@pytest.fixture
def committed(scaffolded, tmp_path, env) -> Path:
    """A copy of `scaffolded` (its git history and installed hook too) for one test to commit in."""
    return Path(shutil.copytree(scaffolded, tmp_path / "notes", symlinks=True))


def run(args, cwd: Path, env: dict, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done


def commit(root: Path, env: dict, message: str, *paths: str) -> subprocess.CompletedProcess:
    run(["git", "add", "--", *paths], root, env)
    return run(["git", "commit", "-m", message], root, env, ok=False)


def commits(root: Path, env: dict) -> list[str]:
    return run(["git", "log", "--format=%s"], root, env).stdout.split()


def test_the_hook_rejects_a_bad_entry_and_accepts_the_fixed_one(repo, env):
    assert (repo / ".git" / "hooks" / "pre-commit").is_file()
    first = commit(repo, env, "scaffold", ".")
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"notepress check\.+Passed", first.stdout + first.stderr)

    (repo / ENTRY).write_bytes(BAD.read_bytes())
    rejected = commit(repo, env, "bad", ENTRY)

    out = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, out
    assert re.search(r"notepress check\.+Failed", out)
    assert (f"{ENTRY}:5: audience: 'Public' is not one of public, internal, private (write `public`)"
            in out.splitlines())
    assert commits(repo, env) == ["scaffold"]

    text = (repo / ENTRY).read_text(encoding="utf-8")
    (repo / ENTRY).write_text(text.replace("audience: Public", "audience: public"), encoding="utf-8")
    accepted = commit(repo, env, "fixed", ENTRY)

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"notepress check\.+Passed", accepted.stdout + accepted.stderr)
    assert commits(repo, env) == ["fixed", "scaffold"]


def test_a_public_entry_naming_a_customer_is_rejected(committed, env):
    repo = committed
    [essay] = (repo / "posts" / "essays").glob("*.md")
    with essay.open("a", encoding="utf-8") as f:
        f.write("\nLast week Harborview Outfitters told me the same thing.\n")
    rel = essay.relative_to(repo).as_posix()
    line = len(essay.read_text(encoding="utf-8").splitlines())

    rejected = commit(repo, env, "leak", rel)

    out = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, out
    assert f'{rel}:{line}: body: confidential term "Harborview Outfitters"' in out
    assert commits(repo, env) == ["scaffold"]


def test_the_hook_skips_commits_that_touch_no_entry(committed, env):
    repo = committed
    (repo / ENTRY).write_bytes(BAD.read_bytes())  # a bad entry, untracked: not part of this commit
    (repo / "docs" / "about.md").write_text("# About\n", encoding="utf-8")

    done = commit(repo, env, "about", "docs/about.md")

    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"notepress check\.+\(no files to check\)Skipped", done.stdout + done.stderr)
    assert commits(repo, env) == ["about", "scaffold"]


def test_an_untracked_half_written_entry_does_not_block_a_finished_essay(committed, env):
    """The hook judges what is committed (`notepress check --staged`): a private learning entry left
    half-written and never added fails `notepress check`, and the finished essay is committed."""
    repo = committed
    half = repo / "posts" / "learning" / "2026-11-21-half-written-idea.md"
    half.write_text("---\ntitle: Half written idea\ndate: 2026-11-21\ntype: learning\naudience: private\n"
                    "action: \"\"\n---\n", encoding="utf-8")
    [essay] = (repo / "posts" / "essays").glob("*.md")
    rel = essay.relative_to(repo).as_posix()
    with essay.open("a", encoding="utf-8") as f:
        f.write("\nA finished thought: write it down the same day.\n")
    assert run_cli("-C", str(repo), "check").exit_code == 1  # every problem, as before

    done = commit(repo, env, "essay", rel)

    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"notepress check\.+Passed", done.stdout + done.stderr)
    assert commits(repo, env) == ["essay", "scaffold"]


def test_the_published_hook_manifest(env):
    """.pre-commit-hooks.yaml in this repo: any writing repo can use `repo: <this repo>`."""
    manifest = REPO / ".pre-commit-hooks.yaml"
    run([sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)], REPO, env)
    [hook] = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert hook["id"] == "notepress-check"
    assert hook["entry"] == "notepress check --staged"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("posts/learning/2026-11-20-a.md", "posts/a.md", "notepress.yml"):
        assert files.search(path), path
    for path in ("docs/index.md", "mkdocs.yml", "posts/img.png", "notes/notepress.yml", "old-posts/a.md"):
        assert not files.search(path), path


def test_the_scaffold_config_mirrors_the_published_hook(tmp_path, env):
    init_repo(tmp_path / "n", name="N", author="A")
    config = tmp_path / "n" / ".pre-commit-config.yaml"
    run([sys.executable, "-m", "pre_commit", "validate-config", str(config)], tmp_path, env)
    [local] = yaml.safe_load(config.read_text(encoding="utf-8"))["repos"]
    [hook] = local["hooks"]
    [published] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert local["repo"] == "local"
    assert hook["language"] == "system"
    assert {k: hook[k] for k in ("id", "entry", "files", "pass_filenames")} == \
        {k: published[k] for k in ("id", "entry", "files", "pass_filenames")}
    assert shutil.which("notepress", path=env["PATH"]) == str(BIN / "notepress")
