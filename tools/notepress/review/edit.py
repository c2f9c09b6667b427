"""Edit one line of an entry's front matter and leave every other byte as it was.

Line endings (LF, CRLF or CR), a UTF-8 byte order mark, comments, quoting and key order are kept:
only the edited line changes, or one new line is inserted. `nextsteps.mark_done` re-reads the
result with the entry reader before writing it, so an edit that would change anything else is
never saved; `notepress new --from` edits a file it has just written from a template.
"""

from __future__ import annotations

import codecs
import re

from ..problems import NotepressError, Problem

BOM = codecs.BOM_UTF8
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
BOUNDARY = re.compile(r"-{3,}\s*\Z")
EOL = re.compile(r"(\r\n|\r|\n)\Z")


def split(text: str) -> list[str]:
    """Lines with their own endings: "".join(split(text)) == text."""
    return LINE.findall(text)


def ending(line: str) -> str:
    m = EOL.search(line)
    return m.group(1) if m else ""


def _content(line: str) -> str:
    return line[:len(line) - len(ending(line))]


class FrontMatter:
    """An entry file as lines, with the index of its closing `---` line."""

    def __init__(self, raw: bytes, where: str = ""):
        self.bom = raw.startswith(BOM)
        try:
            text = raw[len(BOM) if self.bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            raise NotepressError(Problem(where, 0, "", "is not UTF-8 text", "save the file as UTF-8"))
        self.lines = split(text)
        if not self.lines or not BOUNDARY.match(_content(self.lines[0])):
            raise NotepressError(Problem(where, 0, "", "has no front matter", "it must start with a `---` line"))
        self.close = next((i for i in range(1, len(self.lines)) if BOUNDARY.match(_content(self.lines[i]))), 0)
        if not self.close:
            raise NotepressError(Problem(where, 0, "", "front matter is not closed", "add a `---` line after the last field"))

    @property
    def eol(self) -> str:
        return ending(self.lines[0]) or "\n"

    def find(self, key: str) -> int | None:
        """The index of the top-level `key:` line, or None."""
        pattern = re.compile(rf"{re.escape(key)}[ \t]*:(?:[ \t]|$)")
        return next((i for i in range(1, self.close) if pattern.match(_content(self.lines[i]))), None)

    def value_end(self, i: int) -> int:
        """The last line of the value starting on line i (block scalars and continued lines included)."""
        last = i
        for j in range(i + 1, self.close):
            line = _content(self.lines[j])
            if not line.strip():
                continue
            if line[:1] not in (" ", "\t"):
                break
            last = j
        return last

    def set(self, key: str, value: str, after: tuple[str, ...]) -> int:
        """Write `key: value` (value already YAML) on its line, or insert it after the first of
        `after` found. Returns the index of the written line."""
        i = self.find(key)
        if i is not None:
            self.lines[i] = _replace_value(self.lines[i], key, value)
            return i
        anchor = next((a for a in (self.find(k) for k in after) if a is not None), None)
        if anchor is None:
            anchor = self.close - 1
        else:
            anchor = self.value_end(anchor)
        eol = ending(self.lines[anchor]) or self.eol
        self.lines.insert(anchor + 1, f"{key}: {value}{eol}")
        self.close += 1
        return anchor + 1

    def prepend_body(self, paragraph: str) -> None:
        """Put `paragraph` at the start of the body, after a blank line."""
        eol = self.eol
        if not ending(self.lines[self.close]):
            self.lines[self.close] += eol
        self.lines[self.close + 1:self.close + 1] = [eol, paragraph + eol]

    def to_bytes(self) -> bytes:
        data = "".join(self.lines).encode("utf-8")
        return BOM + data if self.bom else data


VALUE = re.compile(r"(?P<key>[^:]*:)(?P<space>[ \t]*)(?P<value>.*?)(?P<comment>[ \t]+#.*)?\Z")


def _replace_value(line: str, key: str, value: str) -> str:
    """`key: old  # comment` -> `key: value  # comment`, keeping the spacing and the line ending."""
    eol = ending(line)
    m = VALUE.match(_content(line))
    assert m is not None  # find() matched `key:` at the start
    space = m.group("space") or " "
    return f"{m.group('key')}{space}{value}{m.group('comment') or ''}{eol}"
