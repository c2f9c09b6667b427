"""Names the file system must take, through the real CLI from `notepress init`: a slug made from a title is at
most 80 bytes, cut between words, so `YYYY-MM-DD-slug.md` stays well under 255 bytes; a path the file system
still refuses as too long (a folder's name, in UTF-8 bytes) is one line naming it, with the fix, never a
traceback; and a written `slug:` over 80 characters is an error at its line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from e2e_helpers import TODAY, output, run_cli

WORDS = "Quarterly reconciliation review with finance and the payments operations team about partial refunds"
LONG_TITLE = " ".join([WORDS] * 3)  # 302 characters: a slug of 300
FOLDER_FIX = "shorten the folder names above it: paths.posts in notepress.yml, or where the repo is"


@pytest.fixture
def repo(init_copy) -> Path:
    return init_copy


def slug_of(path: Path) -> str:
    return re.search(r"^slug: (\S*)", path.read_text(encoding="utf-8"), re.M).group(1)


def checks(repo: Path) -> None:
    checked = run_cli("-C", str(repo), "check")
    assert checked.exit_code == 0, output(checked)


def test_a_long_title_makes_a_slug_of_whole_words_and_a_short_file_name(repo):
    made = run_cli("-C", str(repo), "new", "essay", LONG_TITLE)
    assert made.exit_code == 0, output(made)
    path = repo / made.stdout.splitlines()[0]
    slug = slug_of(path)
    assert slug == "quarterly-reconciliation-review-with-finance-and-the-payments-operations-team"  # 77: "-about" is over 80
    assert path.name == f"{TODAY.isoformat()}-{slug}.md" and len(path.name.encode("utf-8")) == 11 + 77 + 3
    assert f"title: {LONG_TITLE}" in path.read_text(encoding="utf-8")  # the title stays whole
    checks(repo)


@pytest.mark.parametrize("title, slug", [
    ("x" * 300, "x" * 80),  # one word longer than the cap: cut inside it
    ("Café " * 100, "-".join(["cafe"] * 16)),  # 500 bytes of UTF-8 for 500 characters: the slug is ASCII
    ("a" * 80 + " b", "a" * 80),  # the cap falls between two words
])
def test_a_slug_is_cut_at_80_without_a_trailing_hyphen(repo, title, slug):
    made = run_cli("-C", str(repo), "new", "essay", title)
    assert made.exit_code == 0, output(made)
    assert slug_of(repo / made.stdout.splitlines()[0]) == slug
    checks(repo)


def test_a_title_an_earlier_entry_has_keeps_the_slug_within_the_cap(repo, monkeypatch):
    monkeypatch.setenv("NOTEPRESS_TODAY", (TODAY - dt.timedelta(days=1)).isoformat())
    assert run_cli("-C", str(repo), "new", "essay", LONG_TITLE).exit_code == 0
    monkeypatch.setenv("NOTEPRESS_TODAY", TODAY.isoformat())
    made = run_cli("-C", str(repo), "new", "essay", LONG_TITLE)
    assert made.exit_code == 0, output(made)
    slug = slug_of(repo / made.stdout.splitlines()[0])
    assert slug == f"{TODAY.isoformat()}-quarterly-reconciliation-review-with-finance-and-the-payments"
    assert len(slug) <= 80
    checks(repo)


def test_a_checkin_with_a_long_title_writes_a_short_name(repo):
    done = run_cli("-C", str(repo), "checkin", "--did", "--title", LONG_TITLE, "--outcome", "Finance agreed",
                   "--learning", "Ask for the number first", "--next-step", "Draft the proposal", "--yes")
    assert done.exit_code == 0, output(done)
    path = repo / done.stdout.splitlines()[-2]
    assert path.name == f"{TODAY.isoformat()}-quarterly-reconciliation-review-with-finance-and-the-payments-" \
                        "operations-team.md"
    checks(repo)


def test_init_into_a_folder_name_over_255_bytes_is_one_line(tmp_path, monkeypatch):
    """130 characters, 260 bytes: the limit is in bytes."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    name = "é" * 130
    result = run_cli("init", name)
    assert result.exit_code == 1
    assert output(result).splitlines() == [
        f"{name}: the name '{'é' * 20}…' is 260 bytes long, more than the 255 bytes the file system allows "
        "(choose a shorter folder name)", "notepress: 1 problem (fix it and run again)"]
    assert list(here.iterdir()) == []


def test_a_posts_folder_over_the_limit_is_one_line_for_new_and_checkin(repo):
    folder = "p" * 256
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"\npaths:\n  posts: {folder}\n", encoding="utf-8")
    for args in (["new", "learning", "Short"],
                 ["checkin", "--did", "--learning", "x", "--next-step", "y", "--title", "Short", "--yes"]):
        result = run_cli("-C", str(repo), *args)
        assert result.exit_code == 1, args
        first, *rest = output(result).splitlines()
        assert first.startswith(f"{folder}") and first.endswith(
            f": the name '{'p' * 20}…' is 256 bytes long, more than the 255 bytes the file system allows "
            f"({FOLDER_FIX})"), first
        assert rest == ["notepress: 1 problem (fix it and run again)"]
    checked = run_cli("-C", str(repo), "check")  # any command: one line, never a traceback
    assert checked.exit_code == 1 and "Traceback" not in output(checked)
    assert output(checked).splitlines()[0].endswith("(shorten the names in this path)")


def test_a_written_slug_over_80_characters_is_an_error_at_its_line(repo):
    essay = next((repo / "posts" / "essays").glob("*.md"))
    text = essay.read_text(encoding="utf-8")
    long = "-".join(["reconciliation"] * 6)  # 89 characters
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("slug:"))
    lines[at] = f"slug: {long}"
    essay.write_text("\n".join(lines), encoding="utf-8")
    checked = run_cli("-C", str(repo), "check")
    assert checked.exit_code == 1
    assert output(checked).splitlines()[0] == (
        f"{essay.relative_to(repo).as_posix()}:{at + 1}: slug: is 89 characters long, more than 80 "
        f"(write a shorter one, e.g. `slug: {'-'.join(['reconciliation'] * 5)}`)")
