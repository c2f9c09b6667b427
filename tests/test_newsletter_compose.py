"""Composing a newsletter issue from the `quarter` fixture repo, whose answers were counted by hand.

The fixture (tests/fixtures/newsletter/quarter/) holds a period of Nov 1-14, 2026, the previous
period of the same length (Oct 18-31), entries just outside both, and entries the team must never
see in the period: private, missing audience (so private), drafts of every audience.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from notepress import api
from notepress.audience import Reader, gate
from notepress.newsletter.compose import Issue, compose
from notepress.problems import NotepressError


def team(project):
    """The team's view, as `newsletter draft` gates it."""
    return gate(project.entries, project.config, Reader.TEAM)

NEWSLETTER_FIXTURES = Path(__file__).parent / "fixtures" / "newsletter"
NOV_1, NOV_14 = dt.date(2026, 11, 1), dt.date(2026, 11, 14)
SITE = "https://example.test/team-notes/"
T = "https://tickets.example.test/"

# What the team must never see in the Nov 1-14 issue: (title, quote, customer) of gated or
# out-of-period entries.
NEVER = {
    "private insight": ("Private insight about Secretco", "PRIVATE QUOTE from Secretco.", "Secretco Holdings"),
    "no audience (private)": ("Unlabelled insight about Quietco", "UNLABELLED QUOTE from Quietco.", "Quietco Labs"),
    "internal draft": ("Draft insight about Draftwood", "DRAFT QUOTE from Draftwood.", "Draftwood Inc"),
    "public draft": ("Draft public insight about Draftpub", "DRAFT PUBLIC QUOTE.", "Draftpub Co"),
    "private learning": ("Private learning about my manager", "PRIVATE LEARNING TEXT.", "PRIVATE NEXT STEP."),
    "draft learning": ("Draft internal learning", "DRAFT LEARNING TEXT.", ""),
    "draft essay": ("Draft essay about pricing", "", ""),
    "after the period": ("Zephyr cannot export matched payments", "AFTER PERIOD QUOTE from Zephyr.",
                         "Zephyr Outfitters"),
    "before the period": ("An October learning outside the period", "October learning text that must not appear.",
                          ""),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("compose") / "quarter"
    shutil.copytree(NEWSLETTER_FIXTURES / "quarter", root)
    return api.load(root)


def issue_for(project, since: dt.date, until: dt.date, number: int = 1) -> Issue:
    return compose(team(project), number, since, until)


@pytest.fixture(scope="module")
def issue(project) -> Issue:
    return issue_for(project, NOV_1, NOV_14)


def theme(issue: Issue, name: str):
    return next(t for t in issue.themes if t.name == name)


def every_string(value) -> list[str]:
    """Every string anywhere in the Issue (dataclasses, tuples, Entries), for leak checks."""
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            stack.extend(getattr(v, f.name) for f in dataclasses.fields(v))
        elif isinstance(v, (tuple, list, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
    return out


# --- themes -----------------------------------------------------------------------------------------------------


def test_themes_count_distinct_customers_against_the_previous_period(issue):
    got = [(t.name, t.customers, t.previous, t.notes, t.change) for t in issue.themes]
    assert got == [
        # Northwind twice ("Northwind Logistics", "northwind   LOGISTICS"), Meridian, Tallis; before: Northwind, Kestrel
        ("reconciliation", 3, 2, 4, "up"),
        # Brightwater, Meridian; before: Brightwater, Oakridge, Meridian (Kestrel on Oct 17 is before Oct 18)
        ("approvals", 2, 3, 2, "down"),
        # Kestrel twice; before: Tallis on Oct 31 (a private and a draft note there do not count)
        ("pricing", 1, 1, 2, "same"),
        # one Oakridge note with two themes; nothing before. Same counts: ordered by name.
        ("integrations", 1, 0, 1, "new"),
        ("onboarding", 1, 0, 1, "new"),
    ]


def test_a_customer_written_twice_differently_counts_once(issue):
    recon = theme(issue, "reconciliation")
    assert {q.customer for q in recon.quotes} >= {"Northwind Logistics", "northwind   LOGISTICS"}
    assert recon.customers == 3 and recon.notes == 4
    # Across the issue: Northwind, Meridian, Tallis, Brightwater, Kestrel, Oakridge
    assert issue.customers == 6


@pytest.mark.parametrize("since, until, expected", [
    # 7 days, Nov 8-14, against Nov 1-7
    (dt.date(2026, 11, 8), NOV_14, [("reconciliation", 2, 2, 2, "same"), ("pricing", 1, 1, 1, "same")]),
    # one day, Nov 14, against Nov 13 (a learning only)
    (NOV_14, NOV_14, [("reconciliation", 1, 0, 1, "new")]),
    # 10 days, Nov 5-14, against Oct 26-Nov 4: reconciliation had Kestrel (Oct 25 is out) and Northwind (Nov 1)
    # approvals: Meridian; before: Meridian (Oct 31), Brightwater (Nov 3). pricing: Kestrel; before: Tallis, Kestrel.
    # Four themes tie on one customer and one note: ordered by name.
    (dt.date(2026, 11, 5), NOV_14, [("reconciliation", 3, 1, 3, "up"), ("approvals", 1, 2, 1, "down"),
                                    ("integrations", 1, 0, 1, "new"), ("onboarding", 1, 0, 1, "new"),
                                    ("pricing", 1, 2, 1, "down")]),
])
def test_the_previous_period_has_the_same_length(project, since, until, expected):
    got = [(t.name, t.customers, t.previous, t.notes, t.change) for t in issue_for(project, since, until).themes]
    assert got == expected


def test_quotes_are_the_strongest_three_by_importance_then_newest(issue):
    recon = theme(issue, "reconciliation")
    # importance 3 (Nov 14, Nov 9), then 2 (Nov 1); Meridian's importance-1 quote is the fourth, left out
    assert [(q.text, q.importance, q.date.isoformat()) for q in recon.quotes] == [
        ("The bank file has forty invoices and you keep one.", 3, "2026-11-14"),
        ("We lose a full day of close to this.", 3, "2026-11-09"),
        ("Every short-pay becomes a spreadsheet row.", 2, "2026-11-01"),
    ]
    assert [q.text for q in theme(issue, "pricing").quotes] == [
        "Cap the fee and we move every payment to ACH.", "Price us on combined volume."]
    assert all(len(t.quotes) <= 3 for t in issue.themes)


def test_quotes_carry_customer_segment_source_and_evidence(issue):
    top = theme(issue, "reconciliation").quotes[0]
    assert (top.customer, top.segment, top.source, top.evidence, top.title) == (
        "Tallis Foods", "enterprise", "interview", T + "104", "Tallis cannot match remittance files")


def test_sources_are_counted_most_first_then_by_name(issue):
    assert theme(issue, "reconciliation").sources == (("support-ticket", 2), ("call", 1), ("interview", 1))
    assert theme(issue, "approvals").sources == (("call", 1), ("support-ticket", 1))
    assert theme(issue, "pricing").sources == (("sales", 2),)


def test_evidence_links_strongest_first_without_repeats(issue):
    assert theme(issue, "reconciliation").evidence == (T + "104", T + "102", T + "101", T + "103")
    assert theme(issue, "approvals").evidence == (T + "103",)
    assert theme(issue, "integrations").evidence == ()


# --- what I learned, new on the blog ----------------------------------------------------------------------------


def test_learnings_are_internal_and_public_learning_entries_with_their_next_step(issue):
    got = [(l.title, l.date.isoformat(), l.learning, l.next_step, l.next_step_state, l.url) for l in issue.learned]
    assert got == [
        ("Pairing with support on refunds", "2026-11-05",
         "Half of refund tickets are really **reconciliation** questions: the customer paid, but the payment "
         "never matched the invoice it was for.",
         "Tag refund tickets by cause for two weeks, then bring the counts to the support lead.",
         "due 2026-11-20", ""),  # internal: no public address
        ("Reading the payments P&L", "2026-11-13",
         "Our margin depends on how customers pay, not on how much.",
         "Show the payment mix at the roadmap review.",
         "due 2026-11-27", SITE + "blog/2026/11/13/reading-the-pnl/"),
    ]


def test_new_on_the_blog_lists_public_posts_with_absolute_urls(issue):
    got = [(p.title, p.date.isoformat(), p.summary, p.url) for p in issue.blog]
    assert got == [
        ("A lost day of close to unmatched payments", "2026-11-09", "", SITE + "blog/2026/11/09/lost-day-of-close/"),
        ("Why we count customers, not tickets", "2026-11-10", "Distinct customers tell you where the product fails.",
         SITE + "blog/2026/11/10/counting-customers/"),
        ("Reading the payments P&L", "2026-11-13", "What the P&L says about payment mix.",
         SITE + "blog/2026/11/13/reading-the-pnl/"),
    ]
    assert all(p.url.startswith("https://") for p in issue.blog)


# --- the gate ---------------------------------------------------------------------------------------------------


def test_the_issue_holds_exactly_the_internal_and_public_entries_it_shows(issue):
    """Insights, learnings and public posts of the period; an internal essay has no section, so it is not listed."""
    assert sorted(e.slug for e in issue.entries) == [
        "2026-11-01-northwind-short-pays", "2026-11-03-brightwater-approvals", "2026-11-04-kestrel-fee-cap",
        "2026-11-05-internal-learning", "2026-11-05-meridian-duplicates", "2026-11-06-oakridge-sap",
        "2026-11-11-kestrel-volume-tiers", "2026-11-14-tallis-remittance", "counting-customers",
        "lost-day-of-close", "reading-the-pnl"]
    assert all(e.audience in ("internal", "public") and not e.draft for e in issue.entries)
    assert all(NOV_1 <= e.date <= NOV_14 for e in issue.entries)


@pytest.mark.parametrize("what", sorted(NEVER))
def test_gated_and_out_of_period_entries_never_appear(issue, what):
    strings = "\n".join(every_string(issue))
    for needle in filter(None, NEVER[what]):
        assert needle not in strings, f"{what}: {needle!r} is in the issue"


def test_only_customers_of_visible_notes_in_the_period_are_quoted(issue):
    customers = {q.customer for t in issue.themes for q in t.quotes}
    assert customers == {"Northwind Logistics", "northwind   LOGISTICS", "Meridian Books", "Tallis Foods",
                         "Brightwater Clinics", "Kestrel Freight", "Oakridge Metals"}
    assert {e.insight.customer for e in issue.entries if e.insight} == customers


def test_private_and_draft_notes_do_not_count_in_the_previous_period_either(issue):
    # Oct 26 (private, Hiddenco) and Oct 27 (draft, Drafton) are pricing notes: counted, they would make it "down"
    assert (theme(issue, "pricing").previous, theme(issue, "pricing").change) == (1, "same")


# --- periods that cannot make an issue --------------------------------------------------------------------------


@pytest.mark.parametrize("since, until", [
    (dt.date(2026, 11, 20), dt.date(2026, 11, 21)),  # nothing at all
    (dt.date(2026, 11, 7), dt.date(2026, 11, 8)),  # only private, unlabelled and draft entries
])
def test_an_empty_period_is_an_error_that_says_what_to_do(project, since, until):
    with pytest.raises(NotepressError) as caught:
        issue_for(project, since, until)
    message = str(caught.value)
    assert "\n" not in message
    assert f"no internal or public entries from {since} to {until}" in message
    assert "--since" in message and "--until" in message


def test_since_after_until_is_an_error(project):
    with pytest.raises(NotepressError) as caught:
        issue_for(project, NOV_14, NOV_1)
    message = str(caught.value)
    assert "2026-11-14" in message and "2026-11-01" in message and "swap" in message

