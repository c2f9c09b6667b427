"""What notepress writes is valid YAML whatever the writer typed (issue 21), from `notepress init`: any
title through `new`, any answers through `checkin`, make front matter that `check` accepts and that
reads back as typed; a template's commented line uncomments to a value, not a trap; `new` outside a
writing repo writes nothing and says how to start one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from e2e_helpers import TODAY, output, run_cli
from notepress.entries import parse_entry
from notepress.problems import Report
from notepress.project import Project

EARLIER = "five-support-calls-in-one-week"  # init's learning entry, its next step open
# What a writer may type: any text but lone surrogates (which no terminal or file holds), with the
# characters YAML treats specially made likely: ': ', ' #', quotes, brackets, leading indicators.
TYPED = st.lists(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(
    [": ", " #", "'", '"', "[", "]", "{", "}", "- ", "? ", "!", "&", "*", "%", "@", "`", "|", ">", ",", "\n", "\t",
     "no", "yes", "null", "~", "2026-11-24", "0x1F", ".inf"])), min_size=1, max_size=12).map("".join)
WORDED = TYPED.filter(lambda t: any(c.isalnum() and c.isascii() for c in t) and t.strip())
EXAMPLES = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def repo(initialized, tmp_path_factory) -> Path:
    """init's repo, shared by a property's examples: each removes what it wrote."""
    return Path(shutil.copytree(initialized, tmp_path_factory.mktemp("typed") / "notes"))


def read_back(repo: Path, rel: str):
    """The entry as `check` reads it, and its problems (the file's own)."""
    project = Project.open(repo)
    report = Report(repo)
    path = repo / rel
    data = path.read_bytes()
    yaml.safe_load(data.decode("utf-8").split("\n---", 1)[0].removeprefix("---\n"))  # plain YAML, too
    return parse_entry(path, data, project.config, report), report.problems


@EXAMPLES
@given(title=WORDED)
def test_any_title_makes_an_entry_check_accepts_and_reads_back(repo, title):
    made = run_cli("-C", str(repo), "new", "essay", "--", title)  # "--": a title may start with "-"
    assert made.exit_code == 0, output(made)
    rel = made.stdout.strip()
    try:
        entry, problems = read_back(repo, rel)
        assert problems == []
        assert entry.title == " ".join(title.split())
        checked = run_cli("-C", str(repo), "check")
        assert checked.exit_code == 0, output(checked)
        assert all("is a placeholder line of the template" in line for line in checked.output.splitlines()
                   if rel in line), output(checked)  # the essay template's body, a warning in a draft
    finally:
        (repo / rel).unlink()


@EXAMPLES
@given(title=WORDED, learning=TYPED.filter(str.strip), outcome=TYPED, step=TYPED.filter(str.strip))
def test_any_checkin_answers_make_an_entry_check_accepts_and_reads_back(repo, title, learning, outcome, step):
    [earlier] = repo.glob(f"posts/learning/*-{EARLIER}.md")
    before = earlier.read_bytes()
    done = run_cli("-C", str(repo), "checkin", "--on", EARLIER, "--did", "--title", title, "--learning", learning,
                   "--outcome", outcome, "--next-step", step, "--yes")
    try:
        assert done.exit_code == 0, output(done)
        rel = done.stdout.splitlines()[-2]
        entry, problems = read_back(repo, rel)
        assert problems == []
        assert (entry.title, entry.loop.learning, entry.loop.outcome, entry.loop.next_step) == (
            " ".join(title.split()), learning.strip(), outcome.strip(), step.strip())
        checked = run_cli("-C", str(repo), "check")
        assert checked.exit_code == 0 and rel not in checked.output, output(checked)
    finally:
        for path in repo.glob(f"posts/learning/{TODAY}-*.md"):
            path.unlink()
        earlier.write_bytes(before)


def test_the_templates_commented_lines_uncomment_to_values(init_copy):
    for etype in ("learning", "essay"):
        rel = run_cli("-C", str(init_copy), "new", etype, f"A {etype} to fill in").stdout.strip()
        path = init_copy / rel
        text = path.read_text(encoding="utf-8").replace("# summary:", "summary:")
        text = text.replace('action: ""', 'action: "Asked"').replace('learning: ""', 'learning: "Ask first"')
        path.write_text(text.replace('summary: ""', 'summary: "Pricing: what finance taught me"'), encoding="utf-8")
        project = Project.open(init_copy)
        entry = parse_entry(path, path.read_bytes(), project.config, Report(init_copy))
        assert entry is not None and entry.summary == "Pricing: what finance taught me"


def test_a_colon_inside_a_value_is_one_line_with_the_line_to_write(init_copy):
    rel = run_cli("-C", str(init_copy), "new", "learning", "Asked finance").stdout.strip()
    path = init_copy / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('action: ""', "action: Asked finance: they said no"), encoding="utf-8")
    line = text[:text.index('action: ""')].count("\n") + 1

    checked = run_cli("-C", str(init_copy), "check")

    assert checked.exit_code == 1
    assert f"{rel}:{line}: yaml: the ': ' inside the value of `action` reads as the start of another key (put the " \
           f"value in quotes: `action: 'Asked finance: they said no'  # the small action I took`)" in checked.stderr


def test_new_outside_a_writing_repo_writes_nothing_and_says_how_to_start_one(initialized, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    outside = run_cli("-C", str(elsewhere), "new", "learning", "Half written idea")

    assert outside.exit_code == 1 and outside.stdout == ""
    assert outside.stderr.splitlines()[0] == (
        f"notepress.yml: not found in {elsewhere.resolve()}: this folder is not a writing repo (start one with `notepress init "
        "FOLDER`, or run it in your writing repo or with -C FOLDER)")
    assert list(elsewhere.iterdir()) == []  # inside a writing repo's folders, its repo: test_user_walk
