"""Customers as entities: every name that points at a customer, and so must not be on a public page.

A writer names a customer by more than the `customer:` of an insight: by its short name ("Last
week Harborview told me…"), by an abbreviation, and by the people they spoke to. `confidential`
gathers them all, each with the customer it points at (what `check` and the audit say):

- each insight's `customer` (whatever its audience or draft state) and the configured
  `confidential_terms`, as written;
- each customer's aliases and abbreviations (notepress.yml `customers: {Harborview Outfitters:
  [HVO, Harbor View]}`), and each insight's `contacts:` (people's names), each as written;
- the *distinctive* words of each of those names (not of a configured term, which is protected
  exactly as written: `Ledgerly Capital` does not make `Ledgerly` confidential).

A word of a customer's name or alias is distinctive when English uses it less than once per million
words: its Zipf frequency (wordfreq's English list, the language notepress writes the site in) is
below COMMON_ZIPF = 3.0.
Measured (see the README's "Customers as entities"): Harborview 1.65, Northwind 1.57, Kestrel
2.47, Acme 2.89 and Outfitters 2.88 are protected on their own; Bank 5.16, Logistics 3.86, Freight
3.99, Staffing 3.53 are not, nor the vocabulary a PM writes with (invoice, ledger, roadmap, churn
and stakeholder are 3.0-3.5 words); Meridian (3.38) and Lighthouse (3.55) are not either: a writer
who calls a customer by a common word lists it as an alias, which is protected whatever its
frequency.

A person is named by a part of their name far more often than a company is ("Mr. Patel agreed",
"Ingrid's team"), and a first name or surname only points at someone: a contact's given names and
surnames are protected alone unless they are everyday words or very common names, a Zipf frequency
of CONTACT_ZIPF = 4.5 or more (Will 6.45, Young 5.43, Mark 5.05, Brown 5.01, Smith 4.89, Rose 4.82,
Grant 4.67 are not protected alone; Chen 3.96, Maya 3.87, Raj 3.55, Patel 3.49, Ingrid 3.25,
Marguerite 3.1, Whitfield 2.95 are). The honorifics, post-nominals and particles of TITLES
(Prof, Dame, PhD, von, der…) are never protected alone. A word of one or two letters (an initial,
Mr, Dr), a number, a word of a name written in a script without spaces (each character is a
token, not a word) and a word listed in notepress.yml `common_words:` are never protected alone.

A word is matched as a whole token of text.py's form (`Harborview's` and `HARBORVIEW` are it;
`Harborviews` and `Harbor` are not), like every confidential term.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import Store
from .config import CONFIG_FILE, Config
from .model import Entry
from .problems import NotepressError, Problem
from .text import NOSPACE, spanned_tokens, tokens

COMMON_ZIPF = 3.0  # once per million words of English: below it, a word of a name is the customer's
CONTACT_ZIPF = 4.5  # below it, a word of a contact's name is that person's (see the docstring)
# Honorifics, post-nominals and name particles, as text.py's tokens: a word of a contact's name, never theirs alone.
TITLES = frozenset("mrs ms mx miss mister madam madame mme mlle sir dame lady lord prof professor rev herr frau "
                   "sra senor jr sr iii esq phd hon van von der den del della dos das ter bin ibn".split())
LANGUAGE = "en"
MIN_LETTERS = 3  # a word of one or two letters ("AB", "of") is never protected alone


@dataclass(frozen=True)
class Name:
    """A confidential name, and whom it points at."""

    text: str  # as written (in the insight or notepress.yml): what is matched and reported
    kind: str  # customer | confidential term | alias | contact | word
    customer: str = ""  # the customer it points at ("" for a configured term)
    source: str = CONFIG_FILE  # where it is written: the insight, or notepress.yml
    of: Name | None = None  # for a word: the name it is a word of

    @property
    def role(self) -> str:
        """Whose name it is, for the names that are not a customer's whole name or a configured term."""
        if self.kind == "recipient":
            return "the address of a newsletter recipient"
        if self.kind == "alias":
            return f'an alias of the customer "{self.customer}"'
        if self.kind == "contact":
            return f'a contact of the customer "{self.customer}"'
        if self.kind == "word" and self.of is not None:
            if self.of.kind == "customer":
                return f'a word of the customer "{self.customer}"'
            return f'a word of "{self.of.text}", {self.of.role}'
        return ""

    @property
    def problem(self) -> str:
        """What `check` says when the name is on a public page."""
        return f'"{self.text}" is {self.role}' if self.role else f'confidential term "{self.text}"'


def confidential(entries: Iterable[Entry], config: Config) -> dict[str, Name]:
    """Every confidential name by its text, widest first (whole names before their words; the first
    of two names that compare the same is the one reported). See the module's docstring."""
    entries = [e for e in entries if e.insight and e.insight.customer]
    customers = [Name(e.insight.customer, "customer", e.insight.customer, e.source) for e in entries]
    terms = [Name(t, "confidential term") for t in config.confidential_terms]
    aliases = [Name(alias, "alias", customer) for customer, names in config.customers.items() for alias in names]
    contacts = [Name(person, "contact", e.insight.customer, e.source) for e in entries for person in e.insight.contacts]
    names: dict[str, Name] = {}
    for name in [*customers, *terms, *aliases, *contacts, *recipients(config)]:
        if name.text not in names and tokens(name.text):  # a name without letters or digits can never match
            names[name.text] = name
    common = {w for word in config.common_words for w in tokens(word)}
    # The writers' own names are on every page (author, copyright): a contact sharing a first name or a
    # surname with one is protected by the whole name, not by that word alone.
    writers = {w for author in config.authors for w in tokens(author.name)}
    # One store for every repo (a word's frequency is the language's, not the repo's), which keeps every
    # word it was told: wordfreq's list (0.3 s to load) is loaded only for a word no repo of this user
    # has named yet, not again for one repo's names after a build of another.
    store = Store("zipf", Path("wordfreq"), key=LANGUAGE, keep=True)
    frequency = functools.partial(_remembered, store)
    for whole in [*customers, *aliases, *contacts]:
        person = whole.kind == "contact"
        for word in distinctive_words(whole.text, common | TITLES | writers if person else common, frequency,
                                      CONTACT_ZIPF if person else COMMON_ZIPF):
            names.setdefault(word, Name(word, "word", whole.customer, whole.source, whole))
    store.save()
    return names


def recipients(config: Config) -> list[Name]:
    """The newsletter's recipients, by address: the team's addresses are not for a public page.
    Read as `send` reads them, quietly (a problem with the list is `send`'s to report)."""
    from .newsletter.recipients import _read_csv

    source = config.newsletter.recipients_file
    rows: list[str] = list(config.newsletter.recipients)
    if source:
        try:
            rows += [address for _, _, address, _ in _read_csv(config.root / source, source)]
        except NotepressError:
            pass
    return [Name(address, "recipient", "", source or CONFIG_FILE) for address in rows if "@" in address]


def _remembered(store: Store, token: str) -> float:
    found = store.get(token)
    if found is None:
        found = zipf(token)
        store.put(token, found)
    return found


def distinctive_words(name: str, common: set[str] | frozenset[str] = frozenset(),
                      frequency: Callable[[str], float] | None = None,
                      threshold: float = COMMON_ZIPF) -> tuple[str, ...]:
    """The words of `name` protected on their own, as written in it (see the module's docstring):
    those whose Zipf frequency (`frequency`, default `zipf`) is below `threshold` (COMMON_ZIPF for a
    customer's name or alias, CONTACT_ZIPF for a person's)."""
    if NOSPACE.search(name):
        return ()
    spans = list(spanned_tokens(name))
    if len(spans) < 2:  # the name is one word: protected whole already
        return ()
    words = [name[start:end] for token, start, end in spans
             if len(token) >= MIN_LETTERS and not token.isdigit() and token not in common
             and (frequency or zipf)(token) < threshold]
    return tuple(dict.fromkeys(words))


@functools.lru_cache(maxsize=4096)
def zipf(token: str) -> float:
    """How common a word (a token of text.py) is in English: wordfreq's Zipf frequency, the base-10
    logarithm of its uses per billion words (3.0: once per million; 0 for a word it never saw).
    wordfreq loads its list on the first call (0.15 s): `confidential` keeps what it found per repo
    (cache.py), so a command loads it only for a name it has not seen."""
    from wordfreq import zipf_frequency

    return zipf_frequency(token, LANGUAGE)


def unknown_customers(entries: Iterable[Entry], config: Config) -> list[Problem]:
    """A warning for each customer of notepress.yml `customers:` that no insight names (compared in
    text.py's form, like distinct customers): a typo there names the wrong customer in messages,
    though its aliases are protected all the same."""
    known = {e.insight.customer_key: e.insight.customer for e in entries if e.insight and e.insight.customer}
    problems = []
    for name in config.customers:
        if " ".join(tokens(name)) in known:
            continue
        guess = difflib.get_close_matches(name, sorted(set(known.values())), n=1, cutoff=0.6)
        fix = f'did you mean "{guess[0]}"? Write the name as the insight\'s `customer:` has it' if guess \
            else "write the name as an insight's `customer:` has it, or remove it"
        problems.append(Problem(CONFIG_FILE, config.lines.get(f"customers.{name}", 0), f"customers.{name}",
                                "no insight names this customer (its aliases are protected all the same)", fix,
                                severity="warning"))
    return problems
