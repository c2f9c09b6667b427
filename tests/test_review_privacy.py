"""No private entry in any review output unless --include-private; drafts never, with or without it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

REVIEW = FIXTURES / "review"

# Everything of the career fixture's private entries that an output could show, and of its drafts.
PRIVATE_LEARNING = {"title": "Worried about the Osprey reorg", "step": "Talk to Dana about the Osprey reorg",
                    "learning": "Whispered-secret-learning", "slug": "worried-about-the-reorg"}
PRIVATE_INSIGHT = {"title": "Private insight about a churning bank", "customer": "Osprey Secret Bank",
                   "theme": "churn-risk"}
DRAFTS = ["Draft roadmap thoughts never shown", "Drafted-hidden-learning", "A draft step that never shows",
          "draft-roadmap-thoughts", "Draft insight never shown", "Draftco Industries", "drafty-theme"]

OUTPUTS = {  # name -> (arguments, what of the private entries it shows with --include-private)
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
def test_private_entries_stay_out_without_the_flag(name, career, cli):
    args, _ = OUTPUTS[name]
    result = cli("-C", career, *args)

    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr
    assert [n for n in NEEDLES if n.casefold() in shown.casefold()] == []
    assert [d for d in DRAFTS if d.casefold() in shown.casefold()] == []


@pytest.mark.parametrize("name", OUTPUTS)
def test_private_entries_are_in_with_the_flag_and_drafts_still_not(name, career, cli):
    args, expected = OUTPUTS[name]
    result = cli("-C", career, *args, "--include-private")

    assert result.exit_code == 0, result.output
    shown = result.stdout + result.stderr
    assert [n for n in expected if n not in shown] == []
    assert [d for d in DRAFTS if d.casefold() in shown.casefold()] == []


def test_portfolio_to_a_file_says_what_it_contains(career, cli, isolated_cwd):
    cli("-C", career, "portfolio", "-o", "team.md")
    cli("-C", career, "portfolio", "-o", "mine.md", "--include-private")

    assert (isolated_cwd / "team.md").read_text().splitlines()[2] == "Contains: internal and public entries  "
    assert (isolated_cwd / "mine.md").read_text().splitlines()[2] == "Contains: private, internal and public entries  "
