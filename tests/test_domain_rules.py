"""The domain rules on the model, and every output that counts or links agreeing on them.

The `quarter` fixture (tests/fixtures/newsletter/quarter/) names one customer two ways in the
Nov 1-14 period ("Northwind Logistics" and "northwind   LOGISTICS"): six customers, not seven.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from notepress import api
from notepress.audience import Reader, gate
from notepress.blog import listing
from notepress.model import Insight, Period
from notepress.newsletter.compose import compose
from notepress.review import portfolio, stats

QUARTER = Path(__file__).parent / "fixtures" / "newsletter" / "quarter"
NOV_1, NOV_14 = dt.date(2026, 11, 1), dt.date(2026, 11, 14)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("domain") / "quarter"
    shutil.copytree(QUARTER, root)
    return api.load(root)


@pytest.fixture(scope="module")
def team(project):
    return gate(project.entries, project.config, Reader.TEAM, today=dt.date(2026, 11, 20))


def insight(customer: str) -> Insight:
    return Insight(customer=customer, source="call", themes=("pricing",))


def test_one_customer_whatever_the_case_spacing_or_accents():
    assert insight("Northwind Logistics").customer_key == insight("northwind   LOGISTICS").customer_key
    assert insight("Müller Bäckerei").customer_key == insight("MULLER  Backerei").customer_key
    assert insight("Acme & Sons").customer_key == insight("acme sons").customer_key
    assert insight("Kestrel Freight").customer_key != insight("Kestrel Foods").customer_key
    assert insight("???").customer_key == "???"  # no letters or digits: the name itself, folded


def test_newsletter_portfolio_and_stats_count_the_same_customers(team, project):
    issue = compose(team, 1, NOV_1, NOV_14)
    folio = portfolio.build(team, contains="", since=NOV_1, until=NOV_14)
    numbers = stats.compute(list(team), project.config.competencies, since=NOV_1, until=NOV_14)

    assert issue.customers == folio.customers == 6
    by_theme = {t.name: t.customers for t in issue.themes}
    assert by_theme == {t.name: t.customers for t in folio.themes} == {t.theme: t.customers for t in numbers.themes}
    assert by_theme["reconciliation"] == 3  # Northwind (twice, written two ways), Meridian, Tallis


def test_a_period_holds_both_of_its_ends():
    nov = Period(NOV_1, NOV_14)

    assert [day in nov for day in (dt.date(2026, 10, 31), NOV_1, NOV_14, dt.date(2026, 11, 15))] == [
        False, True, True, False]
    assert dt.date(1900, 1, 1) in Period(until=NOV_14) and dt.date(2999, 1, 1) in Period(since=NOV_1)
    assert nov.previous() == Period(dt.date(2026, 10, 18), dt.date(2026, 10, 31))
    assert nov.reversed == ""
    assert Period(NOV_14, NOV_1).reversed == "--since 2026-11-14 is after --until 2026-11-01 (swap them)"


def test_every_output_takes_the_period_the_same_way(team, project):
    """An entry dated on either end is in the issue, the portfolio and the stats; one a day outside is not."""
    one_day = [e for e in team if e.date == NOV_1 and e.insight]
    assert one_day, "the fixture has an insight on Nov 1"
    issue = compose(team, 1, NOV_1, NOV_1)
    folio = portfolio.build(team, contains="", since=NOV_1, until=NOV_1)
    numbers = stats.compute(list(team), project.config.competencies, since=NOV_1, until=NOV_1)

    assert issue.customers == folio.customers == len({e.insight.customer_key for e in one_day})
    assert numbers.entries == len([e for e in team if e.date == NOV_1])
    assert folio.insights == len(one_day)


def test_a_post_has_one_address(project):
    public = gate(project.entries, project.config, Reader.PUBLIC, today=dt.date(2026, 11, 20))
    entry = next(iter(public))

    assert public.url(entry) == project.config.site_url + entry.post_path
    assert entry.post_path == f"blog/{entry.date:%Y/%m/%d}/{entry.slug}/"
    assert {item["url"] for item in listing(list(public))} == {e.post_path for e in public}
