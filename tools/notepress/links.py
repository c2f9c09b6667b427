"""Links between entries: `[[slug]]`, `[[slug|label]]` and relative Markdown links to source files.

Links inside fenced code blocks and inline code are left alone. `find_links` finds them, a
`Resolver` the entry each points to; the audience view decides whether it may be followed
(`View.linkable`), and `rewrite` turns each into a link or plain text (the blog and the newsletter).

The rule of links, for every reader, is `unseen`: an entry a reader sees links only entries that
reader sees. The public's is enforced with the rules of a public page (screen.py), the team's on
what the team reads (team.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from .model import Entry

WIKILINK = re.compile(r"\[\[([^\[\]|#\n]+)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]+))?\]\]")
MDLINK = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\(\s*<?([^()\s<>]+?)>?(?:\s+\"[^\"\n]*\")?\s*\)")
CODE = re.compile(r"^(`{3,}|~{3,}).*?^\1[ \t]*$|`[^`\n]+`", re.MULTILINE | re.DOTALL)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    start: int
    end: int
    kind: str  # "wiki" | "file"
    target: str  # a slug (wiki) or a relative path (file)
    label: str
    anchor: str

    @property
    def written(self) -> str:
        return f"[[{self.target}]]" if self.kind == "wiki" else self.target


def find_links(text: str) -> Iterator[Link]:
    """Entry links in `text`, in order. External URLs, anchors and non-.md files are not entry links."""
    if "[" not in text:
        return
    code = [(m.start(), m.end()) for m in CODE.finditer(text)] if "`" in text or "~~~" in text else []

    def in_code(pos: int) -> bool:
        return any(a <= pos < b for a, b in code)

    found = []
    for m in WIKILINK.finditer(text):
        if not in_code(m.start()):
            found.append(Link(m.start(), m.end(), "wiki", m.group(1).strip(), (m.group(3) or "").strip(),
                              (m.group(2) or "").strip()))
    for m in MDLINK.finditer(text):
        target = m.group(2)
        path, _, anchor = target.partition("#")
        if SCHEME.match(target) or path.startswith("/") or not path.lower().endswith(".md") or in_code(m.start()):
            continue
        found.append(Link(m.start(), m.end(), "file", path, m.group(1), anchor))
    yield from sorted(found, key=lambda link: link.start)


class Resolver:
    """Finds the entry a link points to, among all entries."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_slug = {e.slug: e for e in entries}
        self._by_path: dict[str, Entry] | None = None

    @property
    def by_path(self) -> dict[str, Entry]:  # built on the first file link only
        if self._by_path is None:
            self._by_path = {os.path.normpath(e.path): e for e in self.entries}
        return self._by_path

    def __call__(self, link: Link, source: Entry) -> Entry | None:
        if link.kind == "wiki":
            return self.by_slug.get(link.target)
        return self.by_path.get(os.path.normpath(os.path.join(source.path.parent, link.target)))


def unseen(entry: Entry, text: str, resolve: Resolver, seen: Container[str]) -> Iterator[tuple[Link, Entry | None]]:
    """The links of `text` (a field of `entry`) that break the rule of links for a reader who sees the
    entries whose slugs are in `seen`: each with its target, or None when it matches no entry."""
    for link in find_links(text):
        target = resolve(link, entry)
        if target is None or target.slug not in seen:
            yield link, target


def line_of(entry: Entry, name: str, text: str, offset: int) -> int:
    """The file line of `offset` in field `name` of `entry` (`text`): in the body, its own line."""
    if name == "body":
        return entry.body_line + text.count("\n", 0, offset)
    return entry.line_of(name)


def link_text(title: str) -> str:
    """A title as the text of a Markdown link: brackets escaped."""
    return title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def rewrite(text: str, source: Entry, target_of: Callable[[Link, Entry], Entry | None],
            href: Callable[[Entry], str]) -> str:
    """Replace every entry link with a Markdown link to `href(target)`; unresolved ones become plain text."""
    out, pos = [], 0
    for link in find_links(text):
        target = target_of(link, source)
        out.append(text[pos:link.start])
        label = link.label or (link_text(target.title) if target else link.target)
        if target is None:
            out.append(label)
        else:
            out.append(f"[{label}]({href(target)}{'#' + link.anchor if link.anchor else ''})")
        pos = link.end
    out.append(text[pos:])
    return "".join(out)
