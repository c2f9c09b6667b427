"""Jinja2 templates shipped with the package, overridable by a `templates/` folder in the writing repo."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import yaml

PACKAGED = Path(__file__).parent / "templates"


YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def yaml_string(value: str) -> str:
    """A YAML scalar for any text (quoted when needed), keeping non-ASCII letters readable."""
    return yaml.dump(value, Dumper=YAML_DUMPER, allow_unicode=True, width=1_000_000).removesuffix("\n...\n").strip()


@lru_cache(maxsize=8)
def environment(root: Path, autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([root / "templates", PACKAGED]),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = yaml_string
    return env
