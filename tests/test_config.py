"""notepress.yml: strict like entries, defaults when absent.

Each tests/fixtures/config/<case>/ holds a notepress.yml and, for a problem case, expected.txt with
the exact line(s) `notepress check` prints for it.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_lines, lines
from notepress.config import DEFAULT_COMPETENCIES, Author, load_config, read_config
from notepress.problems import NotepressError, Report

CONFIG = FIXTURES / "config"
PROBLEM_CASES = sorted(p.name for p in CONFIG.iterdir() if (p / "expected.txt").exists())


def repo_with(tmp_path: Path, case: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "posts").mkdir(parents=True)
    shutil.copyfile(CONFIG / case / "notepress.yml", repo / "notepress.yml")
    return repo


def test_defaults_when_the_file_is_absent(tmp_path):
    config = load_config(tmp_path)

    assert config.root == tmp_path.resolve()
    assert config.site_url == ""
    assert config.authors == ()
    assert config.competencies == DEFAULT_COMPETENCIES
    assert {"business-acumen", "strategic-thinking", "leadership", "execution", "financial-literacy",
            "mentoring"} <= set(config.competencies)
    assert config.confidential_terms == ()
    assert config.redact is False
    assert config.redact_with == "a customer"
    assert (config.posts_dir, config.docs_dir, config.site_dir) == (
        tmp_path / "posts", tmp_path / "docs", tmp_path / "site")
    assert config.blog_posts_dir == tmp_path / ".notepress" / "docs" / "blog" / "posts"  # outside docs/


@pytest.mark.parametrize("text", ["", "\n\n", "# notepress configuration: nothing set yet\n"])
def test_a_file_without_settings_means_defaults(text, tmp_path):
    (tmp_path / "notepress.yml").write_text(text, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()

    config = load_config(tmp_path)

    assert config == dataclasses.replace(load_config(tmp_path / "elsewhere"), root=tmp_path.resolve(),
                                         posts_dir=tmp_path / "posts", docs_dir=tmp_path / "docs",
                                         site_dir=tmp_path / "site")
    assert config.competencies == DEFAULT_COMPETENCIES and config.site_url == ""


def test_every_setting_is_read_and_normalised(tmp_path):
    shutil.copyfile(CONFIG / "full" / "notepress.yml", tmp_path / "notepress.yml")

    config = load_config(tmp_path, strict=True)

    assert config.site_url == "https://example.test/notes/"  # a trailing slash is added once
    assert config.authors == (Author("ana", "Ana Lima", "Product manager", ""),)
    assert config.competencies == ("discovery", "delivery")
    assert config.confidential_terms == ("Project Heron", "Acme Corp")
    assert config.redact is True
    assert config.redact_with == "a partner"
    assert (config.posts_dir, config.docs_dir, config.site_dir) == (
        tmp_path / "writing", tmp_path / "pages", tmp_path / "public")


@pytest.mark.parametrize("case", ["bad-site-url", "redact-quoted"])
def test_load_config_raises_with_the_exact_line(case, tmp_path):
    repo = repo_with(tmp_path, case)

    with pytest.raises(NotepressError) as raised:
        load_config(repo)

    assert str(raised.value).splitlines() == expected_lines(CONFIG / case / "expected.txt")


def test_unknown_key_is_a_warning_and_an_error_under_strict(tmp_path):
    repo = repo_with(tmp_path, "unknown-key")

    config = load_config(repo)
    with pytest.raises(NotepressError) as raised:
        load_config(repo, strict=True)

    assert config.site_url == "https://example.test/notes/"
    assert config.confidential_terms == ()  # the misspelt key is not used
    assert str(raised.value) == ("notepress.yml:2: confidential_term: is not a notepress.yml setting "
                                 "(did you mean `confidential_terms`?)")


@pytest.mark.parametrize("case", PROBLEM_CASES)
def test_check_prints_config_problems(case, tmp_path, cli):
    repo = repo_with(tmp_path, case)
    expected = expected_lines(CONFIG / case / "expected.txt")
    errors = [line for line in expected if ": warning: " not in line]

    result = cli("-C", repo, "check")

    assert "Traceback" not in result.output
    if errors:
        assert result.exit_code == 1
        assert lines(result.stderr)[:-1] == expected
        assert lines(result.stderr)[-1].startswith(f"notepress: {len(errors)} problem")
    else:  # a warning is shown, and does not fail the check
        assert result.exit_code == 0, result.output
        assert lines(result.stderr) == expected
        assert result.stdout.startswith("checked 0 entries: no errors")


def test_check_reports_config_and_entry_problems_together(tmp_path, cli):
    """`check` reports every error at once: a bad setting does not hide the entries' problems."""
    repo = repo_with(tmp_path, "bad-site-url")
    shutil.copyfile(FIXTURES / "bad" / "missing-title.md", repo / "posts" / "missing-title.md")

    result = cli("-C", repo, "check")

    assert result.exit_code == 1
    assert lines(result.stderr)[:-1] == (expected_lines(CONFIG / "bad-site-url" / "expected.txt")
                                         + expected_lines(FIXTURES / "bad" / "missing-title.expected"))


@pytest.mark.parametrize("text, line", [
    ("competencies: Execution\n", "notepress.yml:1: competencies: must be a non-empty list of lower-case "
                                  "hyphenated names (write - business-acumen)"),
    ("confidential_terms: Project Heron\n", "notepress.yml:1: confidential_terms: must be a list of words or "
                                            "phrases (write - Project Falcon)"),
    ("paths: {blog: writing}\n", "notepress.yml:1: paths: must map posts, docs and site to folder names "
                                 "(write paths: {posts: posts, docs: docs, site: site})"),
    ("site_url: https://x.test/\nsite_url: https://y.test/\n",
     "notepress.yml:2: site_url: appears twice (first on line 1) (keep one of them)"),
    ("- site_url\n", "notepress.yml:1: front matter: is not a mapping of `key: value` lines "
                     "(write one `key: value` per line)"),
])
def test_other_bad_settings(text, line, tmp_path):
    (tmp_path / "notepress.yml").write_text(text, encoding="utf-8")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value) == line


def test_config_that_is_not_utf8(tmp_path):
    (tmp_path / "notepress.yml").write_bytes(b"redact_with: caf\xe9\n")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value) == "notepress.yml:1: file is not UTF-8 text (save it as UTF-8)"


@pytest.mark.parametrize("list_id, ok", [
    ("customer-notes.example.test", True),
    ("notes_2026.team.example.test", True),
    ("customer notes.example.test", False),
    ("<customer-notes.example.test>", False),
    ("customer-notes", False),
    ("customer-notes..example.test", False),
    ("notes.example.test>, <x.example.test", False),
])
def test_list_id_is_a_dotted_name_that_fits_in_angle_brackets(list_id, ok, tmp_path):
    (tmp_path / "notepress.yml").write_text(f"newsletter:\n  list_id: '{list_id}'\n", encoding="utf-8")

    if ok:
        assert load_config(tmp_path).newsletter.list_id == list_id
    else:
        with pytest.raises(NotepressError) as raised:
            load_config(tmp_path)
        assert str(raised.value) == (f"notepress.yml:2: newsletter.list_id: {list_id!r} is not valid (write a dotted "
                                     "name without spaces or <>, e.g. customer-notes.example.com)")


@pytest.mark.parametrize("text, line", [
    ("newsletter:\n  cadence_days: 99999999\n",  # drafting subtracted it from today: OverflowError
     "notepress.yml:2: newsletter.cadence_days: 99999999 is not valid (write a number of days up to 366, e.g. 14)"),
    ("smtp:\n  port: 70000\n",  # the socket raised OverflowError, which send does not expect
     "notepress.yml:2: smtp.port: 70000 is not valid (write e.g. 587)"),
], ids=["cadence_days", "smtp.port"])
def test_numbers_that_would_overflow_later_are_refused(text, line, tmp_path):
    (tmp_path / "notepress.yml").write_text(text, encoding="utf-8")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value) == line


def test_the_largest_cadence_and_port_are_read(tmp_path):
    (tmp_path / "notepress.yml").write_text("newsletter: {cadence_days: 366}\nsmtp: {port: 65535}\n",
                                            encoding="utf-8")

    config = load_config(tmp_path)

    assert (config.newsletter.cadence_days, config.smtp.port) == (366, 65535)


def test_a_folder_named_notepress_yml_is_one_problem(tmp_path, cli):
    (tmp_path / "posts").mkdir()
    (tmp_path / "notepress.yml").mkdir()

    result = cli("-C", tmp_path, "check")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert lines(result.stderr) == [
        "notepress.yml: cannot be read: Is a directory (make notepress.yml a readable file, or remove it to use "
        "the defaults)",
        "notepress: 1 problem, checked 0 entries (fix them and run again)"]


def test_a_broken_link_is_not_taken_for_no_settings(tmp_path):
    """Silently using the defaults would drop the confidential terms the real file lists."""
    (tmp_path / "notepress.yml").symlink_to(tmp_path / "elsewhere" / "notepress.yml")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value) == ("notepress.yml: cannot be read: No such file or directory (make notepress.yml "
                                 "a readable file, or remove it to use the defaults)")


def test_a_term_without_letters_does_not_hide_the_others_from_check(tmp_path):
    shutil.copyfile(CONFIG / "confidential-term-without-letters" / "notepress.yml", tmp_path / "notepress.yml")
    report = Report(tmp_path.resolve())

    config = read_config(tmp_path, report)

    assert config.confidential_terms == ("Project Heron",)
    assert len(report.errors) == 3


FIX_OVERLAP = "(choose another folder: posts, docs, site, the theme and the newsletter archive must not overlap)"


@pytest.mark.parametrize("text, expected", [
    ("paths: {site: posts}\n", ["notepress.yml:1: paths.site: posts/ is also the posts folder"]),
    ("paths:\n  posts: notes\n  docs: notes/pages\n",
     ["notepress.yml:3: paths.docs: notes/pages/ is inside the posts folder (notes/)"]),
    ("paths: {posts: docs/posts}\n", ["notepress.yml:1: paths.posts: docs/posts/ is inside the docs folder (docs/)"]),
    ("paths: {posts: .}\n", ["notepress.yml:1: paths.posts: ./ contains the docs folder (docs/)",
                             "notepress.yml:1: paths.posts: ./ contains the newsletter archive (newsletters/)",
                             "notepress.yml:1: paths.posts: ./ contains the site folder (site/)"]),
    ("newsletter:\n  title: Notes\n  archive: posts/issues\n",
     ["notepress.yml:3: newsletter.archive: posts/issues/ is inside the posts folder (posts/)"]),
    ("newsletter: {archive: docs/newsletters}\n",
     ["notepress.yml:1: newsletter.archive: docs/newsletters/ is inside the docs folder (docs/)"]),
    ("newsletter: {archive: site}\n", ["notepress.yml:1: newsletter.archive: site/ is also the site folder"]),
])
def test_folders_that_overlap_are_refused(text, expected, tmp_path):
    (tmp_path / "notepress.yml").write_text(text, encoding="utf-8")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value).splitlines() == [f"{line} {FIX_OVERLAP}" for line in expected]


def test_folders_are_compared_where_they_really_are(tmp_path):
    """A link named site/ that points at posts/ is posts/: a build would replace the entries."""
    (tmp_path / "posts").mkdir()
    (tmp_path / "site").symlink_to(tmp_path / "posts")

    with pytest.raises(NotepressError) as raised:
        load_config(tmp_path)

    assert str(raised.value) == f"notepress.yml: paths.site: site/ is also the posts folder (posts/) {FIX_OVERLAP}"


def test_separate_folders_anywhere_are_fine(tmp_path):
    (tmp_path / "notepress.yml").write_text(
        "paths: {posts: writing/posts, docs: writing-docs, site: ../public}\nnewsletter: {archive: team/issues}\n",
        encoding="utf-8")

    config = load_config(tmp_path)

    assert config.site_dir == tmp_path / "../public" and config.archive_dir == tmp_path / "team/issues"
