"""mkdocs.yml as notepress reads it: unreadable files, YAML errors at their line, folders that overlap.

Everything here is refused before MkDocs runs or a newsletter is drafted, so nothing is written.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, lines, snapshot
from e2e_helpers import REPO, copy_example

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


FIX_OVERLAP = "(choose another folder: posts, docs, site, the theme and the newsletter archive must not overlap)"


def set_in(root, name: str, line: str) -> int:
    """Append `line` to the file `name` of `root`; returns its line number."""
    path = root / name
    text = path.read_text(encoding="utf-8") + line + "\n"
    path.write_text(text, encoding="utf-8")
    return text.count("\n")


def test_site_dir_set_to_posts_is_refused_before_anything_is_written(example, cli):
    """MkDocs replaced posts/ with the built site, deleting every entry."""
    line = set_in(example, "mkdocs.yml", "site_dir: posts")
    before = snapshot(example)

    result = cli("-C", example, "build")

    assert_refused(result, [f"mkdocs.yml:{line}: site_dir: posts/ is also the posts folder {FIX_OVERLAP}"])
    assert snapshot(example) == before


@pytest.mark.parametrize("mkdocs, archive, problem", [
    ("docs_dir: posts/pages", None, "docs_dir: posts/pages/ is inside the posts folder (posts/)"),
    ("site_dir: public", "public/issues", "site_dir: public/ contains the newsletter archive (public/issues/)"),
])
def test_mkdocs_folders_that_overlap_notepress_folders_are_refused(mkdocs, archive, problem, example, cli):
    """notepress.yml's own folders (docs/, site/) are apart; MkDocs' folders are set elsewhere."""
    (example / "posts" / "pages").mkdir()
    shutil.copyfile(example / "docs" / "index.md", example / "posts" / "pages" / "index.md")
    line = set_in(example, "mkdocs.yml", mkdocs)
    if archive:
        settings = example / "notepress.yml"
        settings.write_text(settings.read_text(encoding="utf-8").replace(
            "\nnewsletter:\n", f"\nnewsletter:\n  archive: {archive}\n"), encoding="utf-8")
    before = snapshot(example)

    result = cli("-C", example, "build")

    assert_refused(result, [f"mkdocs.yml:{line}: {problem} {FIX_OVERLAP}"])
    assert snapshot(example) == before


def test_notepress_reads_mkdocs_yml_as_mkdocs_does(initialized, tmp_path, monkeypatch):
    """notepress reads mkdocs.yml with libyaml's parser and MkDocs' own loader (its constructors and
    resolver): the settings are MkDocs' own reading of the file, for this checkout's, the one
    `init` writes, and one with an environment variable, a Python name and an inherited file."""
    from mkdocs.utils.yaml import yaml_load

    from notepress.site import ENGINE_CONFIG, read_settings

    monkeypatch.setenv("NOTEPRESS_TEST_SITE_NAME", "Notes from the field")
    tagged = tmp_path / "tagged"
    tagged.mkdir()
    (tagged / "base.yml").write_text("theme:\n  name: material\n  features: [navigation.tabs]\nsite_dir: public\n",
                                     encoding="utf-8")
    (tagged / ENGINE_CONFIG).write_text(
        "INHERIT: base.yml\nsite_name: !ENV [NOTEPRESS_TEST_SITE_NAME, notes]\nsite_url: !ENV [NOTEPRESS_UNSET, '']\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "extra:\n  dates: [2026-11-02, '2026-11-03']\n  on: yes\n  count: 0x1f\n", encoding="utf-8")
    for root in (REPO, initialized, tagged):
        with (root / ENGINE_CONFIG).open("rb") as f:
            assert read_settings(root).data == yaml_load(f), root
    assert read_settings(tagged).data["site_name"] == "Notes from the field"
    assert read_settings(tagged).site_dir == (tagged / "public").resolve()
