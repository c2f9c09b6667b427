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
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

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
KNOWN_KEYS = ("site_url", "authors", "competencies", "confidential_terms", "redact", "redact_with", "paths")
PATH_KEYS = ("posts", "docs", "site")


@dataclass(frozen=True)
class Author:
    id: str
    name: str
    description: str = ""
    avatar: str = ""


@dataclass(frozen=True)
class Config:
    root: Path
    site_url: str = ""
    authors: tuple[Author, ...] = ()
    competencies: tuple[str, ...] = DEFAULT_COMPETENCIES
    confidential_terms: tuple[str, ...] = ()
    redact: bool = False
    redact_with: str = "a customer"
    posts_dir: Path = Path("posts")
    docs_dir: Path = Path("docs")
    site_dir: Path = Path("site")
    warnings: tuple[Problem, ...] = ()  # about notepress.yml, shown by every command

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
    values: dict = {}
    if path.exists():
        try:
            text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError:
            report.error(path, 1, "", "file is not UTF-8 text", "save it as UTF-8")
            text = ""
        fields = load_mapping(text, path, 1, report, allow_empty=True)
        values = _validate(fields or {}, path, report)
    paths = values.pop("paths", {})
    return Config(
        root=root,
        warnings=tuple(p for p in report.problems if p.severity == "warning"),
        **values,
        **{f"{k}_dir": root / paths.get(k, k) for k in PATH_KEYS},
    )


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
            if not isinstance(v, str) or not re.match(r"^https?://[^\s/]+", v):
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
        elif key == "confidential_terms":
            if not isinstance(v, list) or not all(isinstance(t, str) and t.strip() for t in v):
                report.error(path, f.line, key, "must be a list of words or phrases", "write - Project Falcon")
            else:
                out[key] = tuple(t.strip() for t in v)
        elif key == "redact":
            if not isinstance(v, bool) or f.quoted or (f.raw or "").lower() not in ("true", "false"):
                report.error(path, f.line, key, f"{f.raw!r} is not true or false", "write true or false, without quotes")
            else:
                out[key] = v
        elif key == "redact_with":
            if not isinstance(v, str) or not v.strip():
                report.error(path, f.line, key, "must be a phrase", "write e.g. redact_with: a customer")
            else:
                out[key] = v.strip()
        elif key == "paths":
            if not isinstance(v, dict) or any(k not in PATH_KEYS or not isinstance(p, str) or not p.strip()
                                              for k, p in v.items()):
                report.error(path, f.line, key, "must map posts, docs and site to folder names",
                             "write paths: {posts: posts, docs: docs, site: site}")
            else:
                out[key] = v
    return out


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
        if not isinstance(ident, str) or not NAME_RE.match(ident):
            report.error(path, f.line, "authors", f"id {ident!r} must be lower-case and hyphenated", fix)
            continue
        if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not info["name"].strip():
            report.error(path, f.line, f"authors.{ident}", "needs a name", fix)
            continue
        unknown = set(info) - {"name", "description", "avatar"}
        if unknown:
            report.warning(path, f.line, f"authors.{ident}", f"unknown keys {sorted(unknown)}",
                           "use name, description and avatar")
        authors.append(Author(ident, info["name"].strip(), str(info.get("description") or ""),
                              str(info.get("avatar") or "")))
    return tuple(authors)
