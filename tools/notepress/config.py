"""notepress.yml: the writing repo's settings, validated as strictly as entries.

Every key is optional; without the file the defaults below apply.

    site_url: https://you.github.io/notes/      # absolute links in feeds, sitemap, newsletter
    authors:                                      # the first author signs posts that name none
      maya: {name: Maya Chen, description: Product manager}
    competencies: [business-acumen, execution]   # the framework learning entries are tagged with
    confidential_terms: [Project Falcon]         # never on a public page (customers are added)
    redact: false                                # true: replace terms with `redact_with` instead of failing
    redact_with: a customer
    paths: {posts: posts, docs: docs, site: site}
    engine: mkdocs                               # or zensical: the site engine `build` and `serve` use
    cadence_days: 14                             # check in on your next step at least this often
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .mail import bad_addresses
from .problems import Problem, Report
from .yamlmap import INVALID, Field, load_mapping

CONFIG_FILE = "notepress.yml"

# Drawn from the career advice: IC (market and product), Director (people), VP (strategy),
# CPO (business vision, financial literacy), and the relationships every level needs.
DEFAULT_COMPETENCIES = (
    "business-acumen",
    "strategic-thinking",
    "leadership",
    "execution",
    "stakeholder-relationships",
    "customer-relationships",
    "financial-literacy",
    "people-sense",
    "mentoring",
    "product-sense",
    "market-insight",
    "business-vision",
)

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SITE_URL_RE = re.compile(r"^https?://[^\s/]+")  # an absolute http(s) URL
KNOWN_KEYS = ("site_url", "authors", "competencies", "levels", "confidential_terms", "redact", "redact_with",
              "paths", "newsletter", "smtp", "engine", "cadence_days")
ENGINES = ("mkdocs", "zensical")
PATH_KEYS = ("posts", "docs", "site")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what the term matcher compares; the rest only separates words
ONE_LINE = ("title", "sender", "reply_to", "recipients", "subject", "preheader", "list_id", "unsubscribe")
LIST_ID = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)+$", re.ASCII)  # RFC 2919, without <>


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    description: str = ""
    avatar: str = ""


@dataclass(frozen=True)
class Newsletter:
    """The internal newsletter: who sends it, to whom, how often, and how its subject reads."""

    title: str = "Customer notes"
    sender: str = ""  # "Maya Chen <maya@example.com>"
    reply_to: str = ""
    recipients: tuple[str, ...] = ()
    recipients_file: str = ""  # a CSV with an `email` column, relative to the repo root
    cadence_days: int = 14
    subject: str = "{title} #{number}: {top_theme}"
    preheader: str = "{customers_text} on {themes_text}, {period}"
    archive: str = "newsletters"
    list_id: str = ""  # e.g. customer-notes.example.com
    unsubscribe: str = ""  # a mailto: address for List-Unsubscribe


@dataclass(frozen=True)
class Smtp:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""  # the password comes only from NOTEPRESS_SMTP_PASSWORD
    timeout: float = 30.0


SECTIONS = {  # key -> (type, check: a name, or the allowed values, fix)
    "newsletter": {
        "title": (str, None, "write a short name"),
        "sender": (str, "address", 'write "Name <you@example.com>"'),
        "reply_to": (str, "address", "write you@example.com"),
        "recipients": (list, "addresses", "write a list of addresses"),
        "recipients_file": (str, None, "write the path of a CSV file with an `email` column"),
        "cadence_days": (int, range(1, 367), "write a number of days up to 366, e.g. 14"),
        "subject": (str, "template", "use {title}, {number}, {top_theme}, {period}"),
        "preheader": (str, "template", "use {customers_text}, {themes_text}, {top_theme}, {period}"),
        "archive": (str, None, "write a folder name"),
        "list_id": (str, "list-id", "write a dotted name without spaces or <>, e.g. customer-notes.example.com"),
        "unsubscribe": (str, "mailto", "write mailto:you@example.com?subject=unsubscribe, or an https:// page"),
    },
    "smtp": {
        "host": (str, None, "write the mail server's name"),
        "port": (int, range(1, 65536), "write e.g. 587"),
        "security": (str, ("starttls", "ssl", "none"), "use starttls, ssl or none"),
        "username": (str, None, "write your login; the password goes in NOTEPRESS_SMTP_PASSWORD"),
        "timeout": ((int, float), "positive", "write seconds, e.g. 30"),
    },
}
TEMPLATE_FIELDS = {"title": "", "number": 0, "top_theme": "", "period": "", "customers": 0, "themes": 0,
                   "customers_text": "", "themes_text": "", "since": "", "until": ""}


@dataclass(frozen=True)
class Config:
    root: Path
    site_url: str = ""
    authors: tuple[Author, ...] = ()
    competencies: tuple[str, ...] = DEFAULT_COMPETENCIES
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # level -> competencies it expects
    confidential_terms: tuple[str, ...] = ()
    redact: bool = False
    redact_with: str = "a customer"
    posts_dir: Path = Path("posts")
    docs_dir: Path = Path("docs")
    site_dir: Path = Path("site")
    newsletter: Newsletter = Newsletter()
    smtp: Smtp = Smtp()
    engine: str = "mkdocs"  # the site engine: mkdocs (MkDocs + Material) or zensical
    cadence_days: int = 14  # check in at least this often ("at least twice a month")
    warnings: tuple[Problem, ...] = ()  # about notepress.yml, shown by every command

    @property
    def archive_dir(self) -> Path:
        """Where newsletter issues are kept, tracked in git."""
        return self.root / self.newsletter.archive

    @property
    def blog_posts_dir(self) -> Path:
        """The folder notepress owns: generated Material posts, git-ignored."""
        return self.docs_dir / "blog" / "posts"


def closest(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else f"known keys: {', '.join(choices)}"


def load_config(root: Path | str, strict: bool = False) -> Config:
    """Read `notepress.yml` under `root` (defaults when absent). Raises NotepressError on errors."""
    report = Report(Path(root).resolve())
    config = read_config(root, report)
    report.raise_if_errors(strict)
    return config


def read_config(root: Path | str, report: Report) -> Config:
    """Read `notepress.yml`, adding its problems to `report`; invalid settings fall back to defaults,
    so that `check` can go on and report the entries' problems too."""
    root = Path(root).resolve()
    path = root / CONFIG_FILE
    fields: dict[str, Field] = {}
    if path.exists() or path.is_symlink():  # a broken link is a problem, not "no settings"
        fields = load_mapping(_read_text(path, report), path, 1, report, allow_empty=True) or {}
    values = _validate(fields, path, report)
    paths = values.pop("paths", {})
    config = Config(
        root=root,
        warnings=tuple(p for p in report.problems if p.severity == "warning"),
        **values,
        **{f"{k}_dir": root / paths.get(k, k) for k in PATH_KEYS},
    )
    report.problems.extend(overlapping(_folders(config, fields), SEPARATE, root))
    return config


@dataclass(frozen=True)
class Folder:
    """A folder notepress reads or writes, and the setting that chose it (line 0: not written)."""

    role: str  # posts | docs | site | archive
    path: Path
    file: str
    setting: str
    line: int = 0


FOLDER_LABELS = {"posts": "the posts folder", "docs": "the docs folder", "site": "the site folder",
                 "archive": "the newsletter archive"}
# Pairs that must not overlap: a build replaces site/ and docs/blog/posts/ and publishes all of
# docs/; the archive holds internal issues. The setting named is the first's, unless only the
# second was written.
SEPARATE = (("docs", "posts"), ("site", "posts"), ("archive", "posts"), ("archive", "docs"), ("archive", "site"))


def overlapping(folders: list[Folder], pairs, root: Path) -> list[Problem]:
    """A problem for each pair of `folders` (by role) that are the same folder or one inside the other."""
    by_role = {f.role: f for f in folders}
    problems = []
    for first, second in pairs:
        a, b = by_role[first], by_role[second]
        if b.line and not a.line:
            a, b = b, a
        how = _relation(a.path.resolve(), b.path.resolve())
        if not how:
            continue
        shown_a, shown_b = _shown(a.path, root), _shown(b.path, root)
        where = "" if shown_a == shown_b else f" ({shown_b})"
        problems.append(Problem(a.file, a.line, a.setting, f"{shown_a} {how} {FOLDER_LABELS[b.role]}{where}",
                                "choose another folder: posts, docs, site and the newsletter archive must not overlap"))
    return problems


def _relation(a: Path, b: Path) -> str:
    if a == b:
        return "is also"
    if a.is_relative_to(b):
        return "is inside"
    return "contains" if b.is_relative_to(a) else ""


def _shown(path: Path, root: Path) -> str:
    """A folder as the user wrote it: relative to the repo when it is inside, with a trailing slash."""
    if path == root:
        return "./"
    return f"{path.relative_to(root).as_posix()}/" if path.is_relative_to(root) else f"{path}/"


def _folders(config: Config, fields: dict[str, Field]) -> list[Folder]:
    def line(section: str, key: str) -> int:
        f = fields.get(section)
        return f.item_lines.get(key, 0) if f is not None and isinstance(f.value, dict) else 0

    return [*(Folder(k, getattr(config, f"{k}_dir"), CONFIG_FILE, f"paths.{k}", line("paths", k)) for k in PATH_KEYS),
            Folder("archive", config.archive_dir, CONFIG_FILE, "newsletter.archive", line("newsletter", "archive"))]


def _read_text(path: Path, report: Report) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        report.error(path, 0, "", f"cannot be read: {e.strerror or e}",
                     f"make {CONFIG_FILE} a readable file, or remove it to use the defaults")
        return ""
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        report.error(path, 1, "", "file is not UTF-8 text", "save it as UTF-8")
        return ""


def _validate(fields: dict[str, Field], path: Path, report: Report) -> dict:
    out: dict = {}
    for key, f in fields.items():
        if f.value is INVALID:
            continue
        if key not in KNOWN_KEYS:
            report.warning(path, f.line, key, "is not a notepress.yml setting", closest(key, KNOWN_KEYS))
            continue
        v = f.value
        if key == "site_url":
            if not isinstance(v, str) or not SITE_URL_RE.match(v):
                report.error(path, f.line, key, f"{v!r} is not an absolute http(s) URL",
                             "write it like https://you.github.io/notes/")
            else:
                out[key] = v if v.endswith("/") else v + "/"
        elif key == "authors":
            out[key] = _authors(f, path, report)
        elif key == "competencies":
            names = _names(f, path, report, key)
            if names is not None:
                out[key] = names
        elif key == "levels":
            levels = _levels(f, path, report, fields)
            if levels is not None:
                out[key] = levels
        elif key == "confidential_terms":
            terms = _terms(f, path, report)
            if terms is not None:
                out[key] = terms
        elif key == "redact":
            if not isinstance(v, bool) or f.quoted or (f.raw or "").lower() not in ("true", "false"):
                report.error(path, f.line, key, f"{f.raw!r} is not true or false", "write true or false, without quotes")
            else:
                out[key] = v
        elif key == "engine":
            if v not in ENGINES:
                report.error(path, f.line, key, f"{f.raw!r} is not a site engine", "write mkdocs or zensical")
            else:
                out[key] = v
        elif key == "cadence_days":
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 366:
                report.error(path, f.line, key, f"{f.raw or v!r} is not a number of days from 1 to 366",
                             "write e.g. cadence_days: 14 (check in at least twice a month)")
            else:
                out[key] = v
        elif key == "redact_with":
            if not isinstance(v, str) or not v.strip():
                report.error(path, f.line, key, "must be a phrase", "write e.g. redact_with: a customer")
            else:
                out[key] = v.strip()
        elif key in SECTIONS:
            section = _section(key, f, path, report)
            if section is not None:
                out[key] = (Newsletter if key == "newsletter" else Smtp)(**section)
        elif key == "paths":
            if not isinstance(v, dict) or any(k not in PATH_KEYS or not isinstance(p, str) or not p.strip()
                                              for k, p in v.items()):
                report.error(path, f.line, key, "must map posts, docs and site to folder names",
                             "write paths: {posts: posts, docs: docs, site: site}")
            else:
                out[key] = v
    return out


def _terms(f: Field, path: Path, report: Report) -> tuple[str, ...] | None:
    """The confidential terms; one without a letter or digit is refused, as no text can ever match it."""
    v = f.value
    if not isinstance(v, list) or not all(isinstance(t, str) and t.strip() for t in v):
        report.error(path, f.line, "confidential_terms", "must be a list of words or phrases", "write - Project Falcon")
        return None
    for i, term in enumerate(v):
        if not LETTER_OR_DIGIT.search(term):
            report.error(path, f.item_lines.get(i, f.line), "confidential_terms",
                         f"{term!r} has no letters or digits, so it can never be matched", "write the name itself")
    return tuple(t.strip() for t in v if LETTER_OR_DIGIT.search(t))


def _section(name: str, f: Field, path: Path, report: Report) -> dict | None:
    if not isinstance(f.value, dict):
        report.error(path, f.line, name, "must be a mapping of settings", f"write `{name}:` and indented settings")
        return None
    out = {}
    spec = SECTIONS[name]
    for key, value in f.value.items():
        where, line = f"{name}.{key}", f.item_lines.get(key, f.line)
        if key not in spec:
            report.warning(path, line, where, "is not a setting", closest(str(key), spec))
            continue
        kind, check, fix = spec[key]
        if name == "newsletter" and key in ONE_LINE and _control_character(value):
            report.error(path, line, where, "has a line break or another control character, which an e-mail "
                         "cannot carry", "write it on one line of plain text")
            continue
        ok = isinstance(value, kind) and not isinstance(value, bool)
        if ok and kind is list:
            ok = all(isinstance(v, str) for v in value)
        if ok and check == "positive":
            ok = value > 0
        elif ok and isinstance(check, (tuple, range)):
            ok = value in check
        elif ok and check == "template":
            try:
                value.format(**TEMPLATE_FIELDS)
            except (KeyError, IndexError, ValueError):
                ok = False
        elif ok and check == "list-id":
            ok = len(value) <= 255 and bool(LIST_ID.match(value))
        elif ok and check == "mailto":  # a mailto: address, or an https page (one-click, RFC 8058)
            ok = (value.startswith("mailto:") and not bad_addresses([value[7:].split("?")[0]])) or \
                bool(re.match(r"^https://[^\s/<>]+\S*$", value) and not re.search(r"[<>\s]", value))
        elif ok and check in ("address", "addresses"):
            bad = bad_addresses(value if check == "addresses" else [value])
            if bad:
                report.error(path, line, where, f"not a valid address: {', '.join(bad)}", fix)
                continue
        if not ok:
            report.error(path, line, where, f"{value!r} is not valid", fix)
            continue
        out[key] = tuple(value) if kind is list else value
    return out


def _control_character(value) -> bool:
    """A line break, tab or other control character: mail headers cannot hold one."""
    texts = value if isinstance(value, list) else [value]
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for t in texts if isinstance(t, str) for c in t)


def _levels(f: Field, path: Path, report: Report, fields: dict[str, Field]) -> dict | None:
    """levels: {IC: [product-sense, execution], Director: [...]}, every name in the framework."""
    v = f.value
    fix = "write levels: {IC: [product-sense, execution], Director: [people-sense, mentoring]}"
    if not isinstance(v, dict) or not v or not all(
            isinstance(k, str) and isinstance(c, list) and all(isinstance(x, str) for x in c) for k, c in v.items()):
        report.error(path, f.line, "levels", "must map a level's name to a list of competencies", fix)
        return None
    framework = fields["competencies"].value if "competencies" in fields and isinstance(
        fields["competencies"].value, list) else DEFAULT_COMPETENCIES
    unknown = sorted({c for names in v.values() for c in names if c not in framework})
    if unknown:
        report.error(path, f.line, "levels", f"{', '.join(unknown)} not in the competency framework",
                     closest(unknown[0], framework))
        return None
    return {name: tuple(dict.fromkeys(names)) for name, names in v.items()}


def _names(f: Field, path: Path, report: Report, key: str) -> tuple[str, ...] | None:
    v = f.value
    if isinstance(v, dict):
        v = list(v)
    if not isinstance(v, list) or not v or not all(isinstance(n, str) and NAME_RE.match(n) for n in v):
        report.error(path, f.line, key, "must be a non-empty list of lower-case hyphenated names",
                     "write - business-acumen")
        return None
    return tuple(dict.fromkeys(v))


def _authors(f: Field, path: Path, report: Report) -> tuple[Author, ...]:
    v = f.value
    fix = "write authors: {maya: {name: Maya Chen, description: Product manager}}"
    if not isinstance(v, dict) or not v:
        report.error(path, f.line, "authors", "must map an author id to a name and description", fix)
        return ()
    authors = []
    for ident, info in v.items():
        line = f.item_lines.get(ident, f.line)
        if not isinstance(ident, str) or not NAME_RE.match(ident):
            report.error(path, line, "authors", f"id {ident!r} must be lower-case and hyphenated", fix)
            continue
        if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not info["name"].strip():
            report.error(path, line, f"authors.{ident}", "needs a name", fix)
            continue
        unknown = set(info) - {"name", "description", "avatar"}
        if unknown:
            report.warning(path, line, f"authors.{ident}", f"unknown keys {sorted(unknown)}",
                           "use name, description and avatar")
        authors.append(Author(ident, info["name"].strip(), str(info.get("description") or ""),
                              str(info.get("avatar") or "")))
    return tuple(authors)


def hand_written_pages(config: Config) -> list[Path]:
    """The Markdown pages of docs/, without the folder notepress generates."""
    owned = os.path.normcase(config.blog_posts_dir.resolve())
    pages = []
    for folder, dirs, files in os.walk(config.docs_dir):
        dirs[:] = [d for d in dirs if os.path.normcase(os.path.realpath(os.path.join(folder, d))) != owned]
        pages += [Path(folder, f) for f in files if f.lower().endswith(".md")]
    return sorted(pages)
