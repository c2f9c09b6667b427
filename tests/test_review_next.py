"""`notepress next`: open next steps (overdue first) and `--done`, which edits exactly one line."""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, lines
from notepress import review
from notepress.audience import Reader

REVIEW = FIXTURES / "review"
TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def career(tmp_path) -> Path:
    return Path(shutil.copytree(REVIEW / "career", tmp_path / "career"))


def test_open_steps_overdue_first_then_by_due_date_then_undated(career):
    steps = review.next_steps(career, today=TODAY, reader=Reader.TEAM)

    assert [(s.slug, s.overdue, s.due, s.age) for s in steps] == [
        ("first-finance-review", True, dt.date(2026, 2, 10), 66),
        ("mentoring-retro", False, dt.date(2026, 3, 20), 4),  # due today is not overdue
        ("pricing-test-with-five-customers", False, dt.date(2026, 3, 27), 45),  # next_step_done: false
        ("coached-a-new-pm", False, None, 31),
    ]
    assert "priced-the-ach-tier" not in {s.slug for s in steps}  # done on 2026-01-19


def test_private_steps_unless_the_team_is_the_reader_and_drafts_never(career):
    steps = review.next_steps(career, today=TODAY)

    assert [s.slug for s in steps] == ["first-finance-review", "worried-about-the-reorg", "mentoring-retro",
                                      "pricing-test-with-five-customers", "coached-a-new-pm"]
    assert "draft-roadmap-thoughts" not in {s.slug for s in steps}
    assert "worried-about-the-reorg" not in {s.slug for s in review.next_steps(career, today=TODAY,
                                                                               reader=Reader.TEAM)}


def test_next_prints_each_open_step(career, cli):
    result = cli("-C", career, "next", "--today", "2026-03-20", "--audience", "internal")

    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == [
        "overdue  due 2026-02-10  age 66 days  first-finance-review",
        "         Run the pricing test with five customers",
        "         My first finance review of a pricing memo",
        "         posts/learning/2026-01-13-first-finance-review.md",
        "",
        "open     due 2026-03-20  age 4 days  mentoring-retro",
        "         Send written notes after every pairing session",
        "         A retro on three months of mentoring",
        "         posts/learning/2026-03-16-mentoring-retro.md",
        "",
        "open     due 2026-03-27  age 45 days  pricing-test-with-five-customers",
        "         Write up the pricing test for the VP",
        "         The pricing test with five customers",
        "         posts/learning/2026-02-03-pricing-test-with-five-customers.md",
        "",
        "open     no due date     age 31 days  coached-a-new-pm",
        "         Pair on the next discovery interview",
        "         Coached a new PM through her first discovery call",
        "         posts/learning/2026-02-17-coached-a-new-pm.md",
        "",
        "4 open next steps, 1 overdue",
    ]
    assert lines(result.stderr) == ["mark one done: notepress next --done SLUG"]


def test_next_without_open_steps(tmp_path, cli):
    shutil.copytree(REVIEW / "done-errors", tmp_path / "repo")

    result = cli("-C", tmp_path / "repo", "next", "--today", "2026-03-20")

    assert result.exit_code == 0
    assert result.stdout == ("no open next steps\n"  # and the newest learning entry is older than cadence_days
                             "Last check-in 2026-03-01, 19 days ago: older than the cadence of 14 days "
                             "(run `notepress checkin`)\n")
    assert lines(result.stderr) == ["notepress: showing every entry you wrote, private ones included "
                                    "(--audience internal: only what your team may see)"]


def test_done_then_the_step_is_no_longer_open(career, cli):
    result = cli("-C", career, "next", "--done", "coached-a-new-pm", "--on", "2026-03-18")

    assert result.exit_code == 0, result.output
    assert result.stdout == "posts/learning/2026-02-17-coached-a-new-pm.md: next_step_done: 2026-03-18\n"
    assert "coached-a-new-pm" not in {s.slug for s in review.next_steps(career, today=TODAY)}


# --- --done edits one line and nothing else -------------------------------------------------------------

CASES = sorted(p.name for p in (REVIEW / "done").iterdir())
VARIANTS = {
    "lf": lambda b: b,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "bom": lambda b: codecs.BOM_UTF8 + b,
    "bom-crlf": lambda b: codecs.BOM_UTF8 + b.replace(b"\n", b"\r\n"),
}


def split(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", CASES)
def test_done_changes_only_the_done_line_byte_for_byte(case, variant, tmp_path, cli):
    convert = VARIANTS[variant]
    before = convert((REVIEW / "done" / case / "entry.md").read_bytes())
    expected = convert((REVIEW / "done" / case / "expected.md").read_bytes())
    path = tmp_path / "posts" / "learning" / "entry.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(before)

    result = cli("-C", tmp_path, "next", "--done", "the-step", "--on", "2026-03-20")

    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after == expected
    old, new = split(before), split(after)
    eol = b"\r\n" if "crlf" in variant else b"\n"
    changed = [i for i, line in enumerate(new) if line.startswith(b"next_step_done:")]
    assert len(changed) == 1
    i = changed[0]
    assert new[i] in (b"next_step_done: 2026-03-20" + eol, b"next_step_done: 2026-03-20  # flip when done" + eol)
    if len(new) == len(old) + 1:  # inserted: removing it gives the original back
        assert new[:i] + new[i + 1:] == old
    else:  # replaced in place
        assert len(new) == len(old)
        assert new[:i] + new[i + 1:] == old[:i] + old[i + 1:]
    assert after.startswith(codecs.BOM_UTF8) == variant.startswith("bom")


def test_done_keeps_the_comment_of_the_template_and_inserts_after_the_due_line():
    expected = (REVIEW / "done" / "absent-after-due" / "expected.md").read_text(encoding="utf-8").splitlines()
    i = expected.index("next_step_done: 2026-03-20")
    assert expected[i - 1] == "next_step_due: 2026-03-10  # YYYY-MM-DD"
    assert expected[i + 1] == "# next_step_done: YYYY-MM-DD  # uncomment when done"


@pytest.mark.parametrize("slug, message", [
    ("pricing", 'slug: no entry has the slug "pricing" (run `notepress next` to see the slugs of open steps)'),
    ("no-next-stp", 'slug: no entry has the slug "no-next-stp" (did you mean "no-next-step"?)'),
    ("an-essay", 'posts/essays/an-essay.md:4: type: "an-essay" is an essay, not a learning entry '
                 "(only learning entries have a next step)"),
    ("no-next-step", "posts/learning/no-next-step.md:1: next_step: is empty, so there is no next step to mark done "
                     "(write the next step first)"),
])
def test_done_errors_are_one_line_and_exit_1(slug, message, tmp_path, cli):
    repo = Path(shutil.copytree(REVIEW / "done-errors", tmp_path / "repo"))
    before = {p: p.read_bytes() for p in repo.rglob("*.md")}

    result = cli("-C", repo, "next", "--done", slug)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert lines(result.stderr) == [message]
    assert {p: p.read_bytes() for p in repo.rglob("*.md")} == before


def test_done_on_a_step_already_done_leaves_the_file_alone(tmp_path, cli):
    repo = Path(shutil.copytree(REVIEW / "done-errors", tmp_path / "repo"))
    path = repo / "posts" / "learning" / "already-done.md"
    before = path.read_bytes()

    result = cli("-C", repo, "next", "--done", "already-done", "--on", "2026-03-20")

    assert result.exit_code == 0
    assert result.stdout == "posts/learning/already-done.md: already done on 2026-03-05, left unchanged\n"
    assert path.read_bytes() == before


def test_on_without_done_is_a_usage_error(career, cli):
    result = cli("-C", career, "next", "--on", "2026-03-20")

    assert result.exit_code == 2
    assert "--on goes with --done SLUG" in result.stderr


def test_help_has_an_example(cli):
    assert "Example" in cli("next", "--help").stdout


def test_done_refuses_an_edit_that_would_change_another_field(tmp_path, cli):
    repo = Path(shutil.copytree(REVIEW / "done-unsafe", tmp_path / "repo"))
    path = repo / "posts" / "learning" / "unsafe.md"
    before = path.read_bytes()

    result = cli("-C", repo, "next", "--done", "unsafe", "--on", "2026-03-20")

    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "posts/learning/unsafe.md:9: next_step_done: cannot be set without changing other lines "
        "(add `next_step_done: 2026-03-20` by hand)"]
    assert path.read_bytes() == before


def test_done_keeps_the_file_mode_and_writes_through_a_symlink(tmp_path, cli):
    real = tmp_path / "elsewhere" / "entry.md"
    real.parent.mkdir()
    real.write_bytes((REVIEW / "done" / "present-empty" / "entry.md").read_bytes())
    real.chmod(0o600)
    link = tmp_path / "repo" / "posts" / "learning" / "entry.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(real)

    result = cli("-C", tmp_path / "repo", "next", "--done", "the-step", "--on", "2026-03-20")

    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_bytes() == (REVIEW / "done" / "present-empty" / "expected.md").read_bytes()
    assert real.stat().st_mode & 0o777 == 0o600
