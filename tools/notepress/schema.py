"""Entry types and notepress.yml as declared fields, and the one loop that checks them.

A `Spec` names a field, what it holds (its kind), whether it is required, and the message and fix
shown when it is wrong. `check` runs a list of specs over the fields yamlmap read and reports
each problem at its line, with its fix. What is not about one field (a next step before the
entry's date, duplicate slugs, overlapping folders...) is checked after it, by small named
functions in entries.py and config.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from markdown.extensions.toc import slugify

from .mail import bad_addresses, domain_key
from .model import AUDIENCES, SOURCES, TYPES, plausible
from .names import SLUG_MAX, cap_slug
from .problems import Report
from .yamlmap import INVALID, Field

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SITE_URL_RE = re.compile(r"^https?://[^\s/]+")  # an absolute http(s) URL
LINK_RE = re.compile(r"^(https?://|mailto:)\S+$")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what the term matcher compares; the rest only separates words
LIST_ID = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)+$", re.ASCII)  # RFC 2919, without <>
ENGINES = ("mkdocs", "zensical")
PATH_KEYS = ("posts", "docs", "site")
TEMPLATE_FIELDS = {"title": "", "number": 0, "top_theme": "", "period": "", "customers": 0, "themes": 0,
                   "customers_text": "", "themes_text": "", "since": "", "until": ""}


@dataclass(frozen=True)
class Spec:
    """One field: its name, kind, whether it must be written, and what to say when it is wrong."""

    name: str
    kind: str  # a key of KINDS
    required: bool = False
    fix: str = ""  # when the value is wrong; the kind's own fix if empty
    message: str = ""  # when the value is wrong, with {raw} and {shown}; the kind's own if empty
    choices: tuple | range = ()  # a choice's values, a number's range, a section's specs
    pattern: re.Pattern | None = None  # each name of a list must match it
    default: object = None  # the value when not written, or wrong
    absent: tuple[str, str] | None = None  # (message, fix): a warning when the key is not written at all
    one_line: bool = False  # no line breaks or control characters (an e-mail header)

    def __post_init__(self):
        object.__setattr__(self, "value", KINDS[self.kind])  # the kind's function: (spec, field, where) -> value


class Wrong(Exception):
    """A field's value is wrong: the message and fix (the spec's own when None)."""

    def __init__(self, message: str | None = None, fix: str | None = None):
        self.message, self.fix = message, fix


def check(specs: tuple[Spec, ...], fields: dict[str, Field], path: Path | str, report: Report, *,
          prefix: str = "", blank_is_absent: bool = True, defaults: bool = True) -> tuple[dict, bool]:
    """Every spec checked against `fields`: (the values, whether all were right).

    A problem is reported at the field's line (line 1 when it is missing). With `blank_is_absent`
    (entries) an empty value counts as not written, except for true/false; with `defaults`, a field
    not written or wrong gets its spec's default. A value yamlmap rejected (INVALID) was reported
    already: it is not right, and not reported again.
    """
    values: dict = {}
    ok = True
    where = (path, report, prefix)
    for spec in specs:
        f = fields.get(spec.name)
        if f is None:
            if spec.absent:
                report.warning(path, 1, prefix + spec.name, *spec.absent)
            elif spec.required:
                ok = False
                report.error(path, 1, prefix + spec.name, "is missing", _missing_fix(spec))
            if defaults:
                values[spec.name] = spec.default
            continue
        v = f.value
        if v is INVALID or (blank_is_absent and (v is None or v == "") and spec.kind != "bool"):
            if v is INVALID:
                ok = False
            elif spec.required:
                ok = False
                report.error(path, f.line, prefix + spec.name, "is missing", _missing_fix(spec))
            if defaults:
                values[spec.name] = spec.default
            continue
        try:
            if spec.one_line and _control_character(v):
                raise Wrong("has a line break or another control character, which an e-mail cannot carry",
                            "write it on one line of plain text")
            values[spec.name] = spec.value(spec, f, where)
        except Wrong as e:
            ok = False
            shown = f.raw or v
            report.error(path, f.line, prefix + spec.name,
                         e.message or spec.message.format(raw=repr(f.raw), shown=repr(shown)), e.fix or spec.fix)
            if defaults:
                values[spec.name] = spec.default
    return values, ok


def _missing_fix(spec: Spec) -> str:
    name = spec.name
    if spec.kind == "choice":
        return f"add `{name}:` with one of {', '.join(spec.choices)}"
    if spec.kind == "date":
        return f"add `{name}: YYYY-MM-DD`"  # no day of the clock's: a problem is cached with its entry
    if spec.kind == "names":
        return f"add `{name}: [first, second]`"
    return f"add `{name}: ...` to the front matter"


def unknown(fields: dict[str, Field], known, path: Path | str, report: Report, message: str,
            prefix: str = "") -> None:
    """A warning for each key that is not one of `known`, naming the nearest known key."""
    for key, f in fields.items():
        if key not in known:
            report.warning(path, f.line, prefix + str(key), message, closest(str(key), known))


def closest(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else f"known keys: {', '.join(choices)}"


# The kinds: each returns the value as the model holds it, or raises Wrong. `where` is (path, report,
# prefix of the field's name), for the kinds that report more than one problem.

def _text(spec: Spec, f: Field, where: tuple) -> str:
    v = f.value
    if isinstance(v, (dict, list)):
        raise Wrong(f"must be text, not a {'list' if isinstance(v, list) else 'mapping'}",
                    f"write `{spec.name}: your text` (quote it if it contains ': ')")
    return (v if isinstance(v, str) else f.raw or str(v)).strip()  # `title: Yes` is text


def _name(spec: Spec, f: Field, where: tuple) -> str:
    text = _text(spec, f, where)
    if text and not NAME_RE.match(text):
        raise Wrong(f"{text!r} is not lower-case and hyphenated", f"write `{spec.name}: {slugify(text, '-')}`")
    return text


def _slug(spec: Spec, f: Field, where: tuple) -> str:
    """A written slug: a name of at most SLUG_MAX bytes (it names the post's file and its URL)."""
    text = _name(spec, f, where)
    if len(text.encode("utf-8")) > SLUG_MAX:
        raise Wrong(f"is {len(text.encode('utf-8'))} characters long, more than {SLUG_MAX}",
                    f"write a shorter one, e.g. `slug: {cap_slug(text)}`")
    return text


def _link(spec: Spec, f: Field, where: tuple) -> str:
    text = _text(spec, f, where)
    if text and not LINK_RE.match(text):
        raise Wrong(f"{text!r} is not a link", spec.fix)
    return text


def _choice(spec: Spec, f: Field, where: tuple) -> str:
    v = f.value
    if isinstance(v, str) and v in spec.choices:
        return v
    if spec.message:
        raise Wrong()
    hint = f"write `{v.lower()}`" if isinstance(v, str) and v.lower() in spec.choices \
        else f"use one of {', '.join(spec.choices)}"
    raise Wrong(f"{f.raw or v!r} is not one of {', '.join(spec.choices)}", hint)


def _bool(spec: Spec, f: Field, where: tuple) -> bool:
    """true or false, never quoted: `yes`, `on` and `"true"` are refused."""
    if not isinstance(f.value, bool) or f.quoted or (f.raw or "").lower() not in ("true", "false"):
        raise Wrong(f"{f.raw!r} is not true or false", "write true or false, without quotes")
    return f.value


def _date(spec: Spec, f: Field, where: tuple) -> dt.date:
    v = f.value
    date = as_date(v)
    if date is None:
        raise Wrong(f"{f.raw or v!r} is not a date", "write a real date as YYYY-MM-DD")
    if not plausible(date):
        raise Wrong(f"{f.raw or v!r} is not a plausible date", "write the real date as YYYY-MM-DD")
    return date


def _done(spec: Spec, f: Field, where: tuple) -> dt.date | bool:
    """A step done: true (or false), or the day it was done."""
    return _bool(spec, f, where) if isinstance(f.value, bool) else _date(spec, f, where)


def _names(spec: Spec, f: Field, where: tuple) -> tuple[str, ...]:
    v = f.value
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v):
        raise Wrong("must be a list of words", f"write `{spec.name}: [first, second]`")
    items = [str(x).strip() for x in v if str(x).strip()]
    if spec.pattern is not None:
        wrong = [x for x in items if not spec.pattern.match(x)]
        if wrong:
            raise Wrong(f"{wrong[0]!r} is not lower-case and hyphenated", f"write `{slugify(wrong[0], '-')}`")
    if spec.required and not items:
        raise Wrong("is empty", f"add at least one, e.g. `{spec.name}: [first]`")
    return tuple(dict.fromkeys(items))


def _number(spec: Spec, f: Field, where: tuple) -> int:
    v = f.value
    if isinstance(v, bool) or not isinstance(v, int) or v not in spec.choices:
        raise Wrong()
    return v


def _string(spec: Spec, f: Field, where: tuple) -> str:
    if not isinstance(f.value, str):
        raise Wrong()
    return f.value


def _address(spec: Spec, f: Field, where: tuple) -> str | tuple[str, ...]:
    """One address (`Name <you@example.com>`), or with kind `addresses` a list of them."""
    v = f.value
    many = spec.kind == "addresses"
    if not (isinstance(v, list) and all(isinstance(x, str) for x in v) if many else isinstance(v, str)):
        raise Wrong()
    bad = bad_addresses(v if many else [v])
    if bad:
        raise Wrong(f"not a valid address: {', '.join(bad)}")
    return tuple(v) if many else v


def _domains(spec: Spec, f: Field, where: tuple) -> tuple[str, ...]:
    """Mail domains, each as mail.domain_key compares it (lower case, IDNA); none is guessed."""
    v = [f.value] if isinstance(f.value, str) else f.value
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Wrong()
    if not v:
        raise Wrong("is empty, so nobody could receive the newsletter",
                    "write the company's domains, e.g. [example.com], or remove it to allow the sender's")
    bad = [x for x in v if domain_key(x) is None]
    if bad:
        raise Wrong(f"not a domain: {', '.join(map(repr, bad))}",
                    "write what follows the @, e.g. example.com; a subdomain is written on its own")
    return tuple(dict.fromkeys(domain_key(x) for x in v))


def _template(spec: Spec, f: Field, where: tuple) -> str:
    v = _string(spec, f, where)
    try:
        v.format(**TEMPLATE_FIELDS)
    except (KeyError, IndexError, ValueError):
        raise Wrong() from None
    return v


def _list_id(spec: Spec, f: Field, where: tuple) -> str:
    v = _string(spec, f, where)
    if len(v) > 255 or not LIST_ID.match(v):
        raise Wrong()
    return v


def _unsubscribe(spec: Spec, f: Field, where: tuple) -> str:
    """A mailto: address, or an https page (one-click, RFC 8058)."""
    v = _string(spec, f, where)
    if (v.startswith("mailto:") and not bad_addresses([v[7:].split("?")[0]])) or \
            bool(re.match(r"^https://[^\s/<>]+\S*$", v) and not re.search(r"[<>\s]", v)):
        return v
    raise Wrong()


def _seconds(spec: Spec, f: Field, where: tuple) -> float:
    v = f.value
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
        raise Wrong()
    return v


def _url(spec: Spec, f: Field, where: tuple) -> str:
    v = f.value
    if not isinstance(v, str) or not SITE_URL_RE.match(v):
        raise Wrong(f"{v!r} is not an absolute http(s) URL")
    return v if v.endswith("/") else v + "/"


def _phrase(spec: Spec, f: Field, where: tuple) -> str:
    if not isinstance(f.value, str) or not f.value.strip():
        raise Wrong()
    return f.value.strip()


def _framework(spec: Spec, f: Field, where: tuple) -> tuple[str, ...]:
    """The competency framework: a non-empty list of names (or a mapping: its keys)."""
    v = f.value
    if isinstance(v, dict):
        v = list(v)
    if not isinstance(v, list) or not v or not all(isinstance(n, str) and NAME_RE.match(n) for n in v):
        raise Wrong()
    return tuple(dict.fromkeys(v))


def _levels(spec: Spec, f: Field, where: tuple) -> dict[str, tuple[str, ...]]:
    """levels: {IC: [product-sense, execution], Director: [...]} (the names: see config.py)."""
    v = f.value
    if not isinstance(v, dict) or not v or not all(
            isinstance(k, str) and isinstance(c, list) and all(isinstance(x, str) for x in c) for k, c in v.items()):
        raise Wrong()
    return {name: tuple(dict.fromkeys(names)) for name, names in v.items()}


def _terms(spec: Spec, f: Field, where: tuple) -> tuple[str, ...]:
    """The confidential terms; one without a letter or digit is refused, as no text can ever match it."""
    v = f.value
    if not isinstance(v, list) or not all(isinstance(t, str) and t.strip() for t in v):
        raise Wrong()
    path, report, prefix = where
    for i, term in enumerate(v):
        if not LETTER_OR_DIGIT.search(term):
            report.error(path, f.item_lines.get(i, f.line), prefix + spec.name,
                         f"{term!r} has no letters or digits, so it can never be matched", "write the name itself")
    return tuple(t.strip() for t in v if LETTER_OR_DIGIT.search(t))


def _customers(spec: Spec, f: Field, where: tuple) -> dict[str, tuple[str, ...]]:
    """Each customer's aliases: `{Harborview Outfitters: [HVO, Harbor View]}` (one alias may be written
    without brackets); an alias without a letter or digit is reported and left out, as no text can
    ever match it."""
    v = f.value
    if not isinstance(v, dict) or not all(isinstance(k, str) and LETTER_OR_DIGIT.search(k) and (
            isinstance(a, str) or isinstance(a, list) and all(isinstance(x, str) for x in a)) for k, a in v.items()):
        raise Wrong()
    path, report, prefix = where
    out = {}
    for name, aliases in v.items():
        aliases = [aliases] if isinstance(aliases, str) else aliases
        for alias in aliases:
            if not LETTER_OR_DIGIT.search(alias):
                report.error(path, f.item_lines.get(name, f.line), f"{prefix}{spec.name}.{name}",
                             f"{alias!r} has no letters or digits, so it can never be matched", "write the alias itself")
        out[name] = tuple(dict.fromkeys(a.strip() for a in aliases if LETTER_OR_DIGIT.search(a)))
    return out


def _authors(spec: Spec, f: Field, where: tuple) -> tuple[tuple[str, str, str, str], ...]:
    """(id, name, description, avatar) of each author; a wrong one is reported and left out."""
    v = f.value
    if not isinstance(v, dict) or not v:
        raise Wrong()
    authors = []
    path, report, _ = where
    for ident, info in v.items():
        line = f.item_lines.get(ident, f.line)
        if not isinstance(ident, str) or not NAME_RE.match(ident):
            report.error(path, line, "authors", f"id {ident!r} must be lower-case and hyphenated", spec.fix)
            continue
        if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not info["name"].strip():
            report.error(path, line, f"authors.{ident}", "needs a name", spec.fix)
            continue
        unknown = set(info) - {"name", "description", "avatar"}
        if unknown:
            report.warning(path, line, f"authors.{ident}", f"unknown keys {sorted(unknown)}",
                           "use name, description and avatar")
        authors.append((ident, info["name"].strip(), str(info.get("description") or ""), str(info.get("avatar") or "")))
    return tuple(authors)


def _paths(spec: Spec, f: Field, where: tuple) -> dict[str, str]:
    v = f.value
    if not isinstance(v, dict) or any(k not in PATH_KEYS or not isinstance(p, str) or not p.strip()
                                      for k, p in v.items()):
        raise Wrong()
    return v


def _section(spec: Spec, f: Field, where: tuple) -> dict:
    """A mapping of settings, each checked by its own spec; the right ones are kept."""
    if not isinstance(f.value, dict):
        raise Wrong("must be a mapping of settings", f"write `{spec.name}:` and indented settings")
    nested = {key: Field(value, f.item_lines.get(key, f.line), None, False) for key, value in f.value.items()}
    prefix = f"{spec.name}."
    path, report, _ = where
    unknown(nested, tuple(s.name for s in spec.choices), path, report, "is not a setting", prefix)
    values, _ = check(spec.choices, nested, path, report, prefix=prefix, blank_is_absent=False, defaults=False)
    return values


def _control_character(value) -> bool:
    """A line break, tab or other control character: mail headers cannot hold one."""
    texts = value if isinstance(value, list) else [value]
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for t in texts if isinstance(t, str) for c in t)


KINDS = {
    # entries
    "text": _text, "name": _name, "slug": _slug, "link": _link, "choice": _choice, "bool": _bool, "date": _date,
    "done": _done, "names": _names, "number": _number,
    # notepress.yml
    "url": _url, "phrase": _phrase, "framework": _framework, "levels": _levels, "terms": _terms, "customers": _customers,
    "authors": _authors, "paths": _paths, "section": _section,
    "string": _string, "address": _address, "addresses": _address, "domains": _domains, "template": _template,
    "list-id": _list_id, "unsubscribe": _unsubscribe, "seconds": _seconds,
}


def _text_spec(name: str, required: bool = False) -> Spec:
    return Spec(name, "text", required, default="")


def _names_spec(name: str, required: bool = False, pattern: re.Pattern | None = None) -> Spec:
    return Spec(name, "names", required, pattern=pattern, default=())


# Entries. Each type's fields in the order the docs list them (and `check` reports them).
TYPE = Spec("type", "choice", required=True, choices=TYPES)
COMMON = (
    _text_spec("title", required=True),
    Spec("date", "date", required=True),
    TYPE,
    Spec("audience", "choice", required=True, choices=AUDIENCES, default="private",
         absent=("is missing, so the entry stays private", "add `audience: public`, `internal` or `private`")),
    _names_spec("tags"),
    Spec("draft", "bool", default=False),
    _text_spec("summary"),
    Spec("slug", "slug", default=""),
    _names_spec("authors"),
)
LEARNING = (
    _names_spec("competencies", pattern=NAME_RE),
    _text_spec("action", required=True),
    _text_spec("outcome"),
    _text_spec("learning", required=True),
    _text_spec("next_step"),
    Spec("next_step_due", "date"),
    Spec("next_step_done", "done", default=False),
    Spec("next_step_carried", "slug", default=""),  # not done: carried over to this later entry
    Spec("next_step_dropped", "slug", default=""),  # not done, and not carried over: this later entry says why
    _names_spec("goals", pattern=NAME_RE),
)
INSIGHT = (
    _text_spec("customer", required=True),
    _names_spec("contacts"),  # the people we spoke to: confidential like the customer (customers.py)
    _text_spec("segment"),
    Spec("source", "choice", required=True, choices=SOURCES, default="other"),
    _names_spec("themes", required=True),
    _text_spec("quote"),
    Spec("importance", "number", choices=range(0, 4), default=1, message="{raw} is not a whole number from 0 to 3",
         fix="write 0 (minor) to 3 (critical)"),
    Spec("evidence", "link", default="", fix="write the URL of the ticket, call or recording"),
    _text_spec("product_area"),
)
GOAL = (
    _text_spec("want", required=True),
    _text_spec("why", required=True),
    _text_spec("success", required=True),
    _text_spec("measure", required=True),
    Spec("horizon", "date", required=True),
    _names_spec("competencies", pattern=NAME_RE),
)
ENTRY_TYPES = {"learning": COMMON + LEARNING, "insight": COMMON + INSIGHT, "essay": COMMON, "goal": COMMON + GOAL}
TYPE_FIELDS = {t: tuple(s for s in specs if s is not TYPE) for t, specs in ENTRY_TYPES.items()}  # checked after type
COMMON_FIELDS = tuple(s for s in COMMON if s is not TYPE)  # when the type is wrong
FIELDS_BY_TYPE = {t: tuple(s.name for s in specs) for t, specs in ENTRY_TYPES.items()}
ALL_FIELDS = tuple(dict.fromkeys(s.name for specs in ENTRY_TYPES.values() for s in specs))
OWNER = {s.name: t for t in ("learning", "insight", "goal") for s in ENTRY_TYPES[t] if s not in COMMON}


def _setting(name: str, kind: str, fix: str, **more) -> Spec:
    """One setting of a section of notepress.yml: a wrong value is `'...' is not valid (fix)`."""
    return Spec(name, kind, fix=fix, message="{shown} is not valid", **more)


NEWSLETTER = (
    _setting("title", "string", "write a short name", one_line=True),
    _setting("sender", "address", 'write "Name <you@example.com>"', one_line=True),
    _setting("reply_to", "address", "write you@example.com", one_line=True),
    _setting("recipients", "addresses", "write a list of addresses", one_line=True),
    _setting("recipients_file", "string", "write the path of a CSV file with an `email` column"),
    _setting("allowed_domains", "domains", "write the company's domains, e.g. [example.com]", one_line=True),
    _setting("cadence_days", "number", "write a number of days up to 366, e.g. 14", choices=range(1, 367)),
    _setting("subject", "template", "use {title}, {number}, {top_theme}, {period}", one_line=True),
    _setting("preheader", "template", "use {customers_text}, {themes_text}, {top_theme}, {period}", one_line=True),
    _setting("archive", "string", "write a folder name"),
    _setting("list_id", "list-id", "write a dotted name without spaces or <>, e.g. customer-notes.example.com",
             one_line=True),
    _setting("unsubscribe", "unsubscribe",
             "write mailto:you@example.com?subject=unsubscribe, or an https:// page", one_line=True),
)
SMTP = (
    _setting("host", "string", "write the mail server's name"),
    _setting("port", "number", "write e.g. 587", choices=range(1, 65536)),
    _setting("security", "choice", "use starttls, ssl or none", choices=("starttls", "ssl", "none")),
    _setting("username", "string", "write your login; the password goes in NOTEPRESS_SMTP_PASSWORD"),
    _setting("timeout", "seconds", "write seconds, e.g. 30"),
)
# notepress.yml, in the order its documentation lists the settings.
CONFIG = (
    Spec("site_url", "url", fix="write it like https://you.github.io/notes/"),
    Spec("authors", "authors", message="must map an author id to a name and description",
         fix="write authors: {maya: {name: Maya Chen, description: Product manager}}"),
    Spec("competencies", "framework", message="must be a non-empty list of lower-case hyphenated names",
         fix="write - business-acumen"),
    Spec("levels", "levels", message="must map a level's name to a list of competencies",
         fix="write levels: {IC: [product-sense, execution], Director: [people-sense, mentoring]}"),
    Spec("confidential_terms", "terms", message="must be a list of words or phrases", fix="write - Project Falcon"),
    Spec("customers", "customers", message="must map a customer's name to a list of its aliases",
         fix="write customers: {Harborview Outfitters: [HVO, Harbor View]}"),
    Spec("common_words", "terms", message="must be a list of words", fix="write - Outfitters"),
    Spec("redact", "bool"),
    Spec("redact_with", "phrase", message="must be a phrase", fix="write e.g. redact_with: a customer"),
    Spec("paths", "paths", message="must map posts, docs and site to folder names",
         fix="write paths: {posts: posts, docs: docs, site: site}"),
    Spec("newsletter", "section", choices=NEWSLETTER),
    Spec("smtp", "section", choices=SMTP),
    Spec("engine", "choice", choices=ENGINES, message="{raw} is not a site engine", fix="write mkdocs or zensical"),
    Spec("cadence_days", "number", choices=range(1, 367), message="{shown} is not a number of days from 1 to 366",
         fix="write e.g. cadence_days: 14 (check in at least twice a month)"),
)


def as_date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    return None
