"""Jinja2 templates shipped with the package, overridable by a `templates/` folder in the writing repo."""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from pathlib import Path
from types import CodeType

import jinja2

from .cache import cache_dir
from . import front_matter

PACKAGED = Path(__file__).parent / "templates"


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Compiled templates, kept in memory for the process and on disk for the next one. Jinja
    compares a template's source with what was compiled, so an edited template is compiled again.
    A template with the same name and source as one compiled for another file (overrides/main.html
    of another repo, or of a copy of this one) is not compiled again: its code is taken with the
    file name changed (Jinja names a template's file after its code's)."""

    def __init__(self, directory: str):
        super().__init__(directory)
        self._held: dict[str, tuple[str, object]] = {}
        self._by_source: dict[tuple[str, str], CodeType] = {}

    def get_bucket(self, environment, name, filename, source) -> jinja2.bccache.Bucket:
        bucket = super().get_bucket(environment, name, filename, source)
        bucket.template = name  # for dump_bytecode
        if bucket.code is not None:
            self._by_source[name, bucket.checksum] = bucket.code
            return bucket
        same = self._by_source.get((name, bucket.checksum))
        if same is None:  # compiled by an earlier process, for another file?
            probe = self._by_source_bucket(bucket)
            super().load_bytecode(probe)
            same = probe.code
        if same is not None:
            bucket.code = _refiled(same, filename or "<template>")
            self._held[bucket.key] = (bucket.checksum, bucket.code)
            self._by_source[name, bucket.checksum] = bucket.code
        return bucket

    def _by_source_bucket(self, bucket: jinja2.bccache.Bucket) -> jinja2.bccache.Bucket:
        """Where the code of a template's name and source is kept on disk, whatever its file."""
        key = self.get_cache_key(f"{bucket.template}\0source\0{bucket.checksum}")
        return jinja2.bccache.Bucket(bucket.environment, key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self._held.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code
            return
        super().load_bytecode(bucket)
        if bucket.code is not None:
            self._held[bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._held[bucket.key] = (bucket.checksum, bucket.code)
        self._by_source[bucket.template, bucket.checksum] = bucket.code
        probe = self._by_source_bucket(bucket)
        probe.code = bucket.code
        try:
            super().dump_bytecode(bucket)
            super().dump_bytecode(probe)
        except OSError:  # a read-only cache folder: compiled again by the next process
            pass


def _refiled(code: CodeType, filename: str) -> CodeType:
    """`code` and the code of every function in it, as if compiled from `filename`."""
    return code.replace(co_filename=filename, co_consts=tuple(
        _refiled(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts))


def compiled(kind: str) -> jinja2.BytecodeCache | None:
    """The compiled-template cache of one kind of environment (what compiles a template depends on
    the environment's settings, so each kind has its own), or None without a cache folder."""
    return _compiled(kind, cache_dir())


@cache
def _compiled(kind: str, folder: Path) -> jinja2.BytecodeCache | None:
    try:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _Compiled(str(folder / kind))


class _ThemeLoader(jinja2.FileSystemLoader):
    """MkDocs' loader of a theme's folders, listing them without hidden folders: MkDocs lists a
    theme's files to copy its static ones into the site and leaves out every path with a part that
    starts with a dot (`.*`, `*/.*`), so walking Material's .icons/ (14,348 of its 14,509 files)
    was 45 ms of every build thrown away. Everything else is Jinja's FileSystemLoader."""

    def list_templates(self) -> list[str]:
        found = set()
        for searchpath in self.searchpath:
            for folder, subfolders, files in os.walk(searchpath, followlinks=self.followlinks):
                subfolders[:] = [name for name in subfolders if not name.startswith(".")]
                inside = os.path.relpath(folder, searchpath).replace(os.path.sep, "/")
                prefix = "" if inside == "." else f"{inside}/"
                found.update(prefix + name for name in files)
        return sorted(found)


def compiled_envs(get_env, kind: str):
    """A theme's `get_env` (MkDocs' Theme.get_env, which makes a new environment at each call)
    whose environments share one compiled-template cache of `kind` (Material's search and blog
    plugins make one to translate each label, and compiled its templates again every build), and
    list the theme's files without its hidden folders (`_ThemeLoader`)."""
    def env() -> jinja2.Environment:
        made = get_env()
        made.bytecode_cache = compiled(kind)
        if type(made.loader) is jinja2.FileSystemLoader:
            made.loader = _ThemeLoader(made.loader.searchpath, made.loader.encoding, made.loader.followlinks)
        return made
    return env


def placeholder_lines(root: Path) -> frozenset[str]:
    """The lines of an entry template's body that `notepress new` writes for the writer to replace
    ("Free reflection: what surprised you, …"), from the templates themselves: packaged and the
    repo's own (templates/entry-*.md.jinja). A line of prose, its spaces collapsed: not a Jinja tag,
    an HTML comment (`<!-- more -->` stays), a heading or a rule, which the writer may keep."""
    found = set()
    for folder in (PACKAGED, root / "templates"):
        for path in sorted(folder.glob("entry-*.md.jinja")):
            try:
                body = front_matter.split(path.read_text(encoding="utf-8").replace("\r\n", "\n"))[2]
            except (OSError, UnicodeDecodeError, front_matter.NoFrontMatter, front_matter.NotClosed):
                continue  # a template whose body cannot be told from its front matter has none to find
            found.update(line for line in (" ".join(raw.split()) for raw in body.split("\n")) if _prose(line))
    return frozenset(found)


def placeholders(root: Path) -> re.Pattern | None:
    """A whole line that is one of `placeholder_lines` (whatever the spaces around and between its
    words), in a body searched as a whole; None when the templates have none."""
    lines = sorted(placeholder_lines(root), key=len, reverse=True)
    if not lines:
        return None
    words = (r"[ \t]+".join(map(re.escape, line.split())) for line in lines)
    return re.compile(rf"^[ \t]*(?:{'|'.join(words)})[ \t]*$", re.MULTILINE)


def _prose(line: str) -> bool:
    return bool(line) and not any(mark in line for mark in ("{{", "{%", "{#", "<!--")) and \
        not line.startswith(("#", "---", "***", "___"))


@lru_cache(maxsize=8)
def environment(root: Path, autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([root / "templates", PACKAGED]),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=compiled("notepress-html" if autoescape else "notepress-text"),
    )
    env.filters["yaml"] = front_matter.value  # any text or list as a YAML value, quoted when needed
    return env
