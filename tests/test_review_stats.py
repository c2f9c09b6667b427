"""`notepress stats`: entries per ISO week, streaks, insights per theme per week, competency coverage."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, expected_lines, lines
from notepress import review
from notepress.audience import Reader
from notepress.review.stats import monday, streaks, week_label

REVIEW = FIXTURES / "review"
UNTIL = dt.date(2026, 3, 20)  # a Friday of 2026-W12


@pytest.fixture
def career(tmp_path) -> Path:
    return Path(shutil.copytree(REVIEW / "career", tmp_path / "career"))


def test_entries_per_iso_week(career):
    s = review.writing_stats(career, until=UNTIL, weeks=12, reader=Reader.TEAM)

    assert (s.since, s.until) == (dt.date(2026, 1, 5), UNTIL)  # 12 weeks back is W01: the first entry is of W02
    assert {w.label: w.entries for w in s.weeks} == {
        "2026-W02": 2, "2026-W03": 2, "2026-W04": 0, "2026-W05": 1, "2026-W06": 2,
        "2026-W07": 0, "2026-W08": 1, "2026-W09": 0, "2026-W10": 0, "2026-W11": 1, "2026-W12": 1,
    }
    assert s.entries == 10  # the private learning and insight, and both drafts, are not counted
    assert (s.streak, s.longest) == (2, 2)


def test_private_entries_count_unless_the_team_is_the_reader(career):
    s = review.writing_stats(career, until=UNTIL, weeks=12)

    assert [w.entries for w in s.weeks][-3:] == [1, 2, 1]  # W10: the private learning; W11: the private insight
    assert (s.streak, s.longest) == (3, 3)
    assert "churn-risk" in {t.theme for t in s.themes}


def test_insights_per_theme_per_week(career):
    s = review.writing_stats(career, until=UNTIL, since=dt.date(2026, 1, 5), reader=Reader.TEAM)

    assert [w.label for w in s.weeks][0] == "2026-W02"
    assert [(t.theme, t.counts, t.insights, t.customers) for t in s.themes] == [
        ("pricing", (1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), 3, 2),  # Northwind twice, Meridian once
        ("onboarding", (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), 1, 1),
        ("reconciliation", (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1, 1),
    ]


def test_competency_coverage_lists_the_whole_framework(career):
    s = review.writing_stats(career, until=UNTIL, weeks=12, reader=Reader.TEAM)
    coverage = dict(s.competencies)

    assert coverage["execution"] == 2 and coverage["mentoring"] == 2
    assert coverage["leadership"] == 0  # only a private entry shows it
    assert coverage["strategic-thinking"] == 0  # only a draft shows it
    assert len(coverage) == 12


def test_weeks_limits_the_period(career):
    s = review.writing_stats(career, until=UNTIL, weeks=2, reader=Reader.TEAM)

    assert [w.label for w in s.weeks] == ["2026-W11", "2026-W12"]
    assert s.entries == 2
    assert s.streak == 2  # the streak looks at every entry, not only the period


@pytest.mark.parametrize("dates, until, expected", [
    ([], dt.date(2026, 3, 20), (0, 0)),
    ([dt.date(2026, 3, 9), dt.date(2026, 3, 2)], dt.date(2026, 3, 20), (2, 2)),  # this week still running
    ([dt.date(2026, 3, 2)], dt.date(2026, 3, 20), (0, 1)),  # a week without an entry breaks it
    ([dt.date(2026, 3, 16), dt.date(2026, 3, 17), dt.date(2026, 3, 10)], dt.date(2026, 3, 20), (2, 2)),
    ([dt.date(2025, 12, 29), dt.date(2026, 1, 5), dt.date(2026, 3, 16)], dt.date(2026, 3, 16), (1, 2)),
    ([dt.date(2026, 3, 23)], dt.date(2026, 3, 20), (0, 0)),  # after --until: ignored
])
def test_streaks(dates, until, expected):
    assert streaks(dates, until) == expected


def test_iso_weeks_across_the_new_year():
    assert week_label(dt.date(2025, 12, 29)) == "2026-W01"
    assert week_label(dt.date(2027, 1, 1)) == "2026-W53"
    assert monday(dt.date(2026, 3, 22)) == dt.date(2026, 3, 16)


def test_stats_prints_a_compact_table(career, cli):
    result = cli("-C", career, "stats", "--until", "2026-03-20", "--audience", "internal")

    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == expected_lines(REVIEW / "expected" / "stats.txt")
    assert result.stderr == ""


def test_stats_rejects_a_period_backwards(career, cli):
    result = cli("-C", career, "stats", "--since", "2026-03-20", "--until", "2026-03-01")

    assert result.exit_code == 1
    assert lines(result.stderr)[0] == "--since 2026-03-20 is after --until 2026-03-01 (swap them)"


def test_help_has_an_example(cli):
    assert "Example" in cli("stats", "--help").stdout
