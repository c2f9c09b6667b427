"""Reading and validating posts/: every problem as one exact `path:line: field: message (fix)` line.

Data-driven: each tests/fixtures/bad/<case>.md is copied to posts/<case>.md of a fresh repo, and
`notepress check` must print exactly the line(s) in tests/fixtures/bad/<case>.expected.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import notepress
from conftest import FIXTURES, expected_lines, lines
from notepress.audience import Reader, visible
from notepress.config import load_config
from notepress.entries import read_entries
from notepress.problems import Report
from notepress.yamlmap import load_mapping

BAD = FIXTURES / "bad"
CASES = sorted(p.stem for p in BAD.glob("*.md"))


def test_every_bad_fixture_has_its_expected_lines():
    assert len(CASES) >= 25
    assert sorted(p.stem for p in BAD.glob("*.expected")) == CASES


def make_repo(root: Path, cases: list[str]) -> Path:
    (root / "posts").mkdir(parents=True)
    for case in cases:
        shutil.copyfile(BAD / f"{case}.md", root / "posts" / f"{case}.md")
    return root


def is_warning(line: str) -> bool:
    return re.match(r"^[^:]+:\d+: warning: ", line) is not None


def assert_exit(result, code: int) -> None:
    """The command ended through sys.exit/ClickException with `code`, never through a crash."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES)
def test_check_prints_the_exact_problem_lines(case, tmp_path, cli):
    repo = make_repo(tmp_path / "repo", [case])
    expected = expected_lines(BAD / f"{case}.expected")
    errors = [e for e in expected if not is_warning(e)]

    result = cli("-C", repo, "check")

    if errors:
        assert_exit(result, 1)
        *problems, summary = lines(result.stderr)
        assert problems == expected
        assert summary == f"notepress: {len(errors)} problem{'s' if len(errors) != 1 else ''}, checked 1 entry " \
                          "(fix them and run again)"
        assert result.stdout == ""
    else:
        assert_exit(result, 0)
        assert lines(result.stderr) == expected
        assert re.fullmatch(rf"checked 1 entr(y|ies): no errors, {len(expected)} warnings?\n", result.stdout)


def test_unknown_key_warning_names_closest_key_and_fails_under_strict(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", ["unknown-key-titel"])

    relaxed = cli("-C", repo, "check")
    strict = cli("-C", repo, "check", "--strict")

    assert_exit(relaxed, 0)
    assert lines(relaxed.stderr) == [
        "posts/unknown-key-titel.md:6: warning: titel: is not a known field (did you mean `title`?)"]
    assert_exit(strict, 1)
    assert lines(strict.stderr)[0] == "posts/unknown-key-titel.md:6: titel: is not a known field (did you mean `title`?)"
    assert lines(strict.stderr)[-1].startswith("notepress: 1 problem, checked 1 ")


def test_alias_bomb_is_refused_as_one_problem_at_its_first_anchor(tmp_path):
    """One problem, no entry and no crash (no timing here: speed is measured by tools/benchmark.py)."""
    repo = make_repo(tmp_path / "repo", ["alias-bomb"])

    entries, report = read_entries(load_config(repo))

    assert entries == []
    assert [str(p) for p in report.problems] == expected_lines(BAD / "alias-bomb.expected")
    assert "anchors and aliases (& and *) are not supported" in report.problems[0].message


def test_a_hash_that_starts_text_after_a_plain_value_is_a_warning_with_the_quoted_line(tmp_path):
    """`title: Customer notes #2 and more` reads 'Customer notes' (YAML drops the comment): said, with
    the line to write; a comment meant as one (`# like this`) and a quoted value are not."""
    text = ("title: Customer notes #2 and more\nsummary: Fees #1 priority\naudience: private  # public | internal\n"
            "quote: 'It is #1 for us'\ntags: [a, b]  #todo\n")
    report = Report(tmp_path)

    fields = load_mapping(text, "posts/x.md", 2, report)

    assert fields["title"].value == "Customer notes" and fields["audience"].value == "private"
    assert [str(p) for p in report.problems] == [
        "posts/x.md:2: warning: title: the text from `#2 and more` on is a YAML comment, so title reads "
        "'Customer notes' (put the value in quotes: `title: 'Customer notes #2 and more'`)",
        "posts/x.md:3: warning: summary: the text from `#1 priority` on is a YAML comment, so summary reads 'Fees' "
        "(put the value in quotes: `summary: 'Fees #1 priority'`)"]


def test_check_reports_every_problem_of_a_tree_at_once_sorted(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", CASES)
    expected = [line for case in sorted(CASES, key=lambda c: f"posts/{c}.md")
                for line in expected_lines(BAD / f"{case}.expected")]
    n_errors = sum(not is_warning(e) for e in expected)

    result = cli("-C", repo, "check")

    assert_exit(result, 1)
    *problems, summary = lines(result.stderr)
    assert problems == expected
    # sorted by file, then by line number (numerically)
    keys = [(m[1], int(m[2])) for m in (re.match(r"^(.+?):(\d+): ", p) for p in problems)]
    assert keys == sorted(keys)
    assert summary == f"notepress: {n_errors} problems, checked {len(CASES)} entries (fix them and run again)"


def test_entries_with_only_warnings_are_still_read(tmp_path):
    repo = make_repo(tmp_path / "repo", CASES)

    entries, report = read_entries(load_config(repo))

    read = {e.source for e in entries}
    assert {"posts/learning-field-on-essay.md", "posts/missing-audience.md", "posts/unknown-key-titel.md"} <= read
    invalid = ["audience-capitalised", "draft-quoted-false", "draft-yes", "unknown-type", "missing-title",
               "impossible-date", "impossible-date-quoted", "importance-out-of-range", "evidence-not-url",
               "unknown-competency", "unsafe-tag", "crlf-line-endings", "utf8-bom", "alias-bomb", "binary-nul",
               "latin1-bytes", "empty", "missing-front-matter", "unclosed-front-matter", "front-matter-list",
               "front-matter-scalar", "nested-too-deep", "date-far-future", "date-year-one",
               "next-step-dates-implausible"]
    assert read.isdisjoint(f"posts/{c}.md" for c in invalid)
    assert {p.path for p in report.errors} >= {f"posts/{c}.md" for c in invalid}


def format_problem(p: dict) -> str:
    """The text form of a JSON problem, written independently of Problem.__str__."""
    where = f"{p['path']}:{p['line']}" if p["line"] else p["path"]
    label = "warning: " if p["severity"] == "warning" else ""
    what = f"{p['field']}: {p['message']}" if p["field"] else p["message"]
    return f"{where}: {label}{what} ({p['fix']})"


def test_check_json_reports_the_same_problems(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", CASES)

    text = cli("-C", repo, "check")
    result = cli("-C", repo, "check", "--format", "json")

    assert_exit(result, 1)
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert all(p["severity"] == "error" for p in report["errors"])
    assert all(p["severity"] == "warning" for p in report["warnings"])
    as_text = sorted([format_problem(p) for p in report["errors"] + report["warnings"]],
                     key=lambda s: (s.split(":")[0], int(s.split(":")[1])))
    assert as_text == lines(text.stderr)[:-1]
    assert {p["path"] for p in report["errors"]} >= {"posts/binary-nul.md", "posts/alias-bomb.md"}


def test_check_json_ok_on_a_clean_tree(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", ["missing-audience"])

    result = cli("-C", repo, "check", "--format", "json")

    assert_exit(result, 0)
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["errors"] == []
    assert [format_problem(p) for p in report["warnings"]] == expected_lines(BAD / "missing-audience.expected")


def test_duplicate_slugs_name_both_files(copy_repo, cli):
    repo = copy_repo("duplicate-slug")

    result = cli("-C", repo, "check")

    assert_exit(result, 1)
    problems = lines(result.stderr)[:-1]
    assert problems == expected_lines(repo / "expected.txt")
    assert "posts/learning/2026-03-01-notes.md" in problems[0] and "posts/essays/pricing.md" in problems[0]


def test_crlf_and_bom_entry_parses_with_file_line_numbers(tmp_path):
    repo = tmp_path / "repo"
    (repo / "posts").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "entries" / "crlf-bom.md", repo / "posts" / "crlf-bom.md")

    entries, report = read_entries(load_config(repo))

    assert report.problems == []
    [entry] = entries
    assert (entry.slug, entry.title, entry.type, entry.audience) == (
        "crlf-bom", "Written on Windows", "learning", "internal")
    assert entry.loop.action == "Saved the file with Notepad."
    assert entry.loop.learning == "CRLF and a BOM are fine."
    assert entry.loop.competencies == ("execution",)
    assert "\r" not in entry.body and "\ufeff" not in entry.title
    assert entry.body.strip() == "First line of the body.\nSecond line."
    # the body's first text is on line 11 of the file, whatever the line endings and the BOM
    assert entry.body_line + entry.body[:entry.body.index("First")].count("\n") == 11
    assert (entry.line_of("title"), entry.line_of("audience"), entry.line_of("action")) == (2, 5, 7)


def test_missing_audience_is_a_warning_and_the_entry_stays_private(tmp_path):
    repo = make_repo(tmp_path / "repo", ["missing-audience"])

    entries, report = read_entries(load_config(repo))

    [entry] = entries
    assert entry.audience == "private"
    assert not visible(entry, Reader.PUBLIC)
    assert not visible(entry, Reader.PUBLIC, drafts=True)
    assert not visible(entry, Reader.TEAM)
    assert report.errors == []
    assert [str(p) for p in report.warnings] == expected_lines(BAD / "missing-audience.expected")


def test_unknown_competency_uses_the_configured_framework(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", ["unknown-competency"])
    (repo / "notepress.yml").write_text("competencies: [execution-speed, discovery]\n", encoding="utf-8")

    result = cli("-C", repo, "check")

    assert_exit(result, 1)
    assert lines(result.stderr)[0] == ("posts/unknown-competency.md:8: competencies: 'executon' is not in the "
                                       "competency framework (did you mean `execution-speed`?)")


DEEP = {  # file name -> front matter value nested `n` levels deep, and the line the problem is on
    "flow-list.md": (lambda n: f"summary: {'[' * n}{']' * n}\n", 6),
    "flow-mapping.md": (lambda n: f"summary: {'{a: ' * n}x{'}' * n}\n", 6),
    "block-list.md": (lambda n: f"summary:\n{'- ' * n}x\n", 7),
}


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_front_matter_nested_any_depth_is_one_problem_not_a_crash(depth, tmp_path):
    """PyYAML recurses (RecursionError at ~1,000 levels, a segfault of the C composer at ~100,000),
    so the command runs in its own interpreter: a crash fails this test instead of the session."""
    repo = tmp_path / "repo"
    (repo / "posts").mkdir(parents=True)
    for name, (value, _) in DEEP.items():
        (repo / "posts" / name).write_text(
            f"---\ntitle: Deep\ndate: 2026-03-02\ntype: essay\naudience: private\n{value(depth)}---\n\nBody.\n",
            encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(Path(notepress.__file__).parents[1])}  # this notepress
    result = subprocess.run([sys.executable, "-c", "from notepress.cli import main; main()", "-C", str(repo),
                             "check"], capture_output=True, text=True, timeout=60, env=env)

    assert result.returncode == 1, result.stderr[-2000:]
    assert lines(result.stderr) == [
        *(f"posts/{name}:{line}: yaml: nested more than 50 levels deep (write plain values and short lists)"
          for name, (_, line) in sorted(DEEP.items())),
        "notepress: 3 problems, checked 3 entries (fix them and run again)"]


def test_fifty_levels_are_read_and_fifty_one_are_refused():
    """The front matter's mapping is the first level."""
    report = Report(Path("/repo"))

    fine = load_mapping(f"a: {'[' * 49}{']' * 49}\n", "posts/a.md", 2, report)
    refused = load_mapping(f"a: {'[' * 50}{']' * 50}\n", "posts/a.md", 2, report)

    assert fine is not None and refused is None
    assert [str(p) for p in report.problems] == [
        "posts/a.md:2: yaml: nested more than 50 levels deep (write plain values and short lists)"]


@pytest.mark.parametrize("date", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_plausible_days_are_dates(date, tmp_path):
    repo = make_repo(tmp_path / "repo", [])
    (repo / "posts" / "edge.md").write_text(
        f"---\ntitle: Edge\ndate: {date}\ntype: essay\naudience: private\n---\n\nBody.\n", encoding="utf-8")

    [entry], report = read_entries(load_config(repo), today=dt.date.fromisoformat(date))  # not a year ahead

    assert report.problems == [] and entry.date.isoformat() == date


def test_a_folder_named_like_an_entry_is_not_an_entry(tmp_path, cli):
    repo = make_repo(tmp_path / "repo", ["missing-audience"])
    (repo / "posts" / "x.md").mkdir()

    result = cli("-C", repo, "check")

    assert_exit(result, 0)
    assert result.stdout.startswith("checked 1 entry: no errors")


def test_an_entry_that_cannot_be_read_is_one_problem(tmp_path, monkeypatch):
    """Running as root, permissions cannot make a file unreadable, so the read fails by hand."""
    repo = make_repo(tmp_path / "repo", ["missing-audience", "missing-title"])
    locked = repo / "posts" / "missing-title.md"
    read_bytes = Path.read_bytes

    def refuse(path):
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    entries, report = read_entries(load_config(repo), cache=False)

    assert [e.source for e in entries] == ["posts/missing-audience.md"]
    assert [str(p) for p in report.errors] == [
        "posts/missing-title.md: cannot be read: Permission denied (make it a readable file or remove it)"]


def test_entries_named_md_in_any_case_are_read(tmp_path):
    repo = make_repo(tmp_path / "repo", [])
    for name in ("Upper.MD", "Mixed.Md", "lower.md"):
        shutil.copyfile(BAD / "missing-audience.md", repo / "posts" / name)
    shutil.copyfile(BAD / "missing-audience.md", repo / "posts" / "notes.markdown.txt")

    entries, _ = read_entries(load_config(repo))

    assert sorted((e.source, e.slug) for e in entries) == [
        ("posts/Mixed.Md", "mixed"), ("posts/Upper.MD", "upper"), ("posts/lower.md", "lower")]


def test_nothing_under_a_dot_folder_is_read(tmp_path, cli):
    """Obsidian moves deleted notes to .trash/: a public one there must not be published again."""
    repo = make_repo(tmp_path / "repo", ["missing-audience"])
    for hidden in ("posts/.trash/old.md", "posts/.obsidian/plugins/x/README.md", "posts/essays/.drafts/a.md",
                   "posts/essays/.hidden.md"):
        (repo / hidden).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BAD / "missing-title.md", repo / hidden)

    entries, report = read_entries(load_config(repo))
    result = cli("-C", repo, "check")

    assert [e.source for e in entries] == ["posts/missing-audience.md"]
    assert report.errors == []
    assert_exit(result, 0)
    assert result.stdout.startswith("checked 1 entry: no errors")


def write_essay(repo: Path, date: str) -> Path:
    path = repo / "posts" / "essay.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: Ahead\ndate: {date}\ntype: essay\naudience: private\n---\n\nBody.\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("date, likely", [
    ("2027-11-24", "2025-11-24"),  # 366 days ahead; 2026-11-24 would still be ahead
    ("2028-11-03", "2026-11-03"),  # two years out: this year's 3 November is past
    ("2027-12-03", "2025-12-03"),  # 375 days ahead: this year's 3 December is still ahead
    ("2028-02-29", "2024-02-29"),
])
def test_a_date_more_than_a_year_ahead_suggests_the_likely_year(date, likely, tmp_path):
    write_essay(tmp_path, date)

    entries, report = read_entries(load_config(tmp_path), cache=False, today=dt.date(2026, 11, 23))

    assert entries == []
    assert [str(p) for p in report.problems] == [
        f"posts/essay.md:3: date: {date} is more than a year ahead of today (2026-11-23) "
        f"(write the real date, probably {likely})"]


def test_a_date_a_year_ahead_is_still_fine(tmp_path):
    write_essay(tmp_path, "2027-11-23")

    [entry], report = read_entries(load_config(tmp_path), cache=False, today=dt.date(2026, 11, 23))

    assert report.problems == [] and entry.date == dt.date(2027, 11, 23)


def test_the_cache_does_not_keep_yesterdays_verdict_on_a_date(tmp_path):
    write_essay(tmp_path, "2027-11-23")
    config = load_config(tmp_path)
    read_entries(config, today=dt.date(2026, 11, 23))  # fine today, and cached

    entries, report = read_entries(config, today=dt.date(2026, 11, 22))

    assert entries == []
    assert [p.field for p in report.errors] == ["date"]


def test_check_judges_dates_against_todays_date(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("NOTEPRESS_TODAY", "2026-11-23")  # the one clock's hook (notepress.clock)
    write_essay(tmp_path, "2028-11-03")

    result = cli("-C", tmp_path, "check")

    assert_exit(result, 1)
    assert lines(result.stderr)[0] == ("posts/essay.md:3: date: 2028-11-03 is more than a year ahead of today "
                                       "(2026-11-23) (write the real date, probably 2026-11-03)")
