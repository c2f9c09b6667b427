"""The audit refuses leaks, not public text: two false findings that stopped real builds, from init."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from e2e_helpers import TODAY, init_entry, run_cli


def essay(root: Path, name: str, title: str, day: dt.date, body: str, *, tags: str = "[onboarding]", extra: str = "",
          audience: str = "public") -> None:
    (root / "posts" / "essays" / f"{day}-{name}.md").write_text(
        f"---\ntitle: {title}\ndate: {day}\ntype: essay\naudience: {audience}\ntags: {tags}\n{extra}---\n{body}\n",
        encoding="utf-8")


@pytest.mark.site
def test_a_scheduled_and_a_draft_post_linking_public_ones_build_on_both_engines(init_copy, engine):
    repo = init_copy
    learning = (repo / init_entry(repo, "learning")).stem.split("-", 3)[3]
    essay(repo, "coming-soon", "Coming soon", TODAY + dt.timedelta(days=7),
          f"This scheduled essay builds on what I wrote in [[{learning}]] after I sat in on five support calls.")
    essay(repo, "half-done", "Half done", TODAY - dt.timedelta(days=3),
          f"A draft that also builds on [[{learning}]] and what I heard on five support calls in one week.",
          extra="draft: true\n")
    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    site = repo / "site"
    assert not list(site.rglob("coming-soon*")) and not list(site.rglob("half-done*"))


@pytest.mark.site
def test_two_public_titles_side_by_side_are_not_the_internal_text_they_spell(init_copy):
    """A page lists related posts one per item; an internal note happens to name both titles in a
    row (7 words across the items' break). The titles are public: no finding, the build passes."""
    repo = init_copy
    day = TODAY - dt.timedelta(days=10)
    essay(repo, "pricing", "Pricing pages confuse buyers", day, "What buyers told us about the pricing page.",
          tags="[pricing]")
    essay(repo, "trials", "Trials convert when guided", day, "What we saw in guided trials.", tags="[pricing]")
    essay(repo, "packaging", "Packaging follows the buyer", day, "How the package follows the pricing work.",
          tags="[pricing]")
    essay(repo, "plan", "Internal plan", day, "Next quarter: pricing pages confuse buyers trials convert when guided, "
          "and the plan for the team.", tags="[planning]", audience="internal")
    result = run_cli("-C", str(repo), "build")
    assert result.exit_code == 0, result.output
    page = next((repo / "site").rglob("*packaging/index.html")).read_text(encoding="utf-8")
    assert page.index("Pricing pages confuse buyers") < page.index("Trials convert when guided")  # side by side


def test_an_internal_sentence_split_across_list_items_is_still_found(init_copy):
    """The rule is for whole public texts side by side, not for any text across a break."""
    repo = init_copy
    day = TODAY - dt.timedelta(days=10)
    essay(repo, "plan", "Internal plan", day, "We will raise the enterprise price by a third next spring.",
          audience="internal")
    assert run_cli("-C", str(repo), "build").exit_code == 0
    page = repo / "site" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", "<ul><li>We will raise the enterprise</li>"
                                 "<li>price by a third next spring.</li></ul></body>"), encoding="utf-8")
    result = run_cli("-C", str(repo), "audit")
    assert result.exit_code == 1
    assert any(line.startswith("site/index.html: text \"") for line in result.stderr.splitlines()), result.stderr
