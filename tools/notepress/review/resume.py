"""A check-in's answers, kept as they are typed: stopped by Ctrl+C or by the end of its input, the
check-in leaves them in `.notepress/checkin.json`, and the next `notepress checkin` offers to resume
them (each answer then the default of its question). Removed once the entry is written; set aside
(`set_aside`), never deleted, when the writer chooses to start again.

The file is written whole or not at all (output.write_atomic), readable by its owner only (it holds
private notes), in the folder notepress owns, which git ignores.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import OWNED
from ..output import write_atomic

FILE = Path(OWNED, "checkin.json")


@dataclass(frozen=True)
class Kept:
    """The answers typed so far (by the field names of session.Answers, dates as YYYY-MM-DD)."""

    on: str  # the slug of the entry checked in on; "" for a first check-in
    started: dt.date
    answers: dict = field(default_factory=dict)


def where(root: Path) -> Path:
    return root / FILE


def load(root: Path) -> Kept | None:
    """The kept answers, or None when there are none (or the file is not one notepress wrote)."""
    try:
        data = json.loads(where(root).read_text(encoding="utf-8"))
        return Kept(str(data["on"]), dt.date.fromisoformat(data["started"]), dict(data["answers"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(root: Path, kept: Kept) -> Path:
    data = {"on": kept.on, "started": kept.started.isoformat(),
            "answers": {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in kept.answers.items()}}
    path = where(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():  # a repo init did not make: its owned folder is never committed either
        write_atomic(ignore, b"# notepress's own files: never commit them\n*\n")
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), mode=0o600)
    return path


def discard(root: Path) -> None:
    where(root).unlink(missing_ok=True)


def set_aside(root: Path) -> Path:
    """The kept answers moved out of the way of a new check-in, never deleted (the writer chose to
    start again, not to lose them): to `.notepress/checkin-<day started>.json` (then `-2`, `-3`…
    beside one already there). Returns the new path."""
    path, kept = where(root), load(root)
    stem = f"checkin-{kept.started.isoformat()}" if kept else "checkin-set-aside"
    for n in range(1, 1000):
        aside = path.with_name(f"{stem}{'' if n == 1 else f'-{n}'}.json")
        try:
            os.link(path, aside)  # never over another file
        except FileExistsError:
            continue
        path.unlink()
        return aside
    raise FileExistsError(aside)
