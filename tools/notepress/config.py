"""notepress.yml: the writing repo's settings, validated as strictly as entries.

Every key is optional; without the file the defaults below apply.

    site_url: https://you.github.io/notes/      # absolute links in feeds, sitemap, newsletter
    authors:                                      # the first author signs posts that name none
      maya: {name: Maya Chen, description: Product manager}
    competencies: [business-acumen, execution]   # the framework learning entries are tagged with
    confidential_terms: [Project Falcon]         # never on a public page (customers are added)
    customers: {Harborview Outfitters: [HVO]}    # a customer's aliases, protected like its name
    common_words: [Outfitters]                   # words of a customer's name not protected alone
    redact: false                                # true: replace terms with `redact_with` instead of failing
    redact_with: a customer
    paths: {posts: posts, docs: docs, site: site}
    engine: mkdocs                               # or zensical: the site engine `build` and `serve` use
    cadence_days: 14                             # check in on your next step at least this often
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .problems import Problem, Report
from .schema import ENGINES, SITE_URL_RE  # noqa: F401 (imported from here by site.py and scaffold_repo.py)
from .schema import PATH_KEYS, check, closest, unknown
from .yamlmap import INVALID, Field, load_mapping

CONFIG_FILE = "notepress.yml"
OWNED = ".notepress"  # the folder of the repo notepress owns: what it generates for the engine
POSTS = Path("blog", "posts")  # where Material's blog plugin reads posts, in the docs it builds from

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

KNOWN_KEYS = tuple(spec.name for spec in schema.CONFIG)
SECTIONS = {spec.name: {s.name: s for s in spec.choices} for spec in schema.CONFIG if spec.kind == "section"}


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
    allowed_domains: tuple[str, ...] = ()  # recipients' domains, as mail.domain_key has them; () = the sender's
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


@dataclass(frozen=True)
class Config:
    root: Path
    site_url: str = ""
    authors: tuple[Author, ...] = ()
    competencies: tuple[str, ...] = DEFAULT_COMPETENCIES
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # level -> competencies it expects
    confidential_terms: tuple[str, ...] = ()
    customers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # customer -> its aliases (customers.py)
    common_words: tuple[str, ...] = ()  # never protected alone, though a customer's or contact's name has them
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
    source: bytes = field(default=b"", repr=False, compare=False)  # notepress.yml's bytes, as read
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # `newsletter.sender` -> its line

    @property
    def archive_dir(self) -> Path:
        """Where newsletter issues are kept, tracked in git."""
        return self.root / self.newsletter.archive

    @property
    def owned_dir(self) -> Path:
        """The folder of the repo notepress owns (git-ignored): what it generates, its build lock."""
        return self.root / OWNED

    def engine_docs(self, preview: bool = False) -> Path:
        """What the engine builds from: docs/ as published (each file read: see screen.py) and the
        generated posts. Outside docs/, so that an engine command typed in the repo without
        notepress (`zensical build`) finds no post there; git-ignored, owned by notepress. A preview
        (drafts shown) has a folder of its own: a build while `serve` runs shares nothing with it."""
        return self.owned_dir / ("preview" if preview else "docs")

    @property
    def engine_docs_dir(self) -> Path:
        return self.engine_docs()

    @property
    def blog_posts_dir(self) -> Path:
        """The generated Material posts of a build, in the engine's docs (Material's blog reads blog/posts/)."""
        return self.engine_docs_dir / POSTS

    @property
    def legacy_posts_dir(self) -> Path:
        """Where notepress before 0.2 generated the posts, inside docs/ (removed by a build)."""
        return self.docs_dir / "blog" / "posts"


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
    raw = b""
    if path.exists() or path.is_symlink():  # a broken link is a problem, not "no settings"
        raw = _read_bytes(path, report)
        fields = load_mapping(_text(raw, path, report), path, 1, report, allow_empty=True) or {}
    values = _validate(fields, path, report)
    paths = values.pop("paths", {})
    config = Config(
        root=root,
        source=raw,
        lines=_lines(fields),
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
                 "archive": "the newsletter archive", "theme": "the theme folder"}
# Pairs that must not overlap: a build replaces site/ and docs/blog/posts/ and publishes all of
# docs/; the archive holds internal issues. The setting named is the first's, unless only the
# second was written.
SEPARATE = (("docs", "posts"), ("site", "posts"), ("archive", "posts"), ("archive", "docs"), ("archive", "site"))


def overlapping(folders: list[Folder], pairs, root: Path) -> list[Problem]:
    """A problem for each pair of `folders` (by role) that are the same folder or one inside the other."""
    by_role = {f.role: f for f in folders}
    problems = []
    for first, second in pairs:
        if first not in by_role or second not in by_role:
            continue
        a, b = by_role[first], by_role[second]
        if b.line and not a.line:
            a, b = b, a
        how = _relation(a.path.resolve(), b.path.resolve())
        if not how:
            continue
        shown_a, shown_b = _shown(a.path, root), _shown(b.path, root)
        where = "" if shown_a == shown_b else f" ({shown_b})"
        problems.append(Problem(a.file, a.line, a.setting, f"{shown_a} {how} {FOLDER_LABELS[b.role]}{where}",
                                "choose another folder: posts, docs, site, the theme and the newsletter archive must not overlap"))
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


def _lines(fields: dict[str, Field]) -> dict[str, int]:
    """The line of each setting written, a section's as `section.key`, for problems found later."""
    lines = {key: f.line for key, f in fields.items()}
    lines.update((f"{key}.{name}", line) for key, f in fields.items() if isinstance(f.value, dict)
                 for name, line in f.item_lines.items())
    return lines


def _read_bytes(path: Path, report: Report) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        report.error(path, 0, "", f"cannot be read: {e.strerror or e}",
                     f"make {CONFIG_FILE} a readable file, or remove it to use the defaults")
        return b""


def _text(raw: bytes, path: Path, report: Report) -> str:
    try:
        return raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        report.error(path, 1, "", "file is not UTF-8 text", "save it as UTF-8")
        return ""


def _validate(fields: dict[str, Field], path: Path, report: Report) -> dict:
    """The settings written and right, as Config takes them (the others keep their defaults)."""
    fields = {k: f for k, f in fields.items() if f.value is not INVALID}
    unknown(fields, KNOWN_KEYS, path, report, "is not a notepress.yml setting")
    out, _ = check(schema.CONFIG, fields, path, report, blank_is_absent=False, defaults=False)
    if "levels" in out and not _levels_in_framework(out["levels"], fields, path, report):
        del out["levels"]
    if "authors" in out:
        out["authors"] = tuple(Author(*a) for a in out["authors"])
    for name, kind in (("newsletter", Newsletter), ("smtp", Smtp)):
        if name in out:
            out[name] = kind(**out[name])
    return out


def _levels_in_framework(levels: dict, fields: dict[str, Field], path: Path, report: Report) -> bool:
    """Every competency a level expects is in the framework (as written, or the default one)."""
    framework = fields["competencies"].value if "competencies" in fields and isinstance(
        fields["competencies"].value, list) else DEFAULT_COMPETENCIES
    unknown = sorted({c for names in levels.values() for c in names if c not in framework})
    if unknown:
        report.error(path, fields["levels"].line, "levels", f"{', '.join(unknown)} not in the competency framework",
                     closest(unknown[0], framework))
    return not unknown


def hand_written_pages(config: Config) -> list[Path]:
    """The Markdown pages of docs/ (see docs_files)."""
    return [p for p in docs_files(config) if p.name.lower().endswith(".md")]


def docs_files(config: Config) -> list[Path]:
    """Every file of docs/ an engine would publish: folder links followed as MkDocs follows them;
    not dot-files (MkDocs leaves them out), nor the posts an earlier notepress generated there."""
    legacy = os.path.normcase(config.legacy_posts_dir.resolve())
    found = []
    for folder, dirs, files in os.walk(config.docs_dir, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (
            os.path.normcase(os.path.realpath(os.path.join(folder, d))) == legacy and is_generated(Path(folder, d))))
        found += [Path(folder, f) for f in files if not f.startswith(".")]
    return sorted(found)


def is_generated(folder: Path) -> bool:
    """Whether `folder` is one notepress generated (its .gitignore says so)."""
    try:
        return (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").startswith("# Generated by notepress")
    except OSError:
        return False


class Internal:
    """The repo's internal material, by path (through any link) and by the file itself (a hard link
    elsewhere is the same file): posts/ (entries and what they show reach the site only through the
    gate), the newsletter archive, the recipients file, the settings, git's and notepress's own folders."""

    def __init__(self, config: Config):
        self.config = config
        self._inodes: dict[tuple[int, int], str] | None = None

    def reason(self, path: Path | str, *, posts: bool = False) -> str:
        """Why `path` may not be published, or "" (`posts`: a file of posts/ may be, as an attachment)."""
        config = self.config
        real = os.path.normcase(os.path.realpath(path))

        def inside(folder: Path) -> bool:
            top = os.path.normcase(os.path.realpath(folder))
            return real == top or real.startswith(top + os.sep)

        if not inside(config.root):
            return "outside the writing repo"
        if inside(config.archive_dir):
            return "in the newsletter archive (internal)"
        if not posts and inside(config.posts_dir):
            return "a file of posts/ (published only through the entry that shows it)"
        if config.newsletter.recipients_file and inside(config.root / config.newsletter.recipients_file):
            return "the newsletter's recipients file (the team's addresses)"
        if any(inside(config.root / name) for name in (CONFIG_FILE, ".git", OWNED)):
            return "notepress's or git's own file"
        try:
            st = os.stat(path)
        except OSError:
            return ""
        same = self.inodes().get((st.st_dev, st.st_ino), "")
        return f"the same file as {same} (a hard link)" if same and not (posts and same.startswith("posts")) else ""

    def inodes(self) -> dict[tuple[int, int], str]:
        if self._inodes is None:
            config, self._inodes = self.config, {}
            folders = [config.posts_dir, config.archive_dir]
            files = [config.root / CONFIG_FILE] + ([config.root / config.newsletter.recipients_file]
                                                   if config.newsletter.recipients_file else [])
            for folder in folders:
                for top, _, names in os.walk(folder):
                    files += [Path(top, n) for n in names]
            for file in files:
                try:
                    st = os.stat(file)
                except OSError:
                    continue
                self._inodes.setdefault((st.st_dev, st.st_ino), os.path.relpath(file, config.root).replace(os.sep, "/"))
        return self._inodes
