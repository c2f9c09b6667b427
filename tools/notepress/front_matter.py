"""Front matter: the `---` block at the top of an entry, read, written and edited in one place.

    split(text)          -> (YAML text, its first line, body, the body's first line)   the reader
    dump(mapping)        -> front matter text                                          the blog's posts
    scalar(text)         -> one YAML value for any text                                templates, edits
    flow(texts)          -> one YAML flow list of any texts, on one line               templates
    edit(raw, key, value)-> (the file with one line changed, that line)                review tools
    Lines(raw)           -> the file as lines, for edits that also touch the body

A `---` line is three or more dashes and nothing but spaces after them (python-frontmatter's rule,
which the first versions used). Reading works on text whose line endings are already `\\n`; editing
keeps every other byte of the file as it was: line endings (LF, CRLF or CR), a UTF-8 byte order
mark, comments, quoting and key order.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re

import yaml

from .problems import NotepressError, Problem

BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# Characters a JSON string may hold as they are but YAML would not read back as written: C1 controls,
# line and paragraph separators, the BOM, non-characters and lone surrogates.
YAML_SPECIAL = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


class NoFrontMatter(ValueError):
    """The text does not start with a `---` line."""


class NotClosed(ValueError):
    """The `---` line that opens the front matter has no closing one."""


def split(text: str) -> tuple[str, int, str, int]:
    """(YAML text, the file line where it starts, body, the body's first line) of a file's text
    with `\\n` line endings. Raises NoFrontMatter or NotClosed."""
    opening = BOUNDARY.match(text)
    if not opening:
        raise NoFrontMatter
    closing = BOUNDARY.search(text, opening.end())
    if not closing:
        raise NotClosed
    start = closing.end() + (text.startswith("\n", closing.end()))
    return (text[opening.end():closing.start()], text.count("\n", 0, opening.end()) + 1,
            text[start:], text.count("\n", 0, start) + 1)


def dump(meta: dict) -> str:
    """YAML for a front matter of simple values (text, dates, numbers, booleans, flat lists and
    mappings), ten times faster than yaml.dump.

    Text is written as a JSON string, which is a valid YAML double-quoted scalar; text with a
    character YAML treats specially (C1 controls, line and paragraph separators, BOM) goes
    through yaml.dump instead.
    """
    lines = []
    for key, value in meta.items():
        if isinstance(value, dict):
            lines += [f"{key}:", *(f"  {k}: {_value(v)}" for k, v in value.items())]
        elif isinstance(value, list):
            lines += [f"{key}:", *(f"- {_value(v)}" for v in value)] if value else [f"{key}: []"]
        else:
            lines.append(f"{key}: {_value(value)}")
    return "\n".join(lines) + "\n"


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if YAML_SPECIAL.search(value):
        return scalar(value)
    return json.dumps(value, ensure_ascii=False)


def scalar(value: str) -> str:
    """A YAML scalar for any text (quoted when needed), keeping non-ASCII letters readable."""
    return yaml.dump(value, Dumper=YAML_DUMPER, allow_unicode=True, width=1_000_000).removesuffix("\n...\n").strip()


def flow(values) -> str:
    """A YAML flow list (`[a, 'b, c']`) of any texts, each quoted when needed, on one line."""
    return yaml.dump([str(v) for v in values], Dumper=YAML_DUMPER, allow_unicode=True, default_flow_style=True,
                     width=1_000_000).strip()


def value(v) -> str:
    """A YAML value for a template: a flow list for a list or tuple, else a scalar of the text."""
    return flow(v) if isinstance(v, (list, tuple)) else scalar(str(v))


def edit(raw: bytes, key: str, value: str, after: tuple[str, ...] = (), where: str = "") -> tuple[bytes, int]:
    """`raw` with `key: value` (value already YAML) on its line, or inserted after the first of
    `after` found (else at the end of the front matter), every other byte as it was; and the
    1-based line written. `where` names the file in errors (NotepressError)."""
    lines = Lines(raw, where)
    index = lines.set(key, value, after)
    return lines.to_bytes(), index + 1


BOM = codecs.BOM_UTF8
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
EOL = re.compile(r"(\r\n|\r|\n)\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their own endings: "".join(split_lines(text)) == text."""
    return LINE.findall(text)


def ending(line: str) -> str:
    m = EOL.search(line)
    return m.group(1) if m else ""


def _content(line: str) -> str:
    return line[:len(line) - len(ending(line))]


class Lines:
    """An entry file as lines, with the index of its closing `---` line."""

    def __init__(self, raw: bytes, where: str = ""):
        self.bom = raw.startswith(BOM)
        try:
            text = raw[len(BOM) if self.bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            raise NotepressError(Problem(where, 0, "", "is not UTF-8 text", "save the file as UTF-8"))
        self.lines = split_lines(text)
        if not self.lines or not BOUNDARY.match(_content(self.lines[0])):
            raise NotepressError(Problem(where, 0, "", "has no front matter", "it must start with a `---` line"))
        self.close = next((i for i in range(1, len(self.lines)) if BOUNDARY.match(_content(self.lines[i]))), 0)
        if not self.close:
            raise NotepressError(Problem(where, 0, "", "front matter is not closed",
                                         "add a `---` line after the last field"))

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
            self.lines[i] = _replace_value(self.lines[i], value)
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


def _replace_value(line: str, value: str) -> str:
    """`key: old  # comment` -> `key: value  # comment`, keeping the spacing and the line ending."""
    eol = ending(line)
    m = VALUE.match(_content(line))
    assert m is not None  # find() matched `key:` at the start
    space = m.group("space") or " "
    return f"{m.group('key')}{space}{value}{m.group('comment') or ''}{eol}"
