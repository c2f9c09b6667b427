"""Issue 21, the writer's daily loop, from `notepress init`. One half-written entry blocks nothing but
itself: `notepress new learning` left as it is written (empty `action` and `learning`, private), the
review tools and a newsletter draft go on with the valid entries and name the broken file; a build
warns of it and builds while it is private, and refuses it once it is public or its audience cannot
be read; a newsletter send refuses it. The writer's own tools show what the writer wrote, private
included; `stats` counts from the week of the first entry."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from e2e_helpers import TODAY, run_cli
from notepress.review.stats import monday, week_label

TITLE = "Half written idea"


def line_of(path: Path, key: str) -> int:
    """The line of `key:` in the entry's front matter (the template's layout may change)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def set_field(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^{key}:.*$", lambda m: f"{key}: {value}", text, count=1), encoding="utf-8")


@pytest.fixture(scope="module")
def half_written(initialized, tmp_path_factory) -> Path:
    """`notepress init`, then `notepress new learning "Half written idea"`, not filled in."""
    root = tmp_path_factory.mktemp("half") / "notes"
    shutil.copytree(initialized, root, ignore=shutil.ignore_patterns(".git"))
    result = run_cli("-C", str(root), "new", "learning", TITLE)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def half(half_written, tmp_path) -> tuple[Path, str]:
    """A copy of `half_written` for one test, and the half-written entry's path in it."""
    root = Path(shutil.copytree(half_written, tmp_path / "notes"))
    return root, next(p.relative_to(root).as_posix() for p in (root / "posts").rglob("*half-written-idea.md"))


def missing(root: Path, rel: str, key: str) -> str:
    """The problem line of the half-written entry's empty `key`, as `check` prints it."""
    return f"{rel}:{line_of(root / rel, key)}: {key}: is missing (add `{key}: ...` to the front matter)"


# -- the build refuses only what could reach the public --------------------------------------------------

def test_a_build_goes_on_without_a_broken_private_entry_and_refuses_it_public(half, engine):
    root, rel = half
    result = run_cli("-C", str(root), "build", "--engine", engine)

    assert result.exit_code == 0, result.output
    warned = missing(root, rel, "action").replace(": action: is missing (", ": warning: action: is missing; the build "
                                                  "goes on without this private entry until it is fixed (")
    assert warned in result.stderr
    assert (root / "site" / "index.html").is_file()
    assert not [p for p in (root / "site").rglob("*") if "half-written" in p.name]
    built = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}

    set_field(root / rel, "audience", "public")
    refused = run_cli("-C", str(root), "build", "--engine", engine)
    assert refused.exit_code == 1
    assert missing(root, rel, "action") in refused.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == built  # the last good site

    set_field(root / rel, "audience", "private")
    strict = run_cli("-C", str(root), "build", "--engine", engine, "--strict")
    assert strict.exit_code == 1 and missing(root, rel, "action") in strict.stderr


@pytest.mark.parametrize("audience", ["Private", '""', "[private]"])
def test_a_broken_entry_whose_audience_cannot_be_read_stops_the_build(half, audience):
    root, rel = half
    set_field(root / rel, "audience", audience)

    result = run_cli("-C", str(root), "build")

    assert result.exit_code == 1
    assert missing(root, rel, "action") in result.stderr
    assert f"{rel}:{line_of(root / rel, 'audience')}: audience: " in result.stderr
    assert not (root / "site").exists()


def test_an_entry_whose_yaml_cannot_be_read_stops_the_build_and_not_the_review_tools(half):
    root, rel = half
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: [", 1), encoding="utf-8")

    built = run_cli("-C", str(root), "build")
    steps = run_cli("-C", str(root), "next")

    assert built.exit_code == 1 and f"{rel}:" in built.stderr
    assert not (root / "site").exists()
    assert steps.exit_code == 0, steps.output
    assert f"{rel}:" in steps.stderr and GOING_ON in steps.stderr


def test_a_private_entry_left_out_for_a_public_entry_s_slug_stops_the_build(half):
    root, rel = half
    for key, value in (("action", "Listened"), ("learning", "Listening works"),
                       ("slug", "five-support-calls-in-one-week")):  # init's public learning entry's slug
        set_field(root / rel, key, value)

    result = run_cli("-C", str(root), "build")

    assert result.exit_code == 1
    assert f'{rel}:{line_of(root / rel, "slug")}: slug: "five-support-calls-in-one-week" is also the slug of' \
        in result.stderr
    assert not (root / "site").exists()


def test_the_customer_of_a_broken_private_insight_stays_confidential(half):
    root, _ = half
    assert run_cli("-C", str(root), "new", "insight", "Zephyr call").exit_code == 0
    insight = next((root / "posts").rglob("*zephyr-call.md"))
    set_field(insight, "customer", "Zephyr Foods")  # `themes: []` left empty: the insight has an error
    set_field(insight, "audience", "private")
    essay = next((root / "posts").rglob("*why-i-write-down-what-i-learn.md"))
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA call with Zephyr Foods changed my mind.\n",
                     encoding="utf-8")

    result = run_cli("-C", str(root), "build")

    assert result.exit_code == 1
    rel = essay.relative_to(root).as_posix()
    assert re.search(rf'{re.escape(rel)}:\d+: body: confidential term "Zephyr Foods"', result.stderr), result.stderr
    assert not (root / "site").exists()


# -- the commands that do not publish go on with the valid entries ---------------------------------------

GOING_ON = ("notepress: going on without 1 entry with errors: fix it, or write `draft: true` in a half-written "
            "entry to keep it out of everything until it is ready (notepress check lists every problem)")
SENDER = "\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [team@example.com]\n"


@pytest.mark.parametrize("args, shows", [
    (["next"], "Turn each call into an insight note"),  # init's example learning entry's step
    (["goals"], "Understand onboarding end to end [understand-onboarding] (private)"),
    (["stats"], "Entries per week"),
    (["portfolio"], "# Portfolio"),
])
def test_the_review_tools_go_on_and_name_the_broken_file(half, args, shows):
    root, rel = half
    result = run_cli("-C", str(root), *args)

    assert result.exit_code == 0, result.output
    assert shows in result.stdout
    assert result.stderr.splitlines()[:3] == [missing(root, rel, "action"), missing(root, rel, "learning"), GOING_ON]


def test_a_checkin_a_newsletter_draft_and_its_send_go_on(half):
    root, rel = half
    checkin = run_cli("-C", str(root), "checkin", "--did", "--outcome", "Four calls were about setup",
                      "--learning", "Listening groups problems by the job", "--next-step", "Draft the setup checklist",
                      "--due", "2026-12-04", "--yes")
    assert checkin.exit_code == 0, checkin.output
    assert checkin.stderr.splitlines()[:3] == [missing(root, rel, "action"), missing(root, rel, "learning"), GOING_ON]
    written = root / checkin.stdout.splitlines()[-2]
    assert "Draft the setup checklist" in written.read_text(encoding="utf-8")

    drafted = run_cli("-C", str(root), "newsletter", "draft")
    assert drafted.exit_code == 0, drafted.output
    assert GOING_ON in drafted.stderr and missing(root, rel, "action") in drafted.stderr

    config = root / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + SENDER, encoding="utf-8")
    sent = run_cli("-C", str(root), "newsletter", "send", "1", "--dry-run")
    assert sent.exit_code == 0, sent.output  # the issue does not show the private half-written entry
    assert sent.stderr.splitlines()[:3] == [missing(root, rel, "action"), missing(root, rel, "learning"), GOING_ON]
    assert "would send to team@example.com" in sent.stdout


def test_send_refuses_an_error_in_an_entry_the_issue_shows(half):
    root, rel = half
    config = root / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + SENDER, encoding="utf-8")
    drafted = run_cli("-C", str(root), "newsletter", "draft")
    assert drafted.exit_code == 0, drafted.output
    shown = json.loads(next((root / "newsletters").glob("001-*/issue.json")).read_text(encoding="utf-8"))["entries"]
    insight, slug = next((p, slug) for p in sorted((root / "posts").rglob("*.md")) for slug in shown
                         if p.stem.endswith(slug) and "\ntype: insight\n" in p.read_text(encoding="utf-8"))
    set_field(insight, "importance", "7")  # an edit after the draft, with an error
    irel = insight.relative_to(root).as_posix()

    for args in (["--dry-run"], ["--test", "me@example.com", "--dry-run"]):
        refused = run_cli("-C", str(root), "newsletter", "send", "1", *args)

        assert refused.exit_code == 1, refused.output
        assert f"{irel}:{line_of(insight, 'importance')}: importance: '7' is not a whole number from 0 to 3; issue #1 " \
            "shows this entry, so it is not sent until this is fixed" in refused.stderr
        assert "half-written-idea" not in refused.stderr  # the issue does not show it
        assert "would send" not in refused.stdout

    set_field(insight, "importance", "1")
    set_field(root / rel, "slug", slug)  # the half-written entry takes its name: which one is meant?
    ambiguous = run_cli("-C", str(root), "newsletter", "send", "1", "--dry-run")
    assert ambiguous.exit_code == 1, ambiguous.output
    assert missing(root, rel, "action").replace(" (add", "; issue #1 shows this entry, so it is not sent until this "
                                                "is fixed (add") in ambiguous.stderr


def test_draft_true_keeps_a_half_written_entry_out_of_everything(half):
    root, rel = half
    set_field(root / rel, "audience", "private\ndraft: true")

    result = run_cli("-C", str(root), "goals")

    assert result.exit_code == 0, result.output
    assert result.stderr == ("notepress: showing every entry you wrote, private ones included (--audience internal: "
                             "only what your team may see)\n")


# -- the writer's own tools show what the writer wrote ---------------------------------------------------

def test_on_a_fresh_init_goals_and_next_show_the_private_entries(init_copy):
    written = run_cli("-C", str(init_copy), "new", "learning", "Asked finance about refunds")
    entry = init_copy / written.stdout.strip()
    for key, value in (("action", "Asked finance how refunds are booked"), ("learning", "Refunds net off revenue"),
                       ("next_step", "Read the refund policy"), ("goals", "[understand-onboarding]")):
        set_field(entry, key, value)

    goals = run_cli("-C", str(init_copy), "goals")
    steps = run_cli("-C", str(init_copy), "next")
    team = run_cli("-C", str(init_copy), "next", "--audience", "internal")

    assert goals.exit_code == 0 and steps.exit_code == 0, goals.output + steps.output
    assert "Understand onboarding end to end [understand-onboarding] (private)" in goals.stdout
    assert "[asked-finance-about-refunds]" in goals.stdout
    assert "Read the refund policy" in steps.stdout and "Read the refund policy" not in team.stdout
    assert "private ones included" in steps.stderr and "private ones included" not in team.stderr


def test_stats_counts_from_the_week_of_the_first_entry(initialized):
    dates = [dt.date.fromisoformat(m.group(1)) for p in (initialized / "posts").rglob("*.md")
             for m in [re.search(r"(?m)^date: (\S+)", p.read_text(encoding="utf-8"))] if m]
    first = monday(min(dates))
    weeks = (monday(TODAY) - first).days // 7 + 1
    assert weeks < 12  # init's examples are of the last weeks: 12 weeks back would start with empty ones

    result = run_cli("-C", str(initialized), "stats")

    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[1] == f"Period: {first} to {TODAY} ({weeks} week{'s' if weeks > 1 else ''})"
    assert rows[4].startswith(f"  {week_label(first)}  ") and not rows[4].endswith(" 0")
