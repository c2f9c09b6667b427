"""`notepress new`: a new entry from its type's template (packaged, or overridden in templates/).

The file is posts/<folder>/<date>-<slug>.md and its front matter says `slug: <slug>`, so the
entry's URL and its `[[slug]]` name do not repeat the date. A slug made from a title is at most
80 bytes (names.SLUG_MAX), cut between words: the file's name stays well under the file system's limit."""

from __future__ import annotations

import os
import re
from pathlib import Path

from markdown.extensions.toc import slugify

from .edits import create
from .model import TYPES
from .names import cap_slug
from .problems import NotepressError, Problem
from .templates import environment

FOLDER = {"learning": "learning", "insight": "insights", "essay": "essays", "goal": "goals"}


def entry_slug(title: str) -> str:
    """The `slug:` a new entry gets: its title, lower-case and hyphenated, without the date
    (the file name carries the date; the URL and `[[...]]` links use the slug), at most 80 bytes."""
    return cap_slug(re.sub(r"[^a-z0-9]+", "-", slugify(title, "-")).strip("-"))


def unique_slug(slug: str, taken, today) -> str:
    """`slug`, or when an earlier entry has it already, `slug` after the day (keeping URLs apart),
    still at most 80 bytes."""
    return cap_slug(f"{today.isoformat()}-{slug}") if slug in taken else slug


def new_entry(project, etype: str, title: str, change=None) -> Path:
    """A new entry of `etype` dated the project's today (a project.Project), from its template, with
    `change(bytes) -> bytes` applied before it is written. Written whole or not at all, never over a
    file (edits.create)."""
    config, today = project.config, project.today
    if etype not in TYPES:
        raise NotepressError(Problem("", 0, "type", f"{etype!r} is not one of {', '.join(TYPES)}", "pick one of them"))
    title = " ".join(title.split())
    slug = entry_slug(title)
    if not slug:
        raise NotepressError(Problem("", 0, "title", f"{title!r} has no letters or digits to make a file name from",
                                     "add some"))
    path = config.posts_dir / FOLDER[etype] / f"{today.isoformat()}-{slug}.md"
    slug = unique_slug(slug, {e.slug for e in project.entries}, today)
    text = environment(config.root).get_template(f"entry-{etype}.md.jinja").render(
        title=title, date=today.isoformat(), slug=slug)
    data = text.encode("utf-8")
    try:  # never overwrite, even if the file appears between a check and the write
        create(config.root, path, change(data) if change else data)
    except FileExistsError:
        rel = os.path.relpath(path, config.root)
        raise NotepressError(Problem(rel, 0, "", "already exists, not overwritten", "choose another title or edit that file"))
    return path
