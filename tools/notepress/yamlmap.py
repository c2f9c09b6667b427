"""Strict YAML mappings with a line number per key (front matter and notepress.yml).

PyYAML's C loader parses once; we keep the node tree so every field knows its line. Unsafe tags,
aliases (and so alias bombs), values nested too deep, duplicate keys and non-mapping documents are
problems, never crashes.
Lines are reported in the user's file: `first_line` is the file line where the YAML text starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is much faster; fall back only where libyaml is missing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

from .front_matter import scalar
from .problems import Report

MAX_NODES = 5_000
MAX_DEPTH = 50  # lists and mappings inside each other; PyYAML composes and constructs recursively


INVALID = object()  # the value of a key whose value was rejected (already reported)


@dataclass(frozen=True)
class Field:
    """One top-level value with where it came from."""

    value: Any
    line: int  # 1-based line in the user's file
    raw: str | None  # the scalar as written, None for lists and mappings
    quoted: bool
    item_lines: dict = field(default_factory=dict)  # a mapping's key or a list's index -> its line


def load_mapping(text: str, path: Path | str, first_line: int, report: Report,
                 allow_empty: bool = False) -> dict[str, Field] | None:
    """Parse `text` as a YAML mapping. Problems go to `report`; returns None when unusable.

    A key whose value is rejected stays in the result with the value INVALID, so that callers do
    not also report it as missing.
    """
    loader = _Loader(text)
    try:
        node = _compose(loader, text, path, first_line, report)
        if node is _FAILED:
            return None
        if node is None and allow_empty:
            return {}
        if node is None:
            report.error(path, first_line, "front matter", "is empty", "add `key: value` lines such as `title: ...`")
            return None
        if not isinstance(node, yaml.MappingNode):
            report.error(path, first_line + node.start_mark.line, "front matter",
                         "is not a mapping of `key: value` lines", "write one `key: value` per line")
            return None
        if ("*" in text or len(text) > 20_000) and not _tree_is_plain(node, path, first_line, report):
            return None
        fields: dict[str, Field] = {}
        lines = text.splitlines() if "#" in text else None  # for _comment_cut, split once
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                report.error(path, line, "yaml", f"key {key_node.value!r} is not a plain name",
                             "use a plain word as the key, such as `title:`")
                continue
            key = key_node.value
            if key in fields:
                report.error(path, line, key, f"appears twice (first on line {fields[key].line})",
                             "keep one of them")
                continue
            fields[key] = _field(loader, key, value_node, path, line, first_line, report)
            if lines is not None:
                _comment_cut(lines, key, value_node, path, first_line, report)
        return fields
    finally:
        loader.dispose()


HASH_TEXT = re.compile(r"[ \t]+(#\S.*)$")  # `title: Notes #2 and more`: a comment YAML drops, which reads as text


def _comment_cut(lines: list[str], key: str, node: yaml.Node, path: Path | str, first_line: int,
                 report: Report) -> None:
    """A warning when a plain one-line value is followed by a comment that starts like text (`#2`,
    `#hashtag`): YAML drops it, so the value is cut there without a word. (A comment meant as one,
    `# like this`, has a space after the mark, as every comment notepress writes does.)"""
    if not isinstance(node, yaml.ScalarNode) or node.style or node.start_mark.line != node.end_mark.line:
        return
    rest = HASH_TEXT.match(lines[node.end_mark.line][node.end_mark.column:])
    if rest is None:
        return
    whole = f"{node.value} {rest.group(1)}"
    report.warning(path, first_line + node.start_mark.line, key,
                   f"the text from `{rest.group(1)[:20]}` on is a YAML comment, so {key} reads {node.value!r}",
                   f"put the value in quotes: `{key}: {scalar(whole)}`")


def _field(loader: _Loader, key: str, value_node: yaml.Node, path: Path | str, line: int, first_line: int,
           report: Report) -> Field:
    """The value of one key, or INVALID (reported) when it cannot be built."""
    try:
        value = _simple(value_node)
        if value is _NOT_SIMPLE:
            value = loader.construct_object(value_node, deep=True)
    except yaml.constructor.ConstructorError:
        report.error(path, line, key, f"unsupported YAML tag {value_node.tag!r}",
                     "remove the `!tag` and write a plain value")
        return Field(INVALID, line, None, False)
    except (ValueError, TypeError, OverflowError) as e:
        is_date = value_node.tag == "tag:yaml.org,2002:timestamp"
        report.error(path, line, key,
                     f"{value_node.value!r} is not a real date ({e})" if is_date
                     else f"{value_node.value!r} is not a valid value ({e})",
                     "write a real date as YYYY-MM-DD" if is_date else "write a plain value")
        return Field(INVALID, line, None, False)
    scalar = isinstance(value_node, yaml.ScalarNode)
    return Field(
        value=value,
        line=first_line + value_node.start_mark.line if scalar else line,
        raw=value_node.value if scalar else None,
        quoted=bool(scalar and value_node.style in ("'", '"')),
        item_lines=_item_lines(value_node, first_line),
    )


def check_yaml(text: str, path: Path | str, report: Report) -> bool:
    """Whether `text` is one well-formed YAML document, not nested too deep; problems go to `report`.

    For a file another program reads (mkdocs.yml): its syntax errors at their real line, before that
    program reports them at no line. Tags are not constructed, so `!ENV` and the like pass.
    """
    loader = _Loader(text)
    try:
        return _compose(loader, text, path, 1, report) is not _FAILED
    finally:
        loader.dispose()


def key_lines(text: str) -> dict[str, int]:
    """The 1-based line of each top-level key of a YAML mapping that `check_yaml` accepted."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


_FAILED = object()


def _compose(loader, text: str, path: Path | str, first_line: int, report: Report):
    """The document's node tree (None when empty), or _FAILED with the problem reported."""
    deep = too_deep(text)
    if deep is not None:
        report.error(path, first_line + deep, "yaml", f"nested more than {MAX_DEPTH} levels deep",
                     "write plain values and short lists")
        return _FAILED
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = (e.problem or e.context or "invalid YAML").strip()
        lines = text.split("\n")
        quoted = _quoted(lines[mark.line]) if mark and mark.line < len(lines) else ""
        if quoted:
            problem = f"the ': ' inside the value of `{quoted.split(':', 1)[0]}` reads as the start of another key"
        report.error(path, line, "yaml", problem, f"put the value in quotes: `{quoted}`" if quoted else
                     "check the indentation, and quote values that contain ': ' or start with a special character")
    except yaml.YAMLError as e:
        report.error(path, first_line, "yaml", str(e).splitlines()[0], "fix the YAML syntax")
    return _FAILED


TRAP = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]+(?P<value>[^'\"\[{|>&*!%@`#\s].*?: .*?)(?P<comment>[ \t]+#.*)?$")


def _quoted(line: str) -> str:
    """`key: text: more` (a ': ' inside a plain value, YAML's most common trap) as the line that reads
    it as one text, `key: 'text: more'`; "" for any other line."""
    m = TRAP.match(line.rstrip())
    if m is None:
        return ""
    return f"{m['key']}: {scalar(m['value'])}{m['comment'] or ''}"


def _item_lines(node: yaml.Node, first_line: int) -> dict:
    """Where each key of a mapping or each item of a list is, so nested settings are reported there."""
    if isinstance(node, yaml.MappingNode):
        return {k.value: first_line + k.start_mark.line for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    if isinstance(node, yaml.SequenceNode):
        return {i: first_line + n.start_mark.line for i, n in enumerate(node.value)}
    return {}


def too_deep(text: str) -> int | None:
    """The 0-based line where lists and mappings first nest more than MAX_DEPTH deep, else None.

    Reads parser events only: libyaml parses with its own stack, while PyYAML's composer and
    constructor recurse (RecursionError at about 1,000 levels; the C composer crashes the
    interpreter at about 100,000). Syntax errors are left to the composer to report.
    """
    if sum(map(text.count, "[{-:?")) <= MAX_DEPTH:  # every level needs one of these characters
        return None
    try:
        return _first_too_deep(_Loader, text)
    except yaml.YAMLError:
        # The libyaml in PyYAML 6.0.4 has a nesting limit of its own (1,000 flow levels), and its
        # scanner reads ahead, so it stops before the events reach MAX_DEPTH. The pure-Python
        # parser has no such limit and finds the line; a real syntax error fails there too.
        if _Loader is yaml.SafeLoader:
            return None
    try:
        return _first_too_deep(yaml.SafeLoader, text)
    except yaml.YAMLError:
        return None


def _first_too_deep(loader_class, text: str) -> int | None:
    """too_deep with one parser; its syntax errors are raised."""
    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark.line
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


_NOT_SIMPLE = object()
_STR, _INT, _BOOL, _NULL, _SEQ = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "seq"))


def _simple(node: yaml.Node):
    """The common values (text, small ints, booleans, lists of text) without the Python constructor."""
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _BOOL and node.value in ("true", "false"):
            return node.value == "true"
        if tag == _INT and node.value.isdigit():
            return int(node.value)
        if tag == _NULL:
            return None
        return _NOT_SIMPLE
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ and all(
            isinstance(n, yaml.ScalarNode) and n.tag == _STR for n in node.value):
        return [n.value for n in node.value]
    return _NOT_SIMPLE


def _tree_is_plain(root: yaml.Node, path, first_line: int, report: Report) -> bool:
    """Reject aliases (a node reached twice), which also stops alias bombs, and huge documents.

    Without a `*` in the text there is no alias, so the walk is needed only for long texts.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            report.error(path, first_line + node.start_mark.line, "yaml",
                         "anchors and aliases (& and *) are not supported", "write the value out in full")
            return False
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            report.error(path, first_line, "yaml", f"front matter has more than {MAX_NODES} values",
                         "move long content into the body")
            return False
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return True
