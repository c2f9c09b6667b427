"""`notepress portfolio`: evidence by competency, the gaps of a level, customer insights by theme."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import FIXTURES, expected_lines, lines
from notepress import review
from notepress.audience import Reader
from notepress.config import DEFAULT_COMPETENCIES
from notepress.review import charts

REVIEW = FIXTURES / "review"


@pytest.fixture
def career(tmp_path) -> Path:
    return Path(shutil.copytree(REVIEW / "career", tmp_path / "career"))


def test_default_levels_build_on_each_other_and_use_the_framework():
    levels = review.DEFAULT_LEVELS
    assert list(levels) == ["IC", "Director", "VP", "CPO"]
    assert levels["IC"] == ("product-sense", "market-insight", "customer-relationships", "execution")
    assert levels["Director"][:4] == levels["IC"] and levels["VP"][:8] == levels["Director"]
    assert levels["CPO"][-2:] == ("business-vision", "financial-literacy")
    assert sorted(levels["CPO"]) == sorted(DEFAULT_COMPETENCIES)


def test_evidence_and_gaps_of_a_level(career):
    p, _ = review.build_portfolio(career, level="director", reader=Reader.TEAM)

    assert p.level == "Director"
    assert {c.name: [e.slug for e in c.evidence] for c in p.competencies} == {
        "product-sense": ["pricing-test-with-five-customers"],
        "market-insight": [],
        "customer-relationships": ["pricing-test-with-five-customers"],
        "execution": ["priced-the-ach-tier", "mentoring-retro"],
        "people-sense": [],
        "mentoring": ["coached-a-new-pm", "mentoring-retro"],
        "leadership": [],  # only a private entry shows it
        "stakeholder-relationships": ["first-finance-review"],
    }
    assert p.gaps == ("people-sense", "leadership")  # market-insight is shown by customer insights
    assert [c.name for c in p.beyond] == ["business-acumen", "financial-literacy"]  # strategic-thinking: a draft
    assert p.contains == "Contains: internal and public entries"


def test_private_evidence_unless_the_team_is_the_reader(career):
    p, _ = review.build_portfolio(career, level="Director")

    assert p.gaps == ("people-sense",)
    assert p.contains == "Contains: private, internal and public entries"
    assert (p.insights, p.customers) == (5, 4)


def test_links_are_public_urls_or_source_paths(career):
    p, _ = review.build_portfolio(career, level="IC", reader=Reader.TEAM)
    execution = next(c for c in p.competencies if c.name == "execution")
    product = next(c for c in p.competencies if c.name == "product-sense")

    assert execution.evidence[0].link == "https://example.test/notes/blog/2026/01/06/priced-the-ach-tier/"
    assert execution.evidence[0].learning == "Start a price from the margin we need, then test the ceiling with customers."
    assert product.evidence[0].link == "posts/learning/2026-02-03-pricing-test-with-five-customers.md"


def test_insights_counted_by_distinct_customers_and_grouped_by_theme(career):
    p, _ = review.build_portfolio(career, reader=Reader.TEAM)

    assert (p.insights, p.customers) == (4, 3)
    assert [(t.name, t.customers, t.insights) for t in p.themes] == [
        ("pricing", 2, 3), ("onboarding", 1, 1), ("reconciliation", 1, 1)]
    assert [i.customer for i in p.themes[0].items] == ["Northwind Traders", "Meridian Health", "Northwind Traders"]


def test_period_limits_the_evidence(career):
    p, _ = review.build_portfolio(career, level="IC", since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 20),
                                  reader=Reader.TEAM)

    assert p.gaps == ("product-sense",)
    assert (p.learning_entries, p.insights) == (1, 1)
    assert [w.label for w in p.weeks] == ["2026-W09", "2026-W10", "2026-W11", "2026-W12"]


def test_without_a_level_the_framework_is_the_list(career):
    p, _ = review.build_portfolio(career, reader=Reader.TEAM)

    assert [c.name for c in p.competencies] == list(DEFAULT_COMPETENCIES)
    assert p.gaps == ("strategic-thinking", "leadership", "people-sense", "business-vision")
    assert p.beyond == ()


def test_levels_are_a_parameter(career):
    p, _ = review.build_portfolio(career, level="staff", levels={"Staff": ("execution", "people-sense")})

    assert [c.name for c in p.competencies] == ["execution", "people-sense"]
    assert p.gaps == ("people-sense",)


@pytest.mark.parametrize("args, expected", [
    (["--level", "director"], "portfolio-director.md"),
    (["--since", "2026-03-01", "--until", "2026-03-20", "--level", "IC"], "portfolio-ic-march.md"),
])
def test_portfolio_markdown(args, expected, career, cli):
    result = cli("-C", career, "portfolio", *args, "--audience", "internal")

    assert result.exit_code == 0, result.output
    assert lines(result.stdout) == expected_lines(REVIEW / "expected" / expected)
    assert result.stderr == ""


def test_unknown_level_is_an_error(career, cli):
    result = cli("-C", career, "portfolio", "--level", "staff")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert lines(result.stderr)[0] == '--level: "staff" is not a level (use one of IC, Director, VP, CPO)'


def test_html_to_a_file_with_inline_svg_charts(career, cli, isolated_cwd):
    result = cli("-C", career, "portfolio", "--level", "VP", "-o", "review.html")

    assert result.exit_code == 0, result.output
    assert result.stdout == "review.html\n"
    page = (isolated_cwd / "review.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<p class=\"meta\">Contains: internal and public entries<br>" in page
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 3  # entries per week, per competency, insights per theme per week
    for svg in svgs:
        ElementTree.fromstring(svg)  # well-formed XML
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert not [p for p in isolated_cwd.iterdir() if p.name != "review.html"]  # no image files, no temp files
    assert '<a href="https://example.test/notes/blog/2026/01/13/first-finance-review/">' in page
    assert "<code>posts/learning/2026-02-17-coached-a-new-pm.md</code>" in page


def test_format_wins_over_the_extension(career, cli, isolated_cwd):
    result = cli("-C", career, "portfolio", "--format", "md", "-o", "review.html")

    assert result.exit_code == 0
    assert (isolated_cwd / "review.html").read_text(encoding="utf-8").startswith("# Portfolio\n")


def test_html_escapes_every_text(tmp_path, cli):
    repo = shutil.copytree(REVIEW / "hostile", tmp_path / "hostile")

    result = cli("-C", repo, "portfolio", "--format", "html")

    page = result.stdout
    assert result.exit_code == 0, result.output
    assert "<script" not in page and "<b>" not in page and "<Sons>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Acme &amp; &lt;Sons&gt;" in page
    assert "&lt;script&gt;alert(&#34;theme&#34;)&lt;/script&gt;" in page or \
           "&lt;script&gt;alert(&quot;theme&quot;)&lt;/script&gt;" in page
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        ElementTree.fromstring(svg)


def test_markdown_escapes_markup_in_text(tmp_path, cli):
    repo = shutil.copytree(REVIEW / "hostile", tmp_path / "hostile")

    result = cli("-C", repo, "portfolio")

    assert r"Learned that \*stars\* and \[brackets\] & \<tags\> need escaping" in result.stdout


@pytest.mark.parametrize("chart", [
    lambda t: charts.column_chart(t, [t], [1]),
    lambda t: charts.bar_chart(t, [t], [3]),
    lambda t: charts.small_multiples(t, [t, t], [(t, (1, 0))]),
])
def test_charts_escape_text_and_are_svg(chart):
    hostile = '</text><script>alert("x")</script>&'
    svg = str(chart(hostile))

    assert "<script" not in svg
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == hostile


def test_help_has_an_example(cli):
    assert "Example" in cli("portfolio", "--help").stdout


def test_an_entry_dated_in_the_year_9999_is_one_problem_not_a_crash(career, cli):
    """The week arithmetic of the charts overflowed past the last representable date. The portfolio
    goes on without that entry, naming it."""
    shutil.copyfile(FIXTURES / "entries" / "learning-dated-9999.md", career / "posts" / "learning" / "typo.md")

    result = cli("-C", career, "portfolio")

    assert result.exit_code == 0
    assert "Traceback" not in result.output and result.stdout.startswith("# Portfolio")
    assert lines(result.stderr)[:2] == [
        "posts/learning/typo.md:3: date: '9999-12-31' is not a plausible date (write the real date as YYYY-MM-DD)",
        "notepress: going on without 1 entry with errors: fix it, or write `draft: true` in a half-written entry "
        "to keep it out of everything until it is ready (notepress check lists every problem)"]
