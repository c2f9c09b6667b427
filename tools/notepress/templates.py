"""Jinja2 templates shipped with the package, overridable by a `templates/` folder in the writing repo."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import jinja2

from .cache import cache_dir
from . import front_matter

PACKAGED = Path(__file__).parent / "templates"


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Compiled templates, kept in memory for the process and on disk for the next one. Jinja
    compares a template's source with what was compiled, so an edited template is compiled again."""

    def __init__(self, directory: str):
        super().__init__(directory)
        self._held: dict[str, tuple[str, object]] = {}

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
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only cache folder: compiled again by the next process
            pass


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
