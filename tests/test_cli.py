"""The CLI with CliRunner: `new`, `-C`, help texts, and `check` on the repo's own posts/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import click
from click.testing import CliRunner
import pytest
import yaml

from conftest import FIXTURES, expected_lines, lines
from e2e_helpers import TODAY
from notepress.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def writing(tmp_path) -> Path:
    """A writing repo at its smallest: a folder with a notepress.yml (of defaults)."""
    (tmp_path / "notepress.yml").write_text("# notepress settings: the defaults\n", encoding="utf-8")
    return tmp_path


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


@pytest.mark.parametrize("etype, folder, audience, draft", [
    ("learning", "learning", "private", None),
    ("insight", "insights", "internal", None),
    ("essay", "essays", "public", True),
])
def test_new_writes_an_entry_from_its_template(etype, folder, audience, draft, writing, cli):
    result = cli("-C", writing, "new", etype, "Asked finance: how is revenue recognised?")

    rel = f"posts/{folder}/{TODAY}-asked-finance-how-is-revenue-recognised.md"
    assert result.exit_code == 0, result.output
    assert result.stdout == rel + "\n"
    meta = front_matter(writing / rel)
    assert meta["title"] == "Asked finance: how is revenue recognised?"
    assert meta["type"] == etype
    assert meta["date"] == TODAY
    assert meta["audience"] == audience  # always explicit, never left to a default
    assert meta["slug"] == "asked-finance-how-is-revenue-recognised"  # the URL does not repeat the date
    assert meta.get("draft") is draft
    written = sorted(p.relative_to(writing).as_posix() for p in writing.rglob("*") if p.is_file())
    assert [p for p in written if not p.startswith(".notepress/")] == ["notepress.yml", rel]  # and its own folder


def test_new_entry_slug_is_the_title_without_the_date_and_passes_check(writing, cli):
    result = cli("-C", writing, "new", "learning", "Asked finance how we recognise revenue (Q4_close)")
    path = writing / result.stdout.strip()
    text = path.read_text(encoding="utf-8").replace('action: ""', "action: Asked").replace('learning: ""', "learning: Ask")

    path.write_text(text, encoding="utf-8")

    assert path.name == f"{TODAY}-asked-finance-how-we-recognise-revenue-q4-close.md"
    assert front_matter(path)["slug"] == "asked-finance-how-we-recognise-revenue-q4-close"
    checked = cli("-C", writing, "check")
    assert checked.exit_code == 0, checked.output


def test_new_keeps_the_date_in_a_slug_an_earlier_entry_already_has(writing, cli):
    """The same title on another day must not give two entries one URL."""
    first = writing / cli("-C", writing, "new", "essay", "Weekly notes").stdout.strip()
    earlier = first.with_name(f"{TODAY - dt.timedelta(days=322)}-weekly-notes.md")
    first.rename(earlier)
    second = writing / cli("-C", writing, "new", "essay", "Weekly notes").stdout.strip()
    assert front_matter(earlier)["slug"] == "weekly-notes"
    assert front_matter(second)["slug"] == f"{TODAY}-weekly-notes"
    checked = cli("-C", writing, "check")
    assert "is also the slug of" not in checked.output, checked.output


def test_new_uses_the_current_directory_without_c(isolated_cwd, cli):
    (isolated_cwd / "notepress.yml").write_text("", encoding="utf-8")
    result = cli("new", "essay", "Why we count customers")

    assert result.exit_code == 0, result.output
    assert (isolated_cwd / result.stdout.strip()).is_file()


def test_new_never_overwrites(writing, cli):
    first = cli("-C", writing, "new", "essay", "Pricing is a promise")
    path = writing / first.stdout.strip()
    path.write_text("---\ntitle: My edits\n---\n", encoding="utf-8")

    again = cli("-C", writing, "new", "essay", "Pricing is a promise")

    assert again.exit_code == 1
    assert "Traceback" not in again.output
    assert lines(again.stderr) == [
        f"posts/essays/{TODAY}-pricing-is-a-promise.md: already exists, not overwritten "
        "(choose another title or edit that file)",
        "notepress: 1 problem (fix it and run again)",
    ]
    assert again.stdout == ""
    assert path.read_text(encoding="utf-8") == "---\ntitle: My edits\n---\n"


def test_new_rejects_a_title_without_letters(writing, cli):
    result = cli("-C", writing, "new", "learning", "!!!")

    assert result.exit_code == 1
    assert lines(result.stderr)[0] == "title: '!!!' has no letters or digits to make a file name from (add some)"
    assert not (writing / "posts").exists()


def test_new_rejects_an_unknown_type(tmp_path, cli):
    result = cli("-C", tmp_path, "new", "memo", "A title")

    assert result.exit_code == 2
    assert "'memo' is not one of 'learning', 'insight', 'essay'" in result.stderr
    assert not (tmp_path / "posts").exists()


@pytest.fixture
def bad_repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "posts").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "bad" / "missing-title.md", repo / "posts" / "missing-title.md")
    return repo


@pytest.mark.parametrize("where", ["before", "after"])
def test_directory_option_before_or_after_the_command(where, bad_repo, cli):
    args = ["-C", bad_repo, "check"] if where == "before" else ["check", "-C", bad_repo]

    result = cli(*args)

    assert result.exit_code == 1
    assert lines(result.stderr) == [
        *expected_lines(FIXTURES / "bad" / "missing-title.expected"),
        "notepress: 1 problem, checked 1 entry (fix them and run again)",
    ]


def test_directory_option_after_new(writing, cli):
    result = cli("new", "-C", writing, "learning", "Shadowed a support shift")

    assert result.exit_code == 0, result.output
    assert (writing / result.stdout.strip()).is_file()


def test_check_without_posts_folder(tmp_path, cli):
    result = cli("-C", tmp_path, "check")

    assert result.exit_code == 1
    assert lines(result.stderr)[0] == "posts: posts folder not found (create posts/ or set paths.posts in notepress.yml)"


@pytest.mark.parametrize("args", [[], *[[name] for name in sorted(main.commands)]])
def test_every_help_has_an_example(args, cli):
    result = cli(*args, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert "notepress " in result.stdout.split("Example", 1)[1]


def test_the_commands_are_the_documented_ones():
    assert {"check", "new", "build", "serve", "audit"} <= set(main.commands)
    assert all(isinstance(c, click.Command) for c in main.commands.values())


def test_check_passes_on_the_bundled_posts(tmp_path, cli):
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "posts", repo / "posts")
    shutil.copyfile(REPO / "notepress.yml", repo / "notepress.yml")
    count = len(list((repo / "posts").rglob("*.md")))

    result = cli("-C", repo, "check", "--strict")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == f"checked {count} entries: no errors\n"
    assert count >= 20


def test_new_with_edit_opens_the_editor_and_says_what_is_next(writing, monkeypatch):
    editor = writing / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Written in the editor." >> "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    (writing / "posts").mkdir()
    result = CliRunner().invoke(main, ["-C", str(writing), "new", "essay", "An edited essay", "--edit"])
    assert result.exit_code == 0, result.output
    [path] = (writing / "posts" / "essays").glob("*-an-edited-essay.md")
    assert path.read_text().endswith("Written in the editor.\n")
    assert result.stderr.strip() == "next: notepress serve to preview it; remove `draft: true` to publish"


@pytest.mark.parametrize("args", [
    ["newsletter", "draft", "--since", "0001-01-01"],
    ["newsletter", "draft", "--until", "9999-12-31"],
    ["portfolio", "--until", "9999-12-31"],
    ["portfolio", "--since", "1899-12-31"],
    ["stats", "--since", "9999-12-31", "--until", "9999-12-31"],
    ["stats", "--until", "0001-01-01"],
    ["next", "--today", "3000-01-01"],
])
def test_a_date_option_outside_the_plausible_years_is_a_usage_error(args, tmp_path, cli):
    """Such dates overflowed the date arithmetic of the period (OverflowError)."""
    repo = shutil.copytree(FIXTURES / "review" / "career", tmp_path / "career")
    value = args[-1]

    result = cli("-C", repo, *args)

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert f"{value!r} is not a plausible date (write the real date as YYYY-MM-DD)" in result.stderr
