"""posts/**/*.md -> validated Entry objects, with every problem as `path:line: field: message (fix)`.

Reading never stops at the first problem: `read_entries` returns every entry that validated and a
Report with every problem in the tree, so `check` can show them all at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import os
import re
from pathlib import Path

from markdown.extensions.toc import slugify

from . import front_matter
from .cache import EntryCache, digest
from .config import NAME_RE, Config, closest
from .model import AUDIENCES, SOURCES, TYPES, Entry, Goal, Insight, Loop, plausible
from .problems import Report
from .yamlmap import INVALID, Field, load_mapping

COMMON = ("title", "date", "type", "audience", "tags", "draft", "summary", "slug", "authors")
LEARNING = ("competencies", "action", "outcome", "learning", "next_step", "next_step_due", "next_step_done",
            "goals")
INSIGHT = ("customer", "segment", "source", "themes", "quote", "importance", "evidence", "product_area")
GOAL = ("want", "why", "success", "measure", "horizon", "competencies")
FIELDS_BY_TYPE = {"learning": COMMON + LEARNING, "insight": COMMON + INSIGHT, "essay": COMMON,
                  "goal": COMMON + GOAL}
ALL_FIELDS = tuple(dict.fromkeys(COMMON + LEARNING + INSIGHT + GOAL))
TOUR = dt.timedelta(days=548)  # a goal's horizon: a "tour of duty" of 12-18 months


def find_sources(config: Config) -> list[Path]:
    """Every file under posts/ ending in .md, in any case, except under a name that starts with `.`:
    dot-files, and folders such as Obsidian's .trash/ and .obsidian/ (whatever they hold stays unread)."""
    if not config.posts_dir.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(config.posts_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += (os.path.join(folder, f) for f in files if not f.startswith(".") and f.lower().endswith(".md"))
    return sorted((Path(p) for p in found if os.path.isfile(p)), key=lambda p: p.parts)


def current_date() -> dt.date:
    """Today, for the rules that depend on it (tests replace this function)."""
    return dt.date.today()


def read_entries(config: Config, report: Report | None = None, *, cache: bool = True,
                 today: dt.date | None = None) -> tuple[list[Entry], Report]:
    """Read and validate every entry. Duplicate slugs are reported naming both files.

    Files whose bytes are unchanged since the last run come from the cache (see cache.py). The
    rules that depend on `today` (default: current_date()) run after it, so a cached file is
    judged again every day.
    """
    report = report or Report(config.root)
    if not config.posts_dir.is_dir():
        report.error(config.posts_dir, 0, "", "posts folder not found",
                     f"create {report.rel(config.posts_dir)}/ or set paths.posts in notepress.yml")
    sources = find_sources(config)
    report.files_read += len(sources)
    entries = []
    with _collector_paused():
        for entry, problems in _read_all(config, sources, EntryCache(config) if cache else None):
            report.problems.extend(problems)
            if entry is not None:
                entries.append(entry)
    entries = _not_far_ahead(entries, today or current_date(), report)
    return _unique_slugs(entries, report), report


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector paused while thousands of entries are made: it would walk every one
    of them again and again (a third of the time of a large tree) and find nothing, as entries and
    their parts hold no cycles. It runs again (and collects anything left) once reading is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_all(config: Config, sources: list[Path], store: EntryCache | None) -> list[tuple[Entry | None, list]]:
    """(entry or None, problems) for each source, in order: from the cache when its bytes are known."""
    results = []
    for path in sources:
        mine = Report(config.root)
        try:
            raw = path.read_bytes()
        except OSError as e:  # unreadable, or removed since the folder was listed
            mine.error(path, 0, "", f"cannot be read: {e.strerror or e}", "make it a readable file or remove it")
            results.append((None, mine.problems))
            continue
        key = digest(raw) if store else b""
        hit = store.get(path, key) if store else None
        if hit is None:
            hit = (parse_entry(path, raw, config, mine), mine.problems)
            if store:
                store.put(path, key, *hit)
        results.append(hit)
    if store:
        store.save()
    return results


def _unique_slugs(entries: list[Entry], report: Report) -> list[Entry]:
    """The entries without the ones whose slug an earlier one has (reported, naming both files)."""
    by_slug: dict[str, Entry] = {}
    unique = []
    for e in entries:
        other = by_slug.get(e.slug)
        if other is not None:
            report.error(e.path, e.line_of("slug"), "slug",
                         f'"{e.slug}" is also the slug of {other.source}',
                         "give one of them another `slug:` or rename the file")
            continue
        by_slug[e.slug] = e
        unique.append(e)
    _served_goals(unique, report)
    return unique


def _served_goals(entries: list[Entry], report: Report) -> None:
    """Every slug in a learning entry's `goals:` names a goal entry."""
    goals = [e.slug for e in entries if e.goal]
    known = set(goals)
    for e in entries:
        for slug in e.loop.goals if e.loop else ():
            if slug not in known:
                near = difflib.get_close_matches(slug, goals, n=1, cutoff=0.6)
                fix = f"did you mean `{near[0]}`?" if near else \
                    "name the slug of a `type: goal` entry (notepress goals lists them), or create it"
                report.error(e.path, e.line_of("goals"), "goals", f"{slug!r} is not a goal entry", fix)


AHEAD = dt.timedelta(days=365)


def _not_far_ahead(entries: list[Entry], today: dt.date, report: Report) -> list[Entry]:
    """Entries dated more than a year after today are reported (a typo of the year) and left out."""
    kept = []
    for e in entries:
        if e.date - today > AHEAD:
            report.error(e.path, e.line_of("date"), "date", f"{e.date} is more than a year ahead of today ({today})",
                         f"write the real date, probably {likely_date(e.date, today)}")
        else:
            kept.append(e)
    return kept


def likely_date(date: dt.date, today: dt.date) -> dt.date:
    """The same month and day in the latest year that does not put it after today."""
    for year in range(today.year, today.year - 9, -1):  # 29 February: the last leap year
        try:
            candidate = date.replace(year=year)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return today


def parse_entry(path: Path, raw: bytes, config: Config, report: Report) -> Entry | None:
    if b"\x00" in raw:
        report.error(path, 1, "", "is a binary file, not Markdown", "remove it or rename it without .md")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        report.error(path, line, "", f"is not UTF-8 text (byte 0x{raw[e.start]:02x})", "save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        report.error(path, 1, "front matter", "the file is empty",
                     "start it with `---`, `title: ...`, `---` (or run `notepress new`)")
        return None
    try:
        yaml_text, first_line, body, body_line = front_matter.split(text)
    except front_matter.NoFrontMatter:
        report.error(path, 1, "front matter", "missing: the file must start with a `---` line",
                     "add `---`, the fields, and a closing `---` at the top")
        return None
    except front_matter.NotClosed:
        report.error(path, 1, "front matter", "is not closed", "add a `---` line after the last field")
        return None
    fields = load_mapping(yaml_text, path, first_line, report)
    if fields is None:
        return None
    return _validate(path, fields, body, body_line, config, report)


class _Fields:
    """Typed getters that record a problem and return None on bad input."""

    def __init__(self, path: Path, fields: dict[str, Field], report: Report):
        self.path, self.f, self.report = path, fields, report
        self.ok = True

    def line(self, name: str) -> int:
        f = self.f.get(name)
        return f.line if f else 1

    def bad(self, name: str, message: str, fix: str) -> None:
        self.ok = False
        self.report.error(self.path, self.line(name), name, message, fix)

    def present(self, name: str) -> bool:
        f = self.f.get(name)
        if f is not None and f.value is INVALID:  # reported by the YAML reader already
            self.ok = False
            return False
        return f is not None and f.value is not None and f.value != ""

    def missing(self, name: str, fix: str) -> None:
        """Report a required field as missing, unless it is there with a value already reported."""
        if name in self.f and self.f[name].value is INVALID:
            self.ok = False
        else:
            self.bad(name, "is missing", fix)

    def text(self, name: str, required: bool = False) -> str:
        if not self.present(name):
            if required:
                self.missing(name, f"add `{name}: ...` to the front matter")
            return ""
        f = self.f[name]
        if isinstance(f.value, (dict, list)):
            self.bad(name, f"must be text, not a {'list' if isinstance(f.value, list) else 'mapping'}",
                     f"write `{name}: your text` (quote it if it contains ': ')")
            return ""
        return (f.value if isinstance(f.value, str) else f.raw or str(f.value)).strip()  # `title: Yes` is text

    def enum(self, name: str, choices: tuple[str, ...], required: bool = False) -> str | None:
        if not self.present(name):
            if required:
                self.missing(name, f"add `{name}:` with one of {', '.join(choices)}")
            return None
        v = self.f[name].value
        if not isinstance(v, str) or v not in choices:
            hint = f"write `{v.lower()}`" if isinstance(v, str) and v.lower() in choices else f"use one of {', '.join(choices)}"
            self.bad(name, f"{self.f[name].raw or v!r} is not one of {', '.join(choices)}", hint)
            return None
        return v

    def boolean(self, name: str) -> bool:
        if not self.present(name) and (name not in self.f or self.f[name].value is INVALID):
            return False
        f = self.f[name]
        if not isinstance(f.value, bool) or f.quoted or (f.raw or "").lower() not in ("true", "false"):
            self.bad(name, f"{f.raw!r} is not true or false", "write true or false, without quotes")
            return False
        return f.value

    def date(self, name: str, required: bool = False) -> dt.date | None:
        if not self.present(name):
            if required:
                self.missing(name, f"add `{name}: {dt.date.today().isoformat()}`")
            return None
        v = self.f[name].value
        date = _as_date(v)
        if date is None:
            self.bad(name, f"{self.f[name].raw or v!r} is not a date", "write a real date as YYYY-MM-DD")
        elif not plausible(date):
            self.bad(name, f"{self.f[name].raw or v!r} is not a plausible date", "write the real date as YYYY-MM-DD")
            return None
        return date

    def names(self, name: str, required: bool = False, pattern: re.Pattern | None = None) -> tuple[str, ...]:
        if not self.present(name):
            if required:
                self.missing(name, f"add `{name}: [first, second]`")
            return ()
        v = self.f[name].value
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in v):
            self.bad(name, "must be a list of words", f"write `{name}: [first, second]`")
            return ()
        items = [str(x).strip() for x in v if str(x).strip()]
        if pattern is not None:
            wrong = [x for x in items if not pattern.match(x)]
            if wrong:
                self.bad(name, f"{wrong[0]!r} is not lower-case and hyphenated",
                         f"write `{slugify(wrong[0], '-')}`")
                return ()
        if required and not items:
            self.bad(name, "is empty", f"add at least one, e.g. `{name}: [first]`")
        return tuple(dict.fromkeys(items))


def _as_date(v) -> dt.date | None:
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


def _hold_back(report: Report, source: str) -> None:
    """A half-written draft does not block the rest: its problems become warnings and it is left
    out of every output, unless the problem is in `audience:` or `draft:` themselves (the two
    values the boundary depends on, errors everywhere)."""
    mine = [p for p in report.problems if p.path == source and p.severity == "error"]
    if any(p.field in ("audience", "draft") for p in mine):
        return
    report.problems = [dataclasses.replace(p, severity="warning", message=f"{p.message}; this draft is left out until "
                                           "it is fixed") if p in mine else p for p in report.problems]


def _validate(path: Path, fields: dict[str, Field], body: str, body_line: int, config: Config,
              report: Report) -> Entry | None:
    g = _Fields(path, fields, report)
    etype = g.enum("type", TYPES, required=True)
    known = FIELDS_BY_TYPE.get(etype or "", ALL_FIELDS)
    for key, f in fields.items():
        if key in known:
            continue
        if key in ALL_FIELDS:
            owner = "learning" if key in LEARNING else "insight" if key in INSIGHT else "goal"
            report.warning(path, f.line, key, f"is a {owner} field, but this entry is type {etype}",
                           f"remove it or set `type: {owner}`")
        else:
            report.warning(path, f.line, key, "is not a known field", closest(key, known))
    title = g.text("title", required=True)
    date = g.date("date", required=True)
    if "audience" in fields:
        audience = g.enum("audience", AUDIENCES, required=True)
    else:
        audience = "private"
        report.warning(path, 1, "audience", "is missing, so the entry stays private",
                       "add `audience: public`, `internal` or `private`")
    draft = g.boolean("draft")
    slug = g.text("slug")
    if slug and not NAME_RE.match(slug):
        g.bad("slug", f"{slug!r} is not lower-case and hyphenated", f"write `slug: {slugify(slug, '-')}`")
    slug = slug or slugify(path.stem, "-")
    if not slug:
        g.bad("slug", f"cannot make a slug from the file name {path.name!r}", "add `slug: a-short-name`")
    tags = g.names("tags")
    authors = g.names("authors")
    known_authors = {a.id for a in config.authors}
    for a in authors:
        if known_authors and a not in known_authors:
            g.bad("authors", f"{a!r} is not an author in notepress.yml", closest(a, known_authors))
    loop = insight = goal = None
    if etype == "learning":
        comps = g.names("competencies", pattern=NAME_RE)
        for c in comps:
            if c not in config.competencies:
                g.bad("competencies", f"{c!r} is not in the competency framework", closest(c, config.competencies))
        done: dt.date | bool = False
        if g.present("next_step_done"):
            done = g.boolean("next_step_done") if isinstance(fields["next_step_done"].value, bool) \
                else (g.date("next_step_done") or False)
        loop = Loop(
            competencies=comps,
            action=g.text("action", required=True),
            outcome=g.text("outcome"),
            learning=g.text("learning", required=True),
            next_step=g.text("next_step"),
            next_step_due=g.date("next_step_due"),
            next_step_done=done,
            goals=g.names("goals", pattern=NAME_RE),
        )
        if date and loop.next_step_due and loop.next_step_due < date:
            g.bad("next_step_due", f"is before the entry's date {date}", "a next step comes after the action")
    elif etype == "insight":
        importance = 1
        if g.present("importance"):
            v = fields["importance"].value
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3:
                g.bad("importance", f"{fields['importance'].raw!r} is not a whole number from 0 to 3",
                      "write 0 (minor) to 3 (critical)")
            else:
                importance = v
        evidence = g.text("evidence")
        if evidence and not re.match(r"^(https?://|mailto:)\S+$", evidence):
            g.bad("evidence", f"{evidence!r} is not a link", "write the URL of the ticket, call or recording")
        insight = Insight(
            customer=g.text("customer", required=True),
            source=g.enum("source", SOURCES, required=True) or "other",
            themes=g.names("themes", required=True),
            segment=g.text("segment"),
            quote=g.text("quote"),
            importance=importance,
            evidence=evidence,
            product_area=g.text("product_area"),
        )
    elif etype == "goal":
        goal = _goal(g, date, config)
    if not g.ok or etype is None:
        if draft:
            _hold_back(report, report.rel(path))
        return None
    return Entry(
        path=path,
        source=report.rel(path),
        slug=slug,
        type=etype,
        title=title,
        date=date,
        audience=audience,
        draft=draft,
        body=body,
        body_line=body_line,
        tags=tags,
        summary=g.text("summary"),
        authors=authors,
        loop=loop,
        insight=insight,
        goal=goal,
        lines={k: f.line for k, f in fields.items()},
    )


def _goal(g: _Fields, date: dt.date | None, config: Config) -> Goal:
    """A goal's fields: every one required but the competencies; the horizon after the goal's date."""
    comps = g.names("competencies", pattern=NAME_RE)
    for c in comps:
        if c not in config.competencies:
            g.bad("competencies", f"{c!r} is not in the competency framework", closest(c, config.competencies))
    horizon = g.date("horizon", required=True)
    if date and horizon and horizon <= date:
        g.bad("horizon", f"{horizon} is not after the goal's date {date}",
              "write the day you want to have reached it, 12 to 18 months ahead")
    elif date and horizon and horizon - date > TOUR:
        g.report.warning(g.path, g.line("horizon"), "horizon", f"{horizon} is more than 18 months after {date}",
                         "a tour of duty is 12 to 18 months: set a nearer horizon, or split the goal")
    return Goal(want=g.text("want", required=True), why=g.text("why", required=True),
                success=g.text("success", required=True), measure=g.text("measure", required=True),
                horizon=horizon or date or dt.date.min, competencies=comps)
