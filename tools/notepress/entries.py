"""posts/**/*.md -> validated Entry objects, with every problem as `path:line: field: message (fix)`.

Reading never stops at the first problem: `read_entries` returns every entry that validated and a
Report with every problem in the tree, so `check` can show them all at once. An entry left out for
its errors is a `HeldOut`: the audience its front matter declares, when that can be known, decides
whether a build may go on without it (publish.py), and what could be read of one that can never be
public still makes its customer's names confidential and its text something the audit looks for.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import gc
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from markdown.extensions.toc import slugify

from . import clock
from . import front_matter
from .cache import Store, digest
from .config import Config
from .customers import unknown_customers
from .model import Entry, Goal, Insight, Loop
from .problems import Report
from .schema import ALL_FIELDS, COMMON_FIELDS, FIELDS_BY_TYPE, OWNER, TYPE, TYPE_FIELDS, check, closest
from .templates import placeholders
from .yamlmap import Field, load_mapping

TOUR = dt.timedelta(days=548)  # a goal's horizon: a "tour of duty" of 12-18 months


def find_sources(config: Config) -> list[Path]:
    """Every file under posts/ ending in .md, in any case, except under a name that starts with `.`:
    dot-files, and folders such as Obsidian's .trash/ and .obsidian/ (whatever they hold stays unread)."""
    found: list[str] = []

    def walk(folder: str) -> None:  # in order of the paths' parts; a file's kind from the listing
        try:
            with os.scandir(folder) as listing:
                items = sorted(listing, key=lambda d: d.name)
        except OSError:  # an unreadable folder is left out, as os.walk leaves it
            return
        for d in items:
            if d.name.startswith("."):
                continue
            if d.is_dir(follow_symlinks=False):
                walk(d.path)
            elif d.name.lower().endswith(".md") and d.is_file():
                found.append(d.path)

    if config.posts_dir.is_dir():
        walk(str(config.posts_dir))
    return [Path(p) for p in found]


@dataclass(frozen=True)
class HeldOut:
    """An entry left out for its errors, as far as it could be read.

    `audience` is what its front matter declares; None when that cannot be known (`audience:`
    itself is wrong, the YAML around it is, or the customer or contacts an insight would make
    confidential are). `entry` is what could be read of it, only when it can never be public
    (private, internal or a draft): never shown anywhere, only the names it makes confidential and
    the text a built site is audited for."""

    source: str
    audience: str | None
    entry: Entry | None = None
    slug: str = ""  # the slug it would have, as far as it was read ("": its front matter cannot be read)


# What the boundary reads from an entry it leaves out: an error in one of these fields, and its
# audience is not known.
BOUNDARY_FIELDS = ("audience", "yaml", "customer", "contacts")


def read_entries(config: Config, report: Report | None = None, *, cache: bool = True,
                 today: dt.date | None = None, held_out: list[HeldOut] | None = None,
                 digests: dict[str, bytes] | None = None) -> tuple[list[Entry], Report]:
    """Read and validate every entry. Duplicate slugs are reported naming both files. With
    `held_out`, every entry left out for its errors (after its front matter was read) is added to it;
    with `digests`, each file read, by its path, with the digest of the bytes it was read from.

    Files whose bytes are unchanged since the last run come from the cache (see cache.py). The
    rules that depend on `today` (a Project's; by default clock.today()) run after it, so a cached file is
    judged again every day.
    """
    report = report or Report(config.root)
    if not config.posts_dir.is_dir():
        report.error(config.posts_dir, 0, "", "posts folder not found",
                     f"create {report.rel(config.posts_dir)}/ or set paths.posts in notepress.yml")
    sources = find_sources(config)
    report.files_read += len(sources)
    read, held = [], []
    with _collector_paused():
        for entry, problems, out in _read_all(config, sources, _store(config) if cache else None, digests):
            report.problems.extend(problems)
            if entry is not None:
                read.append(entry)
            elif out is not None:
                held.append(out)
    dated = _not_far_ahead(read, today or clock.today(), report)
    entries = _unique_slugs(dated, report)
    report.problems.extend(unknown_customers(entries, config))  # notepress.yml's, known once entries are read
    _placeholders_left(entries, config, report)  # after the cache: the repo's own templates may change
    if held_out is not None:
        ahead, kept = set(map(id, dated)), set(map(id, entries))
        held_out.extend([*held, *(_dropped(e) for e in read if id(e) not in ahead),
                         *(HeldOut(e.source, None, slug=e.slug) for e in dated if id(e) not in kept)])
    return entries, report


def _placeholders_left(entries: list[Entry], config: Config, report: Report) -> None:
    """A line of an entry's body that is still its template's placeholder (templates.placeholders): a
    warning, and an error in a public entry, whose page would show it."""
    pattern = placeholders(config.root)
    for e in entries if pattern else ():
        for m in pattern.finditer(e.body):
            line, text = e.body_line + e.body.count("\n", 0, m.start()), " ".join(m.group(0).split())
            message = f'"{text}" is a placeholder line of the template, still in the entry'
            if e.audience == "public" and not e.draft:
                report.error(e.path, line, "body", message,
                             "replace or delete the template's placeholder line before publishing")
            else:
                report.warning(e.path, line, "body", message, "replace it with your words, or delete it: once the "
                               "entry is public, it stops the build")


def _dropped(entry: Entry) -> HeldOut:
    """A valid entry left out for its date, a year ahead. (One left out for a slug another entry has
    is held out with an audience not known: which of the two the writer meant cannot be told, and a
    build refuses it as before.)"""
    return HeldOut(entry.source, entry.audience, entry if entry.audience != "public" or entry.draft else None,
                   entry.slug)


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


def _store(config: Config) -> Store:
    """Parsed entries by their file and bytes, for the settings validation reads (see cache.py)."""
    return Store("entries", config.root, key=(str(config.posts_dir), config.competencies,
                                              tuple(a.id for a in config.authors)))


def _read_all(config: Config, sources: list[Path], store: Store | None,
              digests: dict[str, bytes] | None = None) -> list[tuple[Entry | None, list, HeldOut]]:
    """(entry, problems, None) or (None, problems, the entry held out) for each source, in order:
    from the cache when its bytes are known. A file that cannot be read as an entry (its bytes,
    its front matter, its YAML) is held out with an audience that cannot be known."""
    results = []
    for path in sources:
        mine = Report(config.root)
        try:
            raw = path.read_bytes()
        except OSError as e:  # unreadable, or removed since the folder was listed
            mine.error(path, 0, "", f"cannot be read: {e.strerror or e}", "make it a readable file or remove it")
            results.append((None, mine.problems, HeldOut(mine.rel(path), None)))
            continue
        key = (str(path), digest(raw))
        if digests is not None:
            digests[key[0]] = key[1]
        kept = store.get(key) if store else None
        if kept is None:
            held: list[HeldOut] = []
            entry = parse_entry(path, raw, config, mine, held)
            hit = (entry, mine.problems, None if entry else held[0] if held else HeldOut(mine.rel(path), None))
            if store:  # each entry pickled on its own: a new one does not make the store pickle all again
                store.put(key, pickle.dumps(hit, protocol=5))
        else:
            hit = pickle.loads(kept)
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
    _later_entries(unique, report)
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


def _later_entries(entries: list[Entry], report: Report) -> None:
    """The entry a step was carried over to (or dropped in) exists: a warning when it does not (the
    step stays closed, shown as carried over to "a later entry")."""
    known = {e.slug for e in entries}
    for e in entries:
        if e.loop and e.loop.later and e.loop.later not in known:
            key = "next_step_carried" if e.loop.next_step_carried else "next_step_dropped"
            near = difflib.get_close_matches(e.loop.later, known, n=1, cutoff=0.6)
            report.warning(e.path, e.line_of(key), key, f"{e.loop.later!r} is not the slug of an entry",
                           f"did you mean `{near[0]}`?" if near else "write the slug of the entry that has the step now")


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


def parse_entry(path: Path, raw: bytes, config: Config, report: Report,
                held: list[HeldOut] | None = None) -> Entry | None:
    """The entry of file `path` (its bytes `raw`), or None with its problems in `report` (and, with
    `held`, the HeldOut added to it when its front matter could be read)."""
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
    if "next_step_done" in fields and "#" in yaml_text:
        fields = _old_step_note(path, fields, yaml_text.split("\n"), first_line, report)
    return _validate(path, fields, body, body_line, config, report, held)


OLD_STEP_NOTE = re.compile(r"#\s*(?P<how>carried over to|not done, see)\s*\[\[(?P<slug>[^\[\]|#\n]+)\]\]")


def _old_step_note(path: Path, fields: dict[str, Field], lines: list[str], first_line: int,
                   report: Report) -> dict[str, Field]:
    """`next_step_done: DATE  # carried over to [[slug]]` (or `# not done, see [[slug]]`), as notepress
    wrote a step not done before it had a field for it, read as what the comment says: not done (a
    warning names the line to write instead)."""
    f = fields["next_step_done"]
    i = f.line - first_line
    m = OLD_STEP_NOTE.search(lines[i]) if 0 <= i < len(lines) and f.raw is not None else None
    if m is None:
        return fields
    key = "next_step_carried" if m["how"].startswith("carried") else "next_step_dropped"
    slug = m["slug"].strip()
    report.warning(path, f.line, "next_step_done", f"says `# {m['how']} [[{slug}]]`, so the step is read as not done",
                   f"write `{key}: {slug}` in place of this line")
    out = {k: v for k, v in fields.items() if k != "next_step_done"}
    out.setdefault(key, Field(slug, f.line, slug, False))
    return out


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
              report: Report, held: list[HeldOut] | None = None) -> Entry | None:
    """The entry the fields make, checked against its type's schema, or None (problems reported)."""
    typed, ok = check((TYPE,), fields, path, report)
    etype = typed["type"]
    ok = _fields_of_other_types(path, fields, etype, report) and ok
    v, right = check(TYPE_FIELDS.get(etype, COMMON_FIELDS), fields, path, report)
    ok = right and ok
    for rule in (_known_authors, _in_framework, _dates_in_order, _one_end_of_step):
        ok = rule(path, fields, v, etype, config, report) and ok
    slug = v["slug"] or _slug_from_file_name(path, fields, report)
    if not ok or etype is None:
        out = _held_out(path, fields, body, body_line, v, etype, slug, report)
        if held is not None:
            held.append(out)
        if v["draft"] and out.audience is not None:  # a draft whose names cannot be read still stops a build
            _hold_back(report, report.rel(path))
        return None
    return _entry(path, fields, body, body_line, v, etype, slug, report)


def _entry(path: Path, fields: dict[str, Field], body: str, body_line: int, v: dict, etype: str, slug: str,
           report: Report) -> Entry:
    return Entry(path=path, source=report.rel(path), slug=slug, type=etype, title=v["title"], date=v["date"],
                 audience=v["audience"], draft=v["draft"], body=body, body_line=body_line, tags=v["tags"],
                 summary=v["summary"], authors=v["authors"], loop=_loop(v) if etype == "learning" else None,
                 insight=_insight(v) if etype == "insight" else None,
                 goal=_goal(v) if etype == "goal" else None, lines={k: f.line for k, f in fields.items()})


def _held_out(path: Path, fields: dict[str, Field], body: str, body_line: int, v: dict, etype: str | None,
              slug: str, report: Report) -> HeldOut:
    """The entry that did not validate, as far as it was read (see HeldOut): its fields that were
    wrong have their defaults; an unknown type reads as an essay, a wrong date as the earliest one."""
    source = report.rel(path)
    wrong = {p.field for p in report.problems if p.path == source and p.severity == "error"}
    wrong -= {name for name in ("customer", "contacts") if _blank(fields.get(name))}  # no name to protect
    names = {"customer", "contacts"} & fields.keys() if etype is None else set()  # an insight's, were it one
    if wrong & {*BOUNDARY_FIELDS} or names:
        return HeldOut(source, None, slug=slug)
    audience = v["audience"]
    if audience == "public" and not v["draft"]:
        return HeldOut(source, audience, slug=slug)
    values = {**v, "date": v["date"] or dt.date.min, "title": v["title"] or ""}
    return HeldOut(source, audience, _entry(path, fields, body, body_line, values, etype or "essay", slug or
                                            path.stem, report), slug)


def _blank(f: Field | None) -> bool:
    """A field left empty (`customer: ""`, as `notepress new insight` writes it): wrong, but it names nobody."""
    return f is None or (f.raw is not None and not f.raw.strip())


def _slug_from_file_name(path: Path, fields: dict[str, Field], report: Report) -> str:
    """The slug of an entry that does not write one: its file name's (a written slug that was wrong is
    reported already)."""
    slug = slugify(path.stem, "-")
    written = fields.get("slug")
    if not slug and not (written and written.raw and written.raw.strip()):
        report.error(path, _line(fields, "slug"), "slug", f"cannot make a slug from the file name {path.name!r}",
                     "add `slug: a-short-name`")
    return slug


def _line(fields: dict[str, Field], name: str) -> int:
    f = fields.get(name)
    return f.line if f else 1


def _fields_of_other_types(path: Path, fields: dict[str, Field], etype: str | None, report: Report) -> bool:
    """A warning for each key the entry's type does not have: another type's field, or no field at all.
    A customer or contacts on an entry that is no insight is an error (False): only an insight's names
    are kept off public pages, so the writer must say what the names are."""
    known = FIELDS_BY_TYPE.get(etype or "", ALL_FIELDS)
    ok = True
    for key, f in fields.items():
        if key in known:
            continue
        if key in ("customer", "contacts") and etype is not None and not _blank(f):
            report.error(path, f.line, key, f"names a customer on {'an' if etype[0] in 'aeiou' else 'a'} {etype} entry, but only an insight's names are "
                         "kept off public pages", "set `type: insight`, or move the name into an insight")
            ok = False
        elif key in OWNER:
            report.warning(path, f.line, key, f"is a {OWNER[key]} field, but this entry is type {etype}",
                           f"remove it or set `type: {OWNER[key]}`")
        else:
            report.warning(path, f.line, key, "is not a known field", closest(key, known))
    return ok


def _known_authors(path, fields, v, etype, config, report) -> bool:
    """Every author is one of notepress.yml's (when it names any)."""
    known = {a.id for a in config.authors}
    wrong = [a for a in v["authors"] if known and a not in known]
    for a in wrong:
        report.error(path, _line(fields, "authors"), "authors", f"{a!r} is not an author in notepress.yml",
                     closest(a, known))
    return not wrong


def _in_framework(path, fields, v, etype, config, report) -> bool:
    """Every competency of a learning entry or goal is in the framework."""
    wrong = [c for c in v.get("competencies", ()) if c not in config.competencies]
    for c in wrong:
        report.error(path, _line(fields, "competencies"), "competencies",
                     f"{c!r} is not in the competency framework", closest(c, config.competencies))
    return not wrong


def _dates_in_order(path, fields, v, etype, config, report) -> bool:
    """A next step is due after the action; a goal's horizon is after its date, and not more than a tour
    of duty (18 months) after it (a warning)."""
    date, due, horizon = v["date"], v.get("next_step_due"), v.get("horizon")
    if date and due and due < date:
        report.error(path, _line(fields, "next_step_due"), "next_step_due", f"is before the entry's date {date}",
                     "a next step comes after the action")
        return False
    if date and horizon and horizon <= date:
        report.error(path, _line(fields, "horizon"), "horizon", f"{horizon} is not after the goal's date {date}",
                     "write the day you want to have reached it, 12 to 18 months ahead")
        return False
    if date and horizon and horizon - date > TOUR:
        report.warning(path, _line(fields, "horizon"), "horizon", f"{horizon} is more than 18 months after {date}",
                       "a tour of duty is 12 to 18 months: set a nearer horizon, or split the goal")
    return True


ENDS = ("next_step_done", "next_step_carried", "next_step_dropped")


def _one_end_of_step(path, fields, v, etype, config, report) -> bool:
    """A next step is done, carried over or dropped: one of them at most."""
    written = [k for k in ENDS if v.get(k)]
    if len(written) < 2:
        return True
    report.error(path, _line(fields, written[1]), written[1], f"is set, and so is `{written[0]}`",
                 "a step is either done, carried over to a later entry or dropped: keep the one that is true")
    return False


def _loop(v: dict) -> Loop:
    return Loop(competencies=v["competencies"], action=v["action"], outcome=v["outcome"], learning=v["learning"],
                next_step=v["next_step"], next_step_due=v["next_step_due"], next_step_done=v["next_step_done"],
                goals=v["goals"], next_step_carried=v["next_step_carried"], next_step_dropped=v["next_step_dropped"])


def _insight(v: dict) -> Insight:
    return Insight(customer=v["customer"], source=v["source"], themes=v["themes"], contacts=v["contacts"],
                   segment=v["segment"],
                   quote=v["quote"], importance=v["importance"], evidence=v["evidence"],
                   product_area=v["product_area"])


def _goal(v: dict) -> Goal:
    return Goal(want=v["want"], why=v["why"], success=v["success"], measure=v["measure"],
                horizon=v["horizon"] or v["date"] or dt.date.min, competencies=v["competencies"])
