"""mkdocs.yml as notepress reads it: unreadable files, YAML errors at their line, folders that overlap.

Everything here is refused before MkDocs runs or a newsletter is drafted, so nothing is written.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, lines, snapshot
from e2e_helpers import copy_example

DRAFT = ["newsletter", "draft", "--since", "2026-11-01", "--until", "2026-11-14"]


@pytest.fixture
def example(tmp_path):
    return copy_example(tmp_path / "example")


@pytest.fixture
def quarter(tmp_path):
    return shutil.copytree(FIXTURES / "newsletter" / "quarter", tmp_path / "quarter")


def assert_refused(result, expected: list[str]) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    n = len(expected)
    assert lines(result.stderr) == [*expected, f"notepress: {n} problem{'s' if n > 1 else ''} (fix "
                                               f"{'them' if n > 1 else 'it'} and run again)"]


@pytest.mark.parametrize("repo, command", [("example", ["build"]), ("quarter", DRAFT)])
def test_a_folder_named_mkdocs_yml_is_one_problem(repo, command, request, cli):
    root = request.getfixturevalue(repo)
    (root / "mkdocs.yml").unlink()
    (root / "mkdocs.yml").mkdir()
    before = snapshot(root)

    result = cli("-C", root, *command)

    assert_refused(result, ["mkdocs.yml: cannot be read: Is a directory (make mkdocs.yml a readable file)"])
    assert snapshot(root) == before


@pytest.mark.parametrize("repo, command", [("example", ["build"]), ("quarter", DRAFT)])
def test_a_yaml_error_in_mkdocs_yml_is_reported_at_its_line(repo, command, request, cli):
    """MkDocs logs the YAML error itself; notepress used to show it at line 1, over several lines."""
    root = request.getfixturevalue(repo)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "bad:\n\t- indented with a tab\n", encoding="utf-8")
    before = snapshot(root)

    result = cli("-C", root, *command)

    assert_refused(result, [f"mkdocs.yml:{text.count(chr(10)) + 2}: yaml: found character that cannot start any "
                            "token (check the indentation, and quote values that contain ': ' or start with a "
                            "special character)"])
    assert snapshot(root) == before


def test_mkdocs_yml_nested_ten_thousand_levels_is_one_problem(example, cli):
    config = example / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"extra_css: {'[' * 10_000}{']' * 10_000}\n",
                      encoding="utf-8")
    line = config.read_text(encoding="utf-8").count("\n")

    result = cli("-C", example, "build")

    assert_refused(result, [f"mkdocs.yml:{line}: yaml: nested more than 50 levels deep "
                            "(write plain values and short lists)"])
