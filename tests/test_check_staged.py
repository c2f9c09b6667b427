"""`notepress check --staged` (the pre-commit hook's check), from `notepress init`: a commit is judged by
what it holds (the entries staged, notepress.yml, and the entries that link to one it changes or
removes, or share its slug); an error in another entry (a half-written one, never added) is one
warning line. Plain `check` still reports every problem. The hook itself, with the real pre-commit:
test_precommit.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from e2e_helpers import run_cli

OTHERS = ("warning: 1 other entry has problems: notepress check lists them; `draft: true` keeps a half-written "
          "entry out of everything")
LEARNING = "five-support-calls-in-one-week"  # init's public learning entry


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(initialized, tmp_path, empty_git_config) -> Path:
    """A copy of init's repo with its git history, every file committed."""
    root = Path(shutil.copytree(initialized, tmp_path / "notes"))
    git(root, "config", "user.name", "Ana Li")
    git(root, "config", "user.email", "ana@example.com")
    git(root, "add", "-A")
    if git(root, "status", "--porcelain"):
        git(root, "commit", "-q", "-m", "init")
    return root


def entry(root: Path, slug: str) -> Path:
    [path] = root.glob(f"posts/*/*-{slug}.md")
    return path


def staged_check(root: Path):
    return run_cli("-C", str(root), "check", "--staged")


def test_an_entry_never_added_is_one_warning_line_and_an_added_one_is_judged(repo):
    half = repo / run_cli("-C", str(repo), "new", "learning", "Half written idea").stdout.strip()
    essay = entry(repo, "why-i-write-down-what-i-learn")
    essay.write_text(essay.read_text(encoding="utf-8") + "\nWrite it down the same day.\n", encoding="utf-8")
    git(repo, "add", str(essay))

    judged, every = staged_check(repo), run_cli("-C", str(repo), "check")

    assert judged.exit_code == 0, judged.output
    assert judged.stderr.splitlines() == [OTHERS]
    assert judged.stdout == "checked 1 entry for this commit: no errors, 1 warning\n"
    assert every.exit_code == 1 and f"{half.relative_to(repo).as_posix()}:" in every.stderr  # as before

    git(repo, "add", str(half))
    added = staged_check(repo)
    assert added.exit_code == 1
    assert f"{half.relative_to(repo).as_posix()}:" in added.stderr and "other entr" not in added.stderr


def test_an_entry_linking_to_one_the_commit_makes_private_or_removes_is_judged(repo):
    essay, learning = entry(repo, "why-i-write-down-what-i-learn"), entry(repo, LEARNING)
    essay.write_text(essay.read_text(encoding="utf-8") + f"\nSee [[{LEARNING}]].\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "a link")
    text = learning.read_text(encoding="utf-8")
    learning.write_text(text.replace("\naudience: public", "\naudience: private", 1), encoding="utf-8")
    git(repo, "add", str(learning))  # the essay, public and unchanged, now links to a private entry

    private = staged_check(repo)

    shown = essay.relative_to(repo).as_posix()
    assert private.exit_code == 1
    assert f"{shown}:" in private.stderr and f"[[{LEARNING}]]" in private.stderr

    learning.write_text(text, encoding="utf-8")
    git(repo, "rm", "-q", "-f", str(learning))
    removed = staged_check(repo)
    assert removed.exit_code == 1
    assert f"{shown}:" in removed.stderr and f"[[{LEARNING}]]" in removed.stderr


def test_a_new_entry_linking_back_that_git_does_not_have_does_not_stop_the_commit(repo):
    """`new learning --from` closes the earlier step and writes a new entry that links back to it; the
    writer commits the closed step first, the new one half-written and never added: no part of it."""
    made = run_cli("-C", str(repo), "new", "learning", "Sales signed off the pilot", "--from", LEARNING)
    assert made.exit_code == 0, made.output
    git(repo, "add", str(entry(repo, LEARNING)))

    result = staged_check(repo)

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [OTHERS]


def test_an_entry_added_with_the_slug_of_another_is_judged_by_it(repo):
    made = repo / run_cli("-C", str(repo), "new", "essay", "Five calls").stdout.strip()
    text = made.read_text(encoding="utf-8")
    made.write_text(re.sub(r"(?m)^slug: \S+", f"slug: {LEARNING}", text, count=1), encoding="utf-8")
    git(repo, "add", str(made))  # the slug of init's learning entry, which this commit does not change

    result = staged_check(repo)

    assert result.exit_code == 1
    assert f'slug: "{LEARNING}" is also the slug of' in result.stderr


def test_outside_git_it_says_so(init_copy):
    result = staged_check(init_copy)

    assert result.exit_code == 1
    assert "--staged: cannot read what is staged in git" in result.stderr
    assert "notepress check` without --staged" in result.stderr


def test_an_insight_added_judges_the_public_entries_by_its_customer(repo):
    essay = entry(repo, "why-i-write-down-what-i-learn")
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA call with Zephyr Foods changed my mind.\n",
                     encoding="utf-8")
    git(repo, "commit", "-q", "-am", "an essay")
    insight = repo / run_cli("-C", str(repo), "new", "insight", "Zephyr call").stdout.strip()
    text = insight.read_text(encoding="utf-8")
    insight.write_text(re.sub(r"(?m)^customer: .*$", "customer: Zephyr Foods", text, count=1)
                       .replace("themes: []", "themes: [onboarding]"), encoding="utf-8")
    git(repo, "add", str(insight))  # the customer's name, now confidential, is on a public page already committed

    result = staged_check(repo)

    assert result.exit_code == 1
    assert f'{essay.relative_to(repo).as_posix()}:' in result.stderr and '"Zephyr Foods"' in result.stderr
