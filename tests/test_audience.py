"""The audience gate: who may see an entry, confidential terms, and the link rules of public pages."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from conftest import expected_lines
from notepress import api
from notepress.audience import Reader, confidential_terms, select, visible
from notepress.screen import screen_public
from notepress.text import Terms
from notepress.config import Config, load_config
from notepress.entries import read_entries
from notepress.links import Resolver, find_links
from notepress.model import Entry, Insight

AUDIENCES = ("public", "internal", "private")


def make_entry(audience: str, draft: bool = False, *, slug: str | None = None, customer: str = "") -> Entry:
    slug = slug or f"{audience or 'none'}-{'draft' if draft else 'final'}"
    return Entry(
        path=Path("/repo/posts") / f"{slug}.md", source=f"posts/{slug}.md", slug=slug,
        type="insight" if customer else "essay", title=slug, date=dt.date(2026, 1, 5),
        audience=audience, draft=draft, body="Body.\n", body_line=7,
        insight=Insight(customer=customer, source="call", themes=("t",)) if customer else None,
    )


def visible_set(reader: Reader, *, drafts: bool = False) -> set[tuple[str, bool]]:
    return {(a, d) for a, d in itertools.product(AUDIENCES, (False, True))
            if visible(make_entry(a, d), reader, drafts=drafts)}


# --- visible() and select(): the whole truth table ---------------------------------------------------

def test_only_public_and_not_draft_is_public():
    assert visible_set(Reader.PUBLIC) == {("public", False)}


def test_team_sees_public_and_internal_but_no_drafts():
    assert visible_set(Reader.TEAM) == {("public", False), ("internal", False)}


def test_self_sees_every_audience_but_no_drafts_by_default():
    assert visible_set(Reader.SELF) == {("public", False), ("internal", False), ("private", False)}


def test_drafts_are_seen_only_when_asked_and_never_widen_the_audience():
    assert visible_set(Reader.PUBLIC, drafts=True) == {("public", False), ("public", True)}
    assert visible_set(Reader.TEAM, drafts=True) == {("public", False), ("public", True),
                                                     ("internal", False), ("internal", True)}
    assert visible_set(Reader.SELF, drafts=True) == set(itertools.product(AUDIENCES, (False, True)))


@pytest.mark.parametrize("audience", ["Public", "PUBLIC", "public ", "", "yes", "true"])
@pytest.mark.parametrize("reader", list(Reader))
def test_an_audience_outside_the_enum_is_seen_by_nobody(audience, reader):
    assert not visible(make_entry(audience), reader)
    assert not visible(make_entry(audience), reader, drafts=True)


def test_select_keeps_order_and_applies_visible():
    entries = [make_entry(a, d) for a, d in itertools.product(AUDIENCES, (False, True))]
    entries = entries[::-1]

    for reader in Reader:
        for drafts in (False, True):
            assert select(entries, reader, drafts=drafts) == [
                e for e in entries if visible(e, reader, drafts=drafts)]
    assert [e.slug for e in select(entries, Reader.PUBLIC)] == ["public-final"]
    assert [e.slug for e in select(entries, Reader.TEAM)] == ["internal-final", "public-final"]


# --- confidential terms ----------------------------------------------------------------------------

def test_terms_are_every_insight_customer_whatever_its_audience_plus_configured(tmp_path):
    entries = [make_entry("private", True, slug="a", customer="Zephyr Analytics"),
               make_entry("internal", slug="b", customer="Quillfeather Mills"),
               make_entry("public", slug="c", customer="Orbit Labs"),
               make_entry("internal", slug="d", customer="Quillfeather Mills"),  # counted once
               make_entry("public", slug="e")]
    config = Config(root=tmp_path, confidential_terms=("Project Heron", "---"))

    terms = confidential_terms(entries, config)

    assert sorted(terms) == ["Orbit Labs", "Project Heron", "Quillfeather", "Quillfeather Mills", "Zephyr",
                             "Zephyr Analytics"]  # with each customer's distinctive words (customers.py)


def test_terms_from_the_fixture_repo_include_private_draft_customers(copy_repo):
    repo = copy_repo("leaks")
    config = load_config(repo)
    entries, report = read_entries(config)

    assert report.problems == []
    assert sorted(confidential_terms(entries, config)) == [
        "Bäckerei", "Müller Bäckerei", "Project Heron", "Quillfeather", "Quillfeather Mills", "Zephyr",
        "Zephyr Analytics"]


@pytest.mark.parametrize("phrases, text, found", [
    (["Acme"], "We met Acme today.", ["Acme"]),
    (["Acme"], "ACME said yes, then acme said no.", ["ACME", "acme"]),
    (["Acme"], "Acmeology is a different word.", []),
    (["Acme"], "NotAcme and acmecorp are other words.", []),
    (["Acme"], "acme_corp: an underscore separates words, as in a file name.", ["acme"]),
    (["Acme"], "Acme's team (Acme) replied.", ["Acme", "Acme"]),
    (["Acme Corp"], "Talked to acme   CORP twice.", ["acme   CORP"]),
    (["Acme Corp"], "A name split across lines: Acme\nCorp.", ["Acme\nCorp"]),
    (["Acme Corp"], "Acme Corporation and Acme alone are not it.", []),
    (["Project Heron Phase Two"], "The project heron phase two plan.", ["project heron phase two"]),
    (["Project Heron Phase Two"], "Project Heron phase one is fine.", []),
    (["Acme", "Acme Corp"], "Acme Corp", ["Acme Corp"]),  # the longest match, once
    (["Müller Bäckerei"], "Ask MÜLLER BÄCKEREI.", ["MÜLLER BÄCKEREI"]),
    (["Zoë"], "zoë agreed; Zoëlle did not.", ["zoë"]),
    (["Straße"], "STRASSE", ["STRASSE"]),
    (["İzmir Tekstil"], "An order from İzmir Tekstil today.", ["İzmir Tekstil"]),
    ([], "Acme", []),
])
def test_terms_match_whole_words_any_case(phrases, text, found):
    terms = Terms(phrases)

    assert [text[h.start:h.end] for h in terms.find(text)] == found
    assert bool(terms) == bool(phrases)


def test_terms_report_which_term_matched():
    terms = Terms(["Project Heron", "Quillfeather Mills"])

    hits = terms.find("quillfeather mills asked about PROJECT HERON.")

    assert [(h.term, h.start, h.end) for h in hits] == [
        ("Quillfeather Mills", 0, 18), ("Project Heron", 31, 44)]
    assert terms.find("nothing here") == []


# --- screen_public: confidential terms on public pages ---------------------------------------------

def screened_lines(repo: Path, **kwargs) -> list[str]:
    config = load_config(repo)
    entries, report = read_entries(config)
    assert report.errors == []
    return [str(p) for p in sorted(screen_public(entries, config, **kwargs).problems)]


def test_terms_in_every_field_of_a_public_entry_are_errors_with_lines(copy_repo):
    repo = copy_repo("leaks")

    assert screened_lines(repo) == expected_lines(repo / "expected.txt")


def test_check_reports_the_same_confidential_terms(copy_repo):
    repo = copy_repo("leaks")

    report = api.check(repo)

    assert [str(p) for p in sorted(report.problems)] == expected_lines(repo / "expected.txt")


def test_redact_replaces_every_term_with_redact_with(copy_repo):
    repo = copy_repo("leaks")
    config = load_config(repo)
    entries, _ = read_entries(config)

    screened = screen_public(entries, config, redact=True)

    assert screened.problems == []
    by_slug = {e.slug: e for e in screened.view}
    assert sorted(by_slug) == ["clean-essay", "leaky-learning"]
    leaky = by_slug["leaky-learning"]
    assert leaky.title == "What a partner taught me"
    assert leaky.summary == "Why a partner slipped a quarter."
    assert leaky.tags == ("renewals", "a partner")
    assert leaky.loop.action == "Called a partner about exports."
    assert leaky.loop.outcome == "Nothing about Zephyrology or a heronry here."
    assert leaky.loop.learning == "a partner needs a date."
    assert leaky.loop.next_step == "Ask a partner again."
    assert leaky.body.strip() == "First line of the body is clean.\n\nSecond paragraph mentions a partner by name."
    # the clean entry passes through untouched, and the originals are not modified
    assert by_slug["clean-essay"] is next(e for e in entries if e.slug == "clean-essay")
    original = next(e for e in entries if e.slug == "leaky-learning")
    assert original.title == "What Zephyr Analytics taught me"


def test_redact_from_config(copy_repo):
    repo = copy_repo("leaks")
    (repo / "notepress.yml").write_text("confidential_terms: [Project Heron]\nredact: true\n", encoding="utf-8")
    config = load_config(repo)
    entries, _ = read_entries(config)

    screened = screen_public(entries, config)

    assert screened.problems == []
    leaky = next(e for e in screened.view if e.slug == "leaky-learning")
    assert leaky.title == "What a customer taught me"  # the default redact_with


def test_a_customer_name_in_a_public_slug_is_an_error(copy_repo):
    """The slug is the public page's URL: a customer's name there is on a public page."""
    repo = copy_repo("slug-leak")
    config = load_config(repo)
    entries, report = read_entries(config)
    assert report.errors == []

    problems = screen_public(entries, config).problems

    assert [(p.path, p.field, p.message) for p in problems] == [
        ("posts/essays/quillfeather-mills-lessons.md", "slug", 'confidential term "Quillfeather Mills"')]


# --- links ---------------------------------------------------------------------------------------------

def test_links_to_non_public_or_unknown_entries_are_errors_naming_both(copy_repo):
    repo = copy_repo("links")

    assert screened_lines(repo) == expected_lines(repo / "expected.txt")


def test_a_draft_preview_screens_drafts_and_allows_links_to_them(copy_repo):
    repo = copy_repo("links")

    assert screened_lines(repo, drafts=True) == expected_lines(repo / "expected-drafts.txt")


def test_links_resolve_by_slug_label_and_relative_path_and_skip_code(copy_repo):
    repo = copy_repo("links")
    entries, _ = read_entries(load_config(repo))
    hub = next(e for e in entries if e.slug == "hub")
    resolve = Resolver(entries)

    links = list(find_links(hub.body))

    assert [(link.kind, link.target, link.label) for link in links] == [
        ("wiki", "target-public", ""),
        ("wiki", "target-public", "with a label"),
        ("file", "target-public.md", "a relative link"),
        ("wiki", "target-internal", ""),
        ("wiki", "target-private", ""),
        ("wiki", "target-draft", ""),
        ("file", "../learning/private-note.md", "the note"),
        ("wiki", "no-such-entry", ""),
        ("file", "missing.md", "a missing file"),
    ]
    resolved = [resolve(link, hub) for link in links]
    assert [e.source if e else None for e in resolved] == [
        "posts/essays/target-public.md", "posts/essays/target-public.md", "posts/essays/target-public.md",
        "posts/essays/target-internal.md", "posts/essays/target-private.md", "posts/essays/target-draft.md",
        "posts/learning/private-note.md", None, None,
    ]
