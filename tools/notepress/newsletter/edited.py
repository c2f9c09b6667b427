"""The issue as the writer edits it: `issue.md` in the issue's folder of the archive.

    ---
    subject: "Customer notes #2: onboarding"  # the subject line: write your own
    featured: []  # insights shown first, highlighted: [2026-11-20-harborview-setup]
    insights:  # by theme, in the order the issue shows them; delete a line (or put # before it) to leave it out
      onboarding:
        - 2026-11-20-harborview-setup  # Harborview Outfitters: "I had the bank details…"
    ---

    <!-- Your intro … (this comment is never sent) -->
    The intro, in Markdown.

`newsletter draft` writes it once per issue (`new_text`). Drafted again, it only adds lines
(`add`): the period's insights it had not proposed yet, marked `# new`, under their theme (or a
new theme at the end); and the proposed subject again, while the writer has not changed it. Every
other byte is the writer's: their order, themes, featured insights, comments and intro. An insight
notepress proposed that the file no longer lists was dropped by the writer, and stays dropped.

Reading it (`parse`) checks everything at once: bad YAML, an unknown field, a list written as
something else, an HTML comment left open (its text would be sent); `Edits.resolve` then names
each entry the team may not see (made private, a draft, deleted, misspelt) with its line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..audience import View
from ..front_matter import Lines, scalar
from ..model import Entry, theme_key
from ..problems import NotepressError, Problem, Report
from ..yamlmap import load_mapping
from ..text import unquoted
from .compose import Chosen

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

FILE = "issue.md"
FIELDS = ("subject", "featured", "insights")
FIRST_LINE = 2  # the file line of the front matter's first line
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
INTRO = ("<!-- Your intro: write it here, in Markdown, in place of this comment (which is never sent).\n"
         "It opens the issue, before the insights. Leave it empty for no intro. -->\n")
LIST_FIX = "write one `- entry-name` per line under it"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Ref:
    """An entry named in issue.md, and where."""
    slug: str
    line: int
    field: str  # featured | insights


@dataclass(frozen=True)
class Edits:
    shown: str  # the file as the writer knows it: newsletters/002-2026-11-23/issue.md
    subject: str
    featured: tuple[Ref, ...]
    groups: tuple[tuple[str, tuple[Ref, ...]], ...]  # (theme as written, its entries in order)
    intro: str  # Markdown, without HTML comments
    proposed: frozenset[str] = frozenset()  # every insight notepress proposed for the issue (its record)

    @property
    def listed(self) -> set[str]:
        """Every entry the file names: the rest of the insights notepress proposed were dropped."""
        return {r.slug for r in self.featured} | {r.slug for _, refs in self.groups for r in refs}

    def resolve(self, now: list[Entry], view: View) -> Chosen:
        """The entries the file names, among the period's (`now`) of the team's `view`. An entry the team
        may not see, or that is not an insight, is an error; one outside the period, or one notepress
        proposed that the team may no longer see (withdrawn), is left out with a warning (drafting
        another period, or withdrawing an insight, does not make the writer delete lines)."""
        period = {e.slug: e for e in now if e.insight}
        problems: list[Problem] = []
        warnings: list[Problem] = []

        def entries(refs: tuple[Ref, ...]) -> list[Entry]:
            found: dict[str, Entry] = {}
            for ref in refs:
                entry = period.get(ref.slug)
                if entry is None:
                    seen = view.get(ref.slug)
                    withdrawn = seen is None and ref.slug in self.proposed
                    (warnings if _outside(seen) or withdrawn else problems).append(
                        self._withdrawn(ref) if withdrawn else self._unknown(ref, view))
                else:
                    found.setdefault(entry.slug, entry)
            return list(found.values())

        chosen = Chosen([(name, entries(refs)) for name, refs in self.groups], entries(self.featured),
                        tuple(dict.fromkeys(warnings)))
        if problems:
            raise NotepressError(list(dict.fromkeys(problems)))
        return chosen

    def _withdrawn(self, ref: Ref) -> Problem:
        """An insight notepress proposed for this issue that the team may no longer see: the writer
        withdrew it (made it private or a draft, or deleted it), so it is left out; a name never
        proposed is a mistake (`_unknown`)."""
        return Problem(self.shown, ref.line, ref.field, f"{ref.slug}: the team may no longer see this insight "
                       "(made private or a draft, or deleted): left out of the issue", "delete the line", "warning")

    def _unknown(self, ref: Ref, view: View) -> Problem:
        entry = view.get(ref.slug)
        if entry is None:
            return Problem(self.shown, ref.line, ref.field,
                           f"{ref.slug}: no internal or public insight has this name (it may be private, a "
                           "draft, have a problem, or be deleted or renamed)",
                           "correct the name (an insight's slug, as in [[links]]), or delete the line")
        if not entry.insight:
            return Problem(self.shown, ref.line, ref.field, f"{ref.slug}: is a {entry.type} entry, not an insight",
                           "list insights only (learnings and posts of the period are shown on their own)")
        return Problem(self.shown, ref.line, ref.field, f"{ref.slug}: dated {entry.date}, outside this issue's "
                       "period: not shown", "delete the line, or draft with --since and --until around it",
                       "warning")


def _outside(entry: Entry | None) -> bool:
    return entry is not None and entry.insight is not None


# --- reading ---------------------------------------------------------------------------------------


def parse(data: bytes, shown: str) -> Edits:
    """issue.md's edits; NotepressError with every problem (file, line, field, fix) at once."""
    lines = Lines(data, shown)
    text = "".join(lines.lines[1:lines.close])
    report = Report(Path("."))
    fields = load_mapping(text, shown, FIRST_LINE, report, allow_empty=True)
    if fields is None or report.errors:
        raise NotepressError(report.errors)
    known = ", ".join(FIELDS)
    problems = [Problem(shown, f.line, key, "is not a field of issue.md", f"remove it (the fields: {known})")
                for key, f in fields.items() if key not in FIELDS]
    subject = fields["subject"].raw if "subject" in fields else ""  # as written: `subject: 2026` is text
    if subject is None:
        problems.append(Problem(shown, fields["subject"].line, "subject", "is not one line of text",
                                'write `subject: "your subject"`'))
    root = _node(text)
    featured = _refs(_value(root, "featured"), "featured", shown, problems)
    groups = _groups(_value(root, "insights"), shown, problems)
    intro = _intro(lines, shown, problems)
    if problems:
        raise NotepressError(problems)
    return Edits(shown, " ".join((subject or "").split()), featured, groups, intro)


def _node(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _value(root: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    return next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _null(node: yaml.Node | None) -> bool:
    return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null")


def _refs(node: yaml.Node | None, field: str, shown: str, problems: list[Problem]) -> tuple[Ref, ...]:
    """A list of entry names (one name alone is a list of one). Names are read as written: a name
    YAML would read as a date or a number is still a name."""
    if _null(node):
        return ()
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    refs = []
    for item in items:
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            problems.append(Problem(shown, FIRST_LINE + item.start_mark.line, field,
                                    "is not a list of entry names", LIST_FIX))
            return ()
        refs.append(Ref(item.value.strip(), FIRST_LINE + item.start_mark.line, field))
    return tuple(refs)


def _groups(node: yaml.Node | None, shown: str, problems: list[Problem]) -> tuple[tuple[str, tuple[Ref, ...]], ...]:
    """`insights:`, theme by theme; a theme written twice (in any case) is a problem."""
    if _null(node):
        return ()
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(shown, FIRST_LINE + node.start_mark.line, "insights", "is not a list of themes",
                                "write each theme as `theme:` on its own line, its entries under it"))
        return ()
    groups, seen = [], {}
    for key, value in node.value:
        line = FIRST_LINE + key.start_mark.line
        name = " ".join(str(key.value).split()) if isinstance(key, yaml.ScalarNode) else ""
        if not name:
            problems.append(Problem(shown, line, "insights", "a theme has no name",
                                    "write `theme:` before its entries"))
        elif theme_key(name) in seen:
            problems.append(Problem(shown, line, "insights", f"theme {name!r} appears twice (first on line "
                                    f"{seen[theme_key(name)]})", "keep one, with every entry under it"))
        else:
            seen[theme_key(name)] = line
            groups.append((name, _refs(value, "insights", shown, problems)))
    return tuple(groups)


def _intro(lines: Lines, shown: str, problems: list[Problem]) -> str:
    """The body as Markdown, without its HTML comments (the placeholder); a comment left open would
    be sent, so it is a problem."""
    body = "".join(lines.lines[lines.close + 1:]).replace("\r\n", "\n").replace("\r", "\n")
    kept = COMMENT.sub("", body)
    if "<!--" in kept:
        closed = [m.span() for m in COMMENT.finditer(body)]
        opened = next(m.start() for m in re.finditer("<!--", body) if not any(a <= m.start() < b for a, b in closed))
        line = lines.close + 2 + body[:opened].count("\n")
        problems.append(Problem(shown, line, "intro", "an HTML comment (<!--) is not closed, so its text would be sent",
                                "end it with -->, or delete it"))
    return kept.strip()


# --- writing ---------------------------------------------------------------------------------------


def new_text(*, number: int, title: str, period: str, subject: str,
             groups: list[tuple[str, list[Entry]]]) -> bytes:
    """issue.md as notepress proposes it: the subject, nothing featured, every insight by theme, and
    an intro to write."""
    example = next((notes[0].slug for _, notes in groups if notes), "")
    head = [
        "---",
        f"# Issue #{number} of {title}, {period}. This file is yours: drafting again keeps every edit",
        '# and only adds the new insights of the period, marked "# new".',
        f"# See it: notepress newsletter preview {number} --open",
        f"# Send it: notepress newsletter send {number} --dry-run, then without --dry-run",
        f"subject: {scalar(subject)}  # the subject line: write your own",
        f"featured: []  # insights shown first and highlighted{f', e.g. [{example}]' if example else ''}",
        "# The insights by theme, in the order the issue shows them. Move a line (or a theme and its lines) to",
        "# reorder; delete a line, or put # before it, to leave that insight out. A theme shows its first 3 quotes.",
        "insights:",
    ]
    for name, notes in groups:
        head.append(f"  {scalar(name)}:")
        head.extend(f"    {item(e)}" for e in notes)
    return ("\n".join(head) + "\n---\n\n" + INTRO).encode("utf-8")


def item(entry: Entry, new: bool = False) -> str:
    """`- slug  # Customer: "their words…"`: the name, and what it is, for the writer."""
    i = entry.insight
    said = " ".join((f"“{unquoted(i.quote)}”" if i.quote else entry.title).split())
    said = said if len(said) <= 50 else said[:48].rstrip() + "…”" if i.quote else said[:49].rstrip() + "…"
    return f"- {scalar(entry.slug)}  # {'new: ' if new else ''}{' '.join(i.customer.split())}: {said}"


def add(data: bytes, shown: str, new: list[tuple[str, list[Entry]]], subject: str | None = None) -> bytes:
    """issue.md with the `new` insights added under their themes (a new theme at the end of
    `insights:`), marked `# new`, and with `subject` as its subject when given; every other byte as it
    was. The file must parse (see `parse`)."""
    lines = Lines(data, shown)
    text = "".join(lines.lines[1:lines.close])
    root = _node(text)
    eol = lines.eol
    inserts: dict[int, list[str]] = {}  # the file line index to insert before -> lines
    if any(notes for _, notes in new):
        _add_insights(lines, root, new, inserts, shown)
    if subject is not None:
        _set_subject(lines, root, subject)
    for at in sorted(inserts, reverse=True):
        lines.lines[at:at] = [line + eol for line in inserts[at]]
        if at <= lines.close:
            lines.close += len(inserts[at])
    return lines.to_bytes()


def _add_insights(lines: Lines, root: yaml.Node | None, new: list[tuple[str, list[Entry]]],
                  inserts: dict[int, list[str]], shown: str) -> None:
    insights = _value(root, "insights")
    if insights is None:  # the writer deleted `insights:`: it comes back, at the end of the front matter
        inserts.setdefault(lines.close, []).append("insights:")
        at_end, indent = lines.close, "  "
    elif _null(insights) or (isinstance(insights, yaml.MappingNode) and not insights.value):
        key_line = 1 + next(k.start_mark.line for k, v in root.value if v is insights)
        _drop_flow(lines, insights)
        at_end, indent = key_line + 1, "  "
    else:
        indent = " " * insights.value[0][0].start_mark.column
        at_end = _after_comments(lines, 1 + _last_line(insights) + 1, len(indent))
    themes = {} if insights is None or _null(insights) else {
        theme_key(str(k.value)): (k, v) for k, v in insights.value if isinstance(k, yaml.ScalarNode)}
    for name, notes in new:
        if not notes:
            continue
        found = themes.get(theme_key(name))
        if found is None:
            inserts.setdefault(at_end, []).extend([f"{indent}{scalar(name)}:"] +
                                                  [f"{indent}  {item(e, new=True)}" for e in notes])
            continue
        key, value = found
        if isinstance(value, yaml.SequenceNode) and value.flow_style and value.value:
            raise NotepressError(Problem(shown, FIRST_LINE + key.start_mark.line, "insights",
                                         f"theme {key.value!r} is written on one line, so new insights cannot be "
                                         "added to it", LIST_FIX))
        if isinstance(value, yaml.SequenceNode) and value.value:
            at, dash = 1 + value.value[-1].end_mark.line + 1, " " * value.start_mark.column
        else:  # `theme:` with nothing under it, or `theme: []`
            _drop_flow(lines, value)
            at, dash = 1 + key.start_mark.line + 1, " " * (key.start_mark.column + 2)
        inserts.setdefault(at, []).extend(f"{dash}{item(e, new=True)}" for e in notes)


def _after_comments(lines: Lines, at: int, indent: int) -> int:
    """After the comment lines at `at` indented deeper than `indent`: the last theme's lines the writer
    commented out stay under it."""
    while at < lines.close:
        line = lines.lines[at]
        if not line.lstrip().startswith("#") or len(line) - len(line.lstrip()) <= indent:
            break
        at += 1
    return at


def _last_line(node: yaml.Node) -> int:
    """The 0-based line of the front matter where `node`'s last value is."""
    if isinstance(node, yaml.MappingNode) and node.value:
        key, value = node.value[-1]
        return key.start_mark.line if _null(value) else _last_line(value)
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1])
    return node.end_mark.line if node.end_mark.line == node.start_mark.line or node.end_mark.column else \
        node.end_mark.line - 1


def _drop_flow(lines: Lines, node: yaml.Node) -> None:
    """`[]` or `{}` as a value becomes nothing, so that lines can go under its key."""
    if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and node.flow_style:
        i = 1 + node.start_mark.line
        line = lines.lines[i]
        lines.lines[i] = line[:node.start_mark.column].rstrip() + line[node.end_mark.column:]


def _set_subject(lines: Lines, root: yaml.Node | None, subject: str) -> None:
    """The subject's value replaced where it is written (its comment kept); nothing when the writer
    deleted the line or wrote it over several lines."""
    node = _value(root, "subject")
    if node is None or node.start_mark.line != node.end_mark.line:
        return
    i = 1 + node.start_mark.line
    line = lines.lines[i]
    if _null(node):  # `subject:` with nothing after it
        key_end = line.index(":") + 1
        lines.lines[i] = line[:key_end] + " " + scalar(subject) + line[key_end:]
        return
    lines.lines[i] = line[:node.start_mark.column] + scalar(subject) + line[node.end_mark.column:]
