"""How the CLI shows what goes wrong: every error a Problem, rendered in one place; notepress.yml's
warnings shown by every command; the commands registered in one place over the API."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_lines, lines
from notepress import api

CLI = FIXTURES / "cli"
PACKAGE = Path(api.__file__).parent


@pytest.fixture
def career(tmp_path) -> Path:
    return shutil.copytree(FIXTURES / "review" / "career", tmp_path / "career")


@pytest.mark.parametrize("args", [["stats"], ["next"], ["portfolio"], ["goals"], ["newsletter", "list"]])
def test_every_command_shows_the_warnings_of_notepress_yml(args, career, cli):
    shutil.copyfile(CLI / "misspelt-setting" / "notepress.yml", career / "notepress.yml")

    result = cli("-C", career, *args)

    assert result.exit_code == 0, result.output
    warning = expected_lines(CLI / "misspelt-setting" / "expected.txt")
    assert lines(result.stderr)[:1] == warning
    assert lines(result.stderr).count(warning[0]) == 1


def test_check_shows_the_warnings_of_notepress_yml_once(career, cli):
    shutil.copyfile(CLI / "misspelt-setting" / "notepress.yml", career / "notepress.yml")

    result = cli("-C", career, "check")

    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == expected_lines(CLI / "misspelt-setting" / "expected.txt")


def test_a_command_without_warnings_says_nothing_more(career, cli):
    result = cli("-C", career, "newsletter", "list")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_check_as_json_shows_an_error_outside_the_entries_as_it_shows_theirs(career, cli):
    """A mkdocs.yml whose extension cannot be loaded stopped `check` with a traceback."""
    shutil.copyfile(CLI / "bad-extension" / "mkdocs.yml", career / "mkdocs.yml")
    expected = json.loads((CLI / "bad-extension" / "expected.json").read_text(encoding="utf-8"))

    result = cli("-C", career, "check", "--format", "json")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["errors"] == [expected]


def test_check_as_text_shows_an_error_outside_the_entries_on_one_line(career, cli):
    shutil.copyfile(CLI / "bad-extension" / "mkdocs.yml", career / "mkdocs.yml")

    result = cli("-C", career, "check")

    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "mkdocs.yml:3: markdown_extensions: Failed to load extension 'notepress_no_such_extension'. "
        "ModuleNotFoundError: No module named 'notepress_no_such_extension' (fix the extension list)",
        "notepress: 1 problem, checked 14 entries (fix them and run again)"]


def test_an_error_of_another_command_is_a_problem_line_and_a_count(career, cli):
    result = cli("-C", career, "newsletter", "preview", "7")

    assert result.exit_code == 1
    assert lines(result.stderr) == ["newsletters/: no newsletter issues yet (run `notepress newsletter draft`)",
                                    "notepress: 1 problem (fix it and run again)"]


def test_a_file_that_cannot_be_written_is_a_problem(career, cli):
    result = cli("-C", career, "portfolio", "-o", career / "notepress.yml" / "review.md")  # a file, not a folder

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.fullmatch(r".*/notepress\.yml/review\.md: cannot write it \(.+\)", lines(result.stderr)[0])
    assert lines(result.stderr)[1] == "notepress: 1 problem (fix it and run again)"


def test_a_check_in_answer_needed_with_yes_is_one_line(career, cli):
    result = cli("-C", career, "checkin", "--on", "mentoring-retro", "--did", "--today", "2026-03-20", "--yes")

    assert result.exit_code == 1
    assert lines(result.stderr) == ["--learning: is needed with --yes (give --learning TEXT)"]


def test_no_error_is_a_hand_formatted_string():
    """Every NotepressError is built from Problems (file, line, field, message, fix)."""
    raised = {str(p.relative_to(PACKAGE)): re.findall(r"NotepressError\(f?[\"']", p.read_text(encoding="utf-8"))
              for p in PACKAGE.rglob("*.py")}

    assert {path: found for path, found in raised.items() if found} == {}


def test_the_review_tools_do_not_import_the_api_and_no_cli_module_imports_cli():
    review = "\n".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "review").glob("*.py"))
    commands = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.glob("cli_*.py"))

    assert not re.search(r"from \.\.api import|from \.\. import api", review)
    assert not re.search(r"from \.cli import|from \. import cli\b", commands)
