"""The review tools are the writer's own: printed, they show every entry, private ones included
(saying so); an output for the team (--audience internal) or a file that may be shared (portfolio
-o, next --ics) holds no private entry unless --audience private; drafts never, either way.
--include-private, from before private entries were shown by default, is --audience private."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, lines

REVIEW = FIXTURES / "review"

# Everything of the career fixture's private entries that an output could show, and of its drafts.
PRIVATE_LEARNING = {"title": "Worried about the Osprey reorg", "step": "Talk to Dana about the Osprey reorg",
                    "learning": "Whispered-secret-learning", "slug": "worried-about-the-reorg"}
PRIVATE_INSIGHT = {"title": "Private insight about a churning bank", "customer": "Osprey Secret Bank",
                   "theme": "churn-risk"}
DRAFTS = ["Draft roadmap thoughts never shown", "Drafted-hidden-learning", "A draft step that never shows",
          "draft-roadmap-thoughts", "Draft insight never shown", "Draftco Industries", "drafty-theme"]

OUTPUTS = {  # name -> (arguments, what of the private entries it shows when printed for the writer)
    "next": (["next", "--today", "2026-03-20"], [PRIVATE_LEARNING["title"], PRIVATE_LEARNING["step"],
                                                 PRIVATE_LEARNING["slug"]]),
    "portfolio-md": (["portfolio", "--format", "md"], [PRIVATE_LEARNING["title"], PRIVATE_LEARNING["learning"],
                                                       *PRIVATE_INSIGHT.values()]),
    "portfolio-html": (["portfolio", "--format", "html", "--level", "CPO"],
                       [PRIVATE_LEARNING["title"], PRIVATE_LEARNING["learning"], *PRIVATE_INSIGHT.values()]),
    "stats": (["stats", "--until", "2026-03-20"], [PRIVATE_INSIGHT["theme"]]),
}
NEEDLES = [*PRIVATE_LEARNING.values(), *PRIVATE_INSIGHT.values()]


@pytest.fixture(scope="module")
def career(tmp_path_factory) -> Path:
    return Path(shutil.copytree(REVIEW / "career", tmp_path_factory.mktemp("privacy") / "career"))


@pytest.mark.parametrize("name", OUTPUTS)
def test_private_entries_stay_out_of_an_output_for_the_team(name, career, cli):
    args, _ = OUTPUTS[name]
    result = cli("-C", career, *args, "--audience", "internal")

    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr
    assert [n for n in NEEDLES if n.casefold() in shown.casefold()] == []
    assert [d for d in DRAFTS if d.casefold() in shown.casefold()] == []


@pytest.mark.parametrize("name", OUTPUTS)
def test_private_entries_are_shown_to_the_writer_and_drafts_still_not(name, career, cli):
    args, expected = OUTPUTS[name]
    result = cli("-C", career, *args)

    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr
    assert [n for n in expected if n not in shown] == []
    assert [d for d in DRAFTS if d.casefold() in shown.casefold()] == []
    assert lines(result.stderr)[0] == ("notepress: showing every entry you wrote, private ones included "
                                       "(--audience internal: only what your team may see)")
    assert cli("-C", career, *args, "--include-private").stdout == result.stdout  # deprecated, still accepted


def test_portfolio_to_a_file_says_what_it_contains(career, cli, isolated_cwd):
    cli("-C", career, "portfolio", "-o", "team.md")
    cli("-C", career, "portfolio", "-o", "mine.md", "--audience", "private")
    cli("-C", career, "portfolio", "-o", "old.md", "--include-private")

    assert (isolated_cwd / "team.md").read_text().splitlines()[2] == "Contains: internal and public entries  "
    assert (isolated_cwd / "mine.md").read_text().splitlines()[2] == "Contains: private, internal and public entries  "
    assert (isolated_cwd / "old.md").read_text() == (isolated_cwd / "mine.md").read_text()
    assert [n for n in NEEDLES if n in (isolated_cwd / "team.md").read_text()] == []


def test_next_ics_leaves_private_steps_out_unless_asked_and_says_so(career, cli, isolated_cwd):
    result = cli("-C", career, "next", "--today", "2026-03-20", "--ics", "steps.ics")

    assert PRIVATE_LEARNING["step"] in result.stdout
    assert lines(result.stderr)[1:3] == [
        "steps.ics: 3 next steps as calendar events (1 step without a due date left out)",
        "steps.ics: 1 private step left out (a calendar may be shared): add --audience private to include it"]
    assert PRIVATE_LEARNING["step"] not in (isolated_cwd / "steps.ics").read_text()
    cli("-C", career, "next", "--today", "2026-03-20", "--ics", "steps.ics", "--audience", "private")
    assert PRIVATE_LEARNING["step"] in (isolated_cwd / "steps.ics").read_text()


def test_include_private_is_deprecated_in_help_and_conflicts_with_another_audience(career, cli):
    assert "Deprecated" in cli("goals", "--help").stdout
    result = cli("-C", career, "goals", "--include-private", "--audience", "internal")

    assert result.exit_code == 2
    assert "--include-private is --audience private" in result.stderr
