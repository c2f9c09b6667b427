"""Jinja2 templates shipped with the package, overridable by a `templates/` folder in the writing repo."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .front_matter import scalar

PACKAGED = Path(__file__).parent / "templates"


@lru_cache(maxsize=8)
def environment(root: Path, autoescape: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([root / "templates", PACKAGED]),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = scalar
    return env
