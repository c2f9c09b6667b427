"""Goals, the guided check-in and the calendar of next steps, on a fixture repo with known answers
(tests/fixtures/review/goals): two internal goals (one with two actions and an overdue step, one
with none) and a private goal served by a private entry."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar

from conftest import FIXTURES, expected_lines, lines
from notepress import review
from notepress.audience import Reader

REVIEW = FIXTURES / "review"
TODAY = dt.date(2026, 3, 20)
MARGIN = "posts/learning/2026-03-03-margin-hypothesis.md"


@pytest.fixture
def repo(tmp_path) -> Path:
    return Path(shutil.copytree(REVIEW / "goals", tmp_path / "goals"))


def test_goals_lists_actions_evidence_learning_open_steps_and_stale_goals(repo, cli):
    result = cli("-C", repo, "goals", "--today", TODAY.isoformat(), "--audience", "internal")

    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == expected_lines(REVIEW / "expected" / "goals.txt")


def test_goals_known_answers(repo):
    g = review.goals(repo, today=TODAY, reader=Reader.TEAM)

    assert [x.slug for x in g.goals] == ["speak-at-a-meetup", "lead-payments"]  # nearest horizon first
    lead = g.goals[1]
    assert [(a.date, a.slug) for a in lead.actions] == [(dt.date(2026, 2, 10), "walked-the-pnl"),
                                                         (dt.date(2026, 3, 3), "margin-hypothesis")]
    assert [(s.slug, s.overdue, s.due) for s in lead.steps] == [("margin-hypothesis", True, dt.date(2026, 3, 10))]
    assert (lead.days_since, lead.stale) == (17, True)
    assert [x.slug for x in g.stale] == ["speak-at-a-meetup", "lead-payments"]
    assert (g.cadence.last, g.cadence.since, g.cadence.stale) == (dt.date(2026, 3, 3), 17, True)
    # On March 10 the last action is 7 days old: on track, and the check-in recent enough.
    early = review.goals(repo, today=dt.date(2026, 3, 10), reader=Reader.TEAM)
    assert [x.slug for x in early.stale] == ["speak-at-a-meetup"]
    assert early.cadence.message() == ""


def test_a_private_goal_is_shown_unless_the_output_is_for_the_team(repo, cli):
    assert "outside-mentor" not in cli("-C", repo, "goals", "--today", "2026-03-20", "--audience", "internal").stdout
    result = cli("-C", repo, "goals", "--today", "2026-03-20")

    assert result.stderr == ("notepress: showing every entry you wrote, private ones included (--audience internal: "
                             "only what your team may see)\n")
    assert cli("-C", repo, "goals", "--today", "2026-03-20", "--include-private").stdout == result.stdout  # deprecated
    assert result.stdout.startswith("Contains: private, internal and public entries\n")
    assert "Find a mentor outside the company [outside-mentor] (private)" in result.stdout
    assert "    due 2026-03-25: Send her three questions before the call  [private-mentor-call]" in result.stdout
    assert "Last check-in" not in result.stdout  # the private entry of March 12 is 8 days old


def test_next_and_stats_say_when_the_last_checkin_is_older_than_the_cadence(repo, cli):
    late = ("Last check-in 2026-03-03, 17 days ago: older than the cadence of 14 days "
            "(run `notepress checkin`)")
    team = ("--audience", "internal")  # the private entry of March 12 is a check-in the team does not see
    assert lines(cli("-C", repo, "next", "--today", "2026-03-20", *team).stdout)[-1] == late
    assert lines(cli("-C", repo, "stats", "--until", "2026-03-20", *team).stdout)[-1] == late
    assert "Last check-in" not in cli("-C", repo, "next", "--today", "2026-03-20").stdout
    (repo / "notepress.yml").write_text("cadence_days: 30\n", encoding="utf-8")
    assert "Last check-in" not in cli("-C", repo, "next", "--today", "2026-03-20", *team).stdout


def test_a_learning_entry_naming_an_unknown_goal_is_an_error_with_its_line(repo, cli):
    path = repo / MARGIN
    path.write_text(path.read_text().replace("goals: [lead-payments]", "goals: [lead-payment]"))

    result = cli("-C", repo, "check")

    assert result.exit_code == 1
    assert f"{MARGIN}:7: goals: 'lead-payment' is not a goal entry (did you mean `lead-payments`?)" in result.stderr


@pytest.mark.parametrize("change, message", [
    (("horizon: 2027-03-31", "horizon: 2026-01-01"),
     "horizon: 2026-01-01 is not after the goal's date 2026-01-05 (write the day you want to have reached it, "
     "12 to 18 months ahead)"),
    (("want: Own the payments roadmap, from pricing to reconciliation.\n", ""),
     "want: is missing (add `want: ...` to the front matter)"),
    (("horizon: 2027-03-31", "horizon: 2029-03-31"),
     ":11: warning: horizon: 2029-03-31 is more than 18 months after 2026-01-05 (a tour of duty is 12 to 18 months: "
     "set a nearer horizon, or split the goal)"),
])
def test_goal_fields_are_checked(change, message, repo, cli):
    path = repo / "posts/goals/2026-01-05-lead-payments.md"
    path.write_text(path.read_text().replace(*change))

    result = cli("-C", repo, "check")

    assert message in result.stderr
    assert "Traceback" not in result.output


def _ics_events(path: Path) -> list:
    calendar = Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def test_next_ics_writes_the_dated_open_steps_as_all_day_events(repo, cli, tmp_path):
    ics = tmp_path / "steps.ics"

    result = cli("-C", repo, "next", "--today", "2026-03-20", "--include-private", "--ics", ics)

    assert result.exit_code == 0, result.output
    assert f"{ics}: 2 next steps as calendar events" in result.stderr
    events = _ics_events(ics)
    assert [(str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"), str(e["uid"])) for e in events] == [
        ("Pull ACH adoption by segment", dt.date(2026, 3, 10), dt.date(2026, 3, 11),
         "margin-hypothesis.next-step@notepress"),
        ("Send her three questions before the call", dt.date(2026, 3, 25), dt.date(2026, 3, 26),
         "private-mentor-call.next-step@notepress"),
    ]
    assert "Contains: private, internal and public entries" in str(events[0]["description"])
    # Without --include-private, the private step stays out of the calendar too.
    cli("-C", repo, "next", "--today", "2026-03-20", "--ics", ics)
    assert [str(e["summary"]) for e in _ics_events(ics)] == ["Pull ACH adoption by segment"]


CHECKIN = """---
title: Pulled ACH adoption by segment
date: 2026-03-20
type: learning
audience: internal
slug: pulled-ach-adoption-by-segment
goals: [lead-payments]
competencies: [business-acumen, leadership]
action: Pull ACH adoption by segment
outcome: 'Mid-market: 61% ACH; small business: 12%.'
learning: Small businesses do not choose ACH because nobody offers it at checkout.
next_step: Propose ACH as the default at checkout for invoices under $500
next_step_due: 2026-03-27
---

I did what I set out to do in “[[margin-hypothesis]]”.
"""


def _changed_lines(before: str, after: str) -> list[str]:
    return [d for d in difflib.ndiff(before.splitlines(), after.splitlines()) if d[:1] in "+-"]


def test_checkin_through_options_writes_the_entry_and_changes_only_the_done_line(repo, cli):
    before = (repo / MARGIN).read_text()

    result = cli("-C", repo, "checkin", "--today", "2026-03-20", "--did", "--title", "Pulled ACH adoption by segment",
                 "--outcome", "Mid-market: 61% ACH; small business: 12%.",
                 "--learning", "Small businesses do not choose ACH because nobody offers it at checkout.",
                 "--next-step", "Propose ACH as the default at checkout for invoices under $500",
                 "--due", "2026-03-27", "--audience", "internal", "--yes")  # --yes: the earlier goals

    assert result.exit_code == 0, result.output
    new = "posts/learning/2026-03-20-pulled-ach-adoption-by-segment.md"
    assert lines(result.stdout)[-2:] == [new, f"{MARGIN}: next_step_done: 2026-03-20"]
    assert (repo / new).read_text() == CHECKIN  # goals and competencies carried from the earlier entry
    assert _changed_lines(before, (repo / MARGIN).read_text()) == ["+ next_step_done: 2026-03-20"]
    assert cli("-C", repo, "check").exit_code == 0
    g = review.goals(repo, today=TODAY, reader=Reader.TEAM).goals[1]
    assert ([a.slug for a in g.actions][-1], g.stale, [s.slug for s in g.steps]) == (
        "pulled-ach-adoption-by-segment", False, ["pulled-ach-adoption-by-segment"])


def test_checkin_through_prompts_a_step_not_done_is_carried_over(repo, cli):
    from click.testing import CliRunner

    from notepress.cli import main

    before = (repo / MARGIN).read_text()
    answers = ["n", "The quarter close took the week", "A step without a slot in my calendar does not happen",
               "", "", "2026-03-27", "lead-payments", "", "", "Not yet: ACH by segment"]
    result = CliRunner().invoke(main, ["-C", str(repo), "checkin", "--today", "2026-03-20"],
                                input="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    assert "1. [overdue, due 2026-03-10] Pull ACH adoption by segment  (margin-hypothesis)" in result.stdout
    assert "Your goals: lead-payments (Lead the payments area), speak-at-a-meetup (Speak at a product meetup), " \
           "outside-mentor (Find a mentor outside the company)" in result.stdout
    text = (repo / "posts/learning/2026-03-20-not-yet-ach-by-segment.md").read_text()
    assert text == """---
title: 'Not yet: ACH by segment'
date: 2026-03-20
type: learning
audience: private
slug: not-yet-ach-by-segment
goals: [lead-payments]
competencies: [business-acumen, leadership]
action: 'Did not do it: Pull ACH adoption by segment'
outcome: The quarter close took the week
learning: A step without a slot in my calendar does not happen
next_step: Pull ACH adoption by segment
next_step_due: 2026-03-27
---

I have not yet done what I set out to do in “[[margin-hypothesis]]”: it is my next step again.
"""
    assert _changed_lines(before, (repo / MARGIN).read_text()) == [
        "+ next_step_carried: not-yet-ach-by-segment"]


@pytest.mark.parametrize("args, message", [
    (["--goal", "lead-paymentz"], "--goal: 'lead-paymentz' is not a goal (use one of: lead-payments, "
                                  "speak-at-a-meetup, outside-mentor)"),
    (["--due", "2026-03-01"], "--due: 2026-03-01 is before today (2026-03-20) (a next step is due from today on)"),
    (["--competency", "charm"], "--competency: 'charm' is not in the competency framework"),
    (["--on", "walked-the-pnl"], "posts/learning/2026-02-10-walked-the-pnl.md:14: next_step_done: is set: that step "
                                 "is closed already (check in on an open step (notepress next))"),
])
def test_checkin_bad_input_is_one_line_naming_the_option_and_the_fix(args, message, repo, cli):
    before = sorted(p.name for p in repo.rglob("*.md"))

    result = cli("-C", repo, "checkin", "--today", "2026-03-20", "--did", "--learning", "x", "--next-step", "y",
                 "--due", "2026-03-27", "--title", "t", "--yes", *args)

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(lines(result.stderr)) == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert sorted(p.name for p in repo.rglob("*.md")) == before  # nothing written


def test_a_first_checkin_without_open_steps_asks_what_you_did(tmp_path, cli):
    repo = tmp_path / "empty"
    (repo / "posts").mkdir(parents=True)
    (repo / "notepress.yml").write_text("", encoding="utf-8")

    result = cli("-C", repo, "checkin", "--today", "2026-03-20", "--action", "Read the pricing memo",
                 "--learning", "Margins first", "--next-step", "Ask finance one question", "--yes")

    assert result.exit_code == 0, result.output
    assert "No open next step: this is a first check-in." in result.stdout
    text = (repo / "posts/learning/2026-03-20-read-the-pricing-memo.md").read_text()
    assert "action: Read the pricing memo\n" in text and "next_step_due: 2026-03-27\n" in text  # a week by default


@pytest.mark.parametrize("command", ["goals", "checkin", "share"])
def test_help_has_an_example(command, cli):
    assert "Example:" in cli(command, "--help").stdout
