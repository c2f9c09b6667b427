"""Customers as entities (issue 18): a customer is protected by its short name, its aliases and its
contacts, not only by its whole name. Each test starts from `notepress init`, whose internal insight
is about Harborview Outfitters; the essay and the learning entry it writes are public."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e_helpers import copy_example, init_entry, output, run_cli
from notepress import api
from notepress.audit import audit_site
from notepress.customers import COMMON_ZIPF, CONTACT_ZIPF, TITLES, distinctive_words, zipf
from notepress.publish import leak_problems

CUSTOMER = "Harborview Outfitters"
FIX = '(remove it, or build with --redact to print "a customer")'
WORD = f'"Harborview" is a word of the customer "{CUSTOMER}"'


@pytest.fixture
def repo(init_copy) -> Path:
    return init_copy


@pytest.fixture(scope="module")
def example(initialized) -> SimpleNamespace:
    return SimpleNamespace(essay=init_entry(initialized, "essays"), insight=init_entry(initialized, "insights"),
                           learning=init_entry(initialized, "learning"))


def _append(path: Path, paragraph: str) -> int:
    """Add a paragraph at the end of an entry's body; returns its line."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n{paragraph}\n", encoding="utf-8")
    return len(text.split("\n")) + 2


def _front(path: Path, key: str, value: str) -> None:
    """Set a front matter field (replacing the line, or adding it after `customer:`)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith(f"{key}:")), None)
    if at is None:
        lines.insert(next(i for i, line in enumerate(lines) if line.startswith("customer:")) + 1, f"{key}: {value}")
    else:
        lines[at] = f"{key}: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")


def _settings(repo: Path, text: str) -> None:
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def _errors(repo: Path) -> list[str]:
    return [str(p) for p in api.check(repo).errors]


# --- which words are distinctive -----------------------------------------------------------------

@pytest.mark.parametrize("name, words", [
    ("Harborview Outfitters", ("Harborview", "Outfitters")),  # 1.65 and 2.88: rare in English
    ("Acme Bank", ("Acme",)),  # Bank is an everyday word
    ("Northwind Logistics", ("Northwind",)),
    ("Meridian Staffing", ()),  # both common: a writer who says "Meridian" lists it as an alias
    ("Müller Bäckerei", ("Bäckerei",)),  # as written, accents and all
    ("Dana Whitfield", ("Whitfield",)),  # by the customers' rule (a contact has its own, below)
    ("Customer 001 Holdings", ()),  # numbers are never protected alone
    ("AB Harborview", ("Harborview",)),  # nor words of one or two letters
    ("Initech", ()),  # one word: the whole name is the term already
    ("北風貿易", ()),  # a script without spaces: a character is not a word
])
def test_the_distinctive_words_of_a_name(name, words):
    assert distinctive_words(name) == words


def test_the_threshold_sits_between_rare_names_and_the_words_a_pm_writes_with():
    """Measured with wordfreq (Zipf: log10 of uses per billion words; 3 = once per million)."""
    for rare in ("harborview", "northwind", "brightwater", "kestrel", "oakridge", "acme", "whitfield"):
        assert zipf(rare) < COMMON_ZIPF, rare
    for common in ("bank", "logistics", "freight", "staffing", "analytics", "invoice", "ledger", "roadmap",
                   "churn", "stakeholder", "dashboard", "holdings", "partners", "lee", "chen"):
        assert zipf(common) >= COMMON_ZIPF, common


@pytest.mark.parametrize("name, words", [
    ("Raj Patel", ("Raj", "Patel")),  # 3.55 and 3.49: they point at someone
    ("Marguerite Okonkwo", ("Marguerite", "Okonkwo")),
    ("Dr. Maya Chen", ("Maya", "Chen")),  # not Dr (two letters)
    ("Prof. Ingrid Solvang PhD", ("Ingrid", "Solvang")),  # nor a title or post-nominal (4.12, 4.07)
    ("Liesel von Solvang", ("Liesel", "Solvang")),  # nor a particle
    ("Will Grant", ()),  # everyday words
    ("J. R. Young", ()),  # an initial, and a very common name
])
def test_the_words_of_a_contacts_name_protected_alone(name, words):
    assert distinctive_words(name, TITLES, threshold=CONTACT_ZIPF) == words


def test_the_contact_threshold_sits_between_names_that_point_at_someone_and_everyday_words():
    """A first name or surname names a person unless it is an everyday word or a very common name."""
    for rare in ("ingrid", "patel", "marguerite", "raj", "maya", "chen", "okonkwo", "solvang", "dana"):
        assert zipf(rare) < CONTACT_ZIPF, rare
    for common in ("will", "mark", "rose", "grant", "young", "brown", "smith", "lee", "sam"):
        assert zipf(common) >= CONTACT_ZIPF, common


# --- a customer's short name ----------------------------------------------------------------------

def test_a_short_name_in_a_public_essay_is_an_error_naming_the_entry_line_and_customer(repo, example):
    line = _append(repo / example.essay, "Last week Harborview told me the same thing.")

    assert _errors(repo) == [f"{example.essay}:{line}: body: {WORD} {FIX}"]
    result = run_cli("-C", str(repo), "build")
    assert result.exit_code == 1
    assert f"{example.essay}:{line}: body: {WORD}" in output(result)
    assert not (repo / "site").exists()


def test_a_short_name_in_a_learning_loop_field_and_in_a_slug_is_an_error(repo, example):
    learning = repo / example.learning
    _front(learning, "outcome", "Harborview's admins asked the same question.")
    _front(repo / example.essay, "slug", "what-harborview-taught-me")

    errors = _errors(repo)
    line = learning.read_text(encoding="utf-8").split("\n").index(
        "outcome: Harborview's admins asked the same question.") + 1
    assert f"{example.learning}:{line}: outcome: {WORD} {FIX}" in errors
    assert any(e.startswith(f"{example.essay}:") and f"slug: {WORD}" in e for e in errors), errors


INVISIBLE = ["\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff"]


@st.composite
def written_forms(draw) -> str:
    word = "Harborview"
    at = draw(st.integers(1, len(word) - 1))
    if draw(st.booleans()):
        word = word[:at] + draw(st.sampled_from(INVISIBLE)) + word[at:]
    word = draw(st.sampled_from([word, word.upper(), word.lower(),
                                 "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)]))
    word = draw(st.sampled_from(["{}", "{}'s", "#{}", "{}.com", "({})", "**{}**", "{}-style"])).format(word)
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD", "NFKD"])), word)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(word=written_forms())
def test_every_written_form_of_the_short_name_is_found(initialized, example, tmp_path_factory, word):
    repo = tmp_path_factory.mktemp("w") / "notes"
    shutil.copytree(initialized, repo, ignore=shutil.ignore_patterns(".git"))
    line = _append(repo / example.essay, f"Last week {word} told me the same thing.")

    errors = _errors(repo)
    assert any(e.startswith(f"{example.essay}:{line}: body: {WORD}") for e in errors), (word, errors)


@pytest.mark.parametrize("text", [
    "The harbor was quiet.", "Harborviews", "A harbor view from the office.", "Harborviewer",
    "We outfit every new admin with a checklist.", "The bank details were in front of her.",
])
def test_a_word_is_matched_whole_not_inside_another_word_or_split_in_two(repo, example, text):
    _append(repo / example.essay, text)

    assert _errors(repo) == []


def test_of_acme_bank_acme_is_protected_and_bank_is_not(repo, example):
    _front(repo / example.insight, "customer", "Acme Bank")
    bank = _append(repo / example.essay, "The bank details were in front of her.")
    acme = _append(repo / example.essay, "Acme said so too.")

    assert _errors(repo) == [f'{example.essay}:{acme}: body: "Acme" is a word of the customer "Acme Bank" {FIX}']
    assert bank < acme


def test_common_words_lets_a_word_of_a_name_stand_alone_but_never_the_name(repo, example):
    _settings(repo, "common_words: [Outfitters]\n")
    _append(repo / example.essay, "Outdoor outfitters have the same problem.")
    assert _errors(repo) == []

    whole = _append(repo / example.essay, "Harborview Outfitters did too.")
    assert _errors(repo) == [f'{example.essay}:{whole}: body: confidential term "{CUSTOMER}" {FIX}']


def test_a_configured_term_is_protected_as_written_not_word_by_word(repo, example):
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - Project Lighthouse\n",
                                                                 "  - Project Lighthouse\n  - Ledgerly Capital\n"))
    _append(repo / example.essay, "I work at Ledgerly.")

    assert _errors(repo) == []


# --- aliases -------------------------------------------------------------------------------------

def test_an_alias_from_notepress_yml_is_protected_like_the_name(repo, example):
    _settings(repo, "customers:\n  Harborview Outfitters: [HVO, Harbor View]\n")
    hvo = _append(repo / example.essay, "HVO asked again.")
    spaced = _append(repo / example.essay, "Harbor View asked again.")

    assert _errors(repo) == [
        f'{example.essay}:{hvo}: body: "HVO" is an alias of the customer "{CUSTOMER}" {FIX}',
        f'{example.essay}:{spaced}: body: "Harbor View" is an alias of the customer "{CUSTOMER}" {FIX}']


def test_an_alias_of_a_customer_no_insight_names_is_a_warning_with_the_fix_and_still_protected(repo, example):
    _settings(repo, "customers:\n  Harbourview Outfiters: [HVO]\n")
    line = (repo / "notepress.yml").read_text(encoding="utf-8").split("\n").index("  Harbourview Outfiters: [HVO]") + 1
    hvo = _append(repo / example.essay, "HVO asked again.")

    report = api.check(repo)
    assert [str(p) for p in report.warnings] == [
        f"notepress.yml:{line}: warning: customers.Harbourview Outfiters: no insight names this customer (its "
        f'aliases are protected all the same) (did you mean "{CUSTOMER}"? Write the name as the insight\'s '
        "`customer:` has it)"]
    assert [str(p) for p in report.errors] == [
        f'{example.essay}:{hvo}: body: "HVO" is an alias of the customer "Harbourview Outfiters" {FIX}']


@pytest.mark.parametrize("setting, message", [
    ("customers: [HVO]", "customers: must map a customer's name to a list of its aliases"),
    ("customers:\n  Harborview Outfitters: ['--']", "customers.Harborview Outfitters: '--' has no letters or digits"),
])
def test_a_wrong_customers_setting_is_an_error_with_its_line(repo, setting, message):
    _settings(repo, setting + "\n")

    assert any(e.startswith("notepress.yml:") and message in e for e in _errors(repo)), _errors(repo)


# --- contacts ------------------------------------------------------------------------------------

def test_a_contact_is_confidential_like_its_customer(repo, example):
    _front(repo / example.insight, "contacts", "[Dana Whitfield, Sam Lee]")
    dana = _append(repo / example.essay, "Dana Whitfield said the checklist was wrong.")
    sam = _append(repo / example.essay, "So did Sam Lee.")

    assert _errors(repo) == [
        f'{example.essay}:{dana}: body: "Dana Whitfield" is a contact of the customer "{CUSTOMER}" {FIX}',
        f'{example.essay}:{sam}: body: "Sam Lee" is a contact of the customer "{CUSTOMER}" {FIX}']


def test_a_contact_sharing_a_writers_name_is_kept_by_the_whole_name_and_the_other_words(repo, example):
    """The writer's own name is on every page (init's author is Ana Li): a contact "Ana Okafor" does not
    make "Ana" alone a leak, but "Okafor" alone and the whole name stay confidential."""
    _front(repo / example.insight, "contacts", "[Ana Okafor]")
    _append(repo / example.essay, "Ana wrote this on a Sunday.")
    okafor = _append(repo / example.essay, "Okafor agreed.")

    errors = _errors(repo)

    assert len(errors) == 1 and errors[0].startswith(f'{example.essay}:{okafor}: body: "Okafor"'), errors


def test_a_contacts_distinctive_surname_alone_is_confidential_a_common_name_is_not(repo, example):
    _front(repo / example.insight, "contacts", "[Dana Whitfield, Sam Lee]")
    _append(repo / example.essay, "Sam and Mr Lee are common names.")
    line = _append(repo / example.essay, "Whitfield said it first.")

    assert _errors(repo) == [f'{example.essay}:{line}: body: "Whitfield" is a word of "Dana Whitfield", a contact '
                             f'of the customer "{CUSTOMER}" {FIX}']


def test_a_contacts_first_name_or_surname_alone_is_an_error_an_everyday_word_of_a_name_is_not(repo, example, tmp_path):
    """Found on a user walk: a public essay named contacts of an internal insight by a part of their
    names ("Mr. Patel", "Ingrid's team", "Marguerite"), and `check`, the build and the audit let it by."""
    _front(repo / example.insight, "contacts", "[Raj Patel, Ingrid Solvang, Prof. Marguerite Okonkwo, Will Grant]")
    _append(repo / example.essay, "I will ask again. The grant came through. The prof who taught me agreed.")
    surname = _append(repo / example.essay, "Mr. Patel from their finance team agreed.")
    first = _append(repo / example.essay, "Ingrid's team wants a sandbox too.")
    alone = _append(repo / example.essay, "Marguerite would agree.")

    contact = 'a contact of the customer "Harborview Outfitters"'
    assert _errors(repo) == [
        f'{example.essay}:{surname}: body: "Patel" is a word of "Raj Patel", {contact} {FIX}',
        f'{example.essay}:{first}: body: "Ingrid" is a word of "Ingrid Solvang", {contact} {FIX}',
        f'{example.essay}:{alone}: body: "Marguerite" is a word of "Prof. Marguerite Okonkwo", {contact} {FIX}']
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("<p>Ingrid's team, Will and the grant</p>", encoding="utf-8")
    project = api.load(repo)
    assert [str(f) for f in audit_site(site, project.entries, project.config)] == [
        f'site/page.html: "Ingrid" (a word of "Ingrid Solvang", {contact}, from {example.insight})']


def test_contacts_must_be_a_list_of_names(repo, example):
    _front(repo / example.insight, "contacts", "{Dana: Whitfield}")

    assert any(e.startswith(f"{example.insight}:") and "contacts: must be a list of words" in e
               for e in _errors(repo)), _errors(repo)


# --- redaction and the audit ---------------------------------------------------------------------

def test_redact_replaces_the_short_name_alias_contact_and_surname_and_the_site_is_clean(repo, example):
    _settings(repo, "customers:\n  Harborview Outfitters: [HVO]\n")
    _front(repo / example.insight, "contacts", "[Dana Whitfield]")
    _append(repo / example.essay, "Harborview told me. HVO agreed. Dana Whitfield wrote. Whitfield again.")

    result = run_cli("-C", str(repo), "build", "--redact")

    assert result.exit_code == 0, output(result)
    page = next((repo / "site").rglob("why-i-write-down-what-i-learn/index.html")).read_text(encoding="utf-8")
    assert "a customer told me. a customer agreed. a customer wrote. a customer again." in page
    built = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in (repo / "site").rglob("*")
                     if p.is_file() and p.suffix in (".html", ".json", ".xml", ".txt"))
    for name in ("Harborview", "HVO", "Whitfield"):
        assert name.casefold() not in built.casefold(), name


def test_the_audit_finds_words_aliases_and_contacts_in_a_built_file_and_names_the_customer(repo, example, tmp_path):
    _settings(repo, "customers:\n  Harborview Outfitters: [HVO]\n")
    _front(repo / example.insight, "contacts", "[Dana Whitfield]")
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text("<p>Harbor<em>view</em> and HVO</p>", encoding="utf-8")
    (site / "search.json").write_text('{"docs": [{"text": "Whitfield wrote"}]}', encoding="utf-8")
    (site / "feed.xml").write_text("<rss><item><title>Dana Whitfield</title></item></rss>", encoding="utf-8")
    (site / "whole.html").write_text("<p>Harborview<br>Outfitters</p>", encoding="utf-8")
    project = api.load(repo)

    findings = audit_site(site, project.entries, project.config)

    assert [str(f) for f in findings] == [
        f'site/feed.xml: "Dana Whitfield" (a contact of the customer "{CUSTOMER}", from {example.insight})',
        f'site/page.html: "HVO" (an alias of the customer "{CUSTOMER}", from notepress.yml)',
        f'site/page.html: "Harborview" (a word of the customer "{CUSTOMER}", from {example.insight})',
        f'site/search.json: "Whitfield" (a word of "Dana Whitfield", a contact of the customer "{CUSTOMER}", '
        f"from {example.insight})",
        f'site/whole.html: customer "{CUSTOMER}" (from {example.insight})']
    assert str(leak_problems(findings)[2]) == (
        f'site/page.html: "Harborview" (a word of the customer "{CUSTOMER}", from {example.insight}) is in the '
        "built site (make that entry public or remove the text; the last good site was kept)")


# --- false positives -----------------------------------------------------------------------------

def test_the_example_repo_has_no_false_positive(tmp_path):
    """The checkout's own writing repo: six customers (Brightwater, Kestrel, Meridian, Northwind,
    Oakridge, Tallis), public essays and learning entries about payments, an author "at Ledgerly"
    (the configured term is "Ledgerly Capital")."""
    repo = copy_example(tmp_path / "example")

    assert _errors(repo) == []
