"""When each entry's source last changed: from one `git log` over the posts folder.

One process for the whole tree (not one per file), so it stays fast at 10,000 entries. Files
with uncommitted changes, untracked files, and trees outside git fall back to the file's time.
In a shallow clone (what CI checks out by default) the oldest commit there seems to add every
file, so the dates are wrong: `shallow_warning` says so, for the build to show.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

RECORD = "\x1e"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", check=False)
    except OSError:  # no git on this machine
        return None
    return done.stdout if done.returncode == 0 else None


def last_changed(root: Path, folder: Path, paths: list[Path]) -> dict[Path, dt.date]:
    """Date of the last commit that touched each path, or its file time when that is not known."""
    found: dict[Path, dt.date] = {}
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is not None and folder.exists():
        top_dir = Path(top.strip()).resolve()
        rel = folder.resolve().relative_to(top_dir).as_posix() if folder.resolve().is_relative_to(top_dir) else None
        log = _git(top_dir, "log", f"--format={RECORD}%ct", "--name-only", "--no-renames", "--", rel or ".") \
            if rel is not None else None
        dirty = _git(top_dir, "status", "--porcelain=v1", "--untracked-files=all", "--", rel or ".")
        changed = {top_dir / line[3:].strip().strip('"') for line in (dirty or "").splitlines() if len(line) > 3}
        for record in (log or "").split(RECORD)[1:]:
            stamp, _, names = record.partition("\n")
            day = dt.datetime.fromtimestamp(int(stamp), dt.timezone.utc).date()
            for name in names.split("\n"):
                path = top_dir / name.strip()
                if name.strip() and path not in found and path not in changed:
                    found[path] = day  # newest first: the first mention is the last change
    out = {}
    for path in paths:
        resolved = path.resolve() if found else None  # outside git: no need to follow links
        if resolved in found:
            out[path] = found[resolved]
        else:
            try:
                out[path] = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date()
            except OSError:
                continue
    return out


def shallow_depth(root: Path) -> int | None:
    """How many commits of history a shallow clone holds (along first parents); None when the
    repository has its whole history, or `root` is not in git."""
    if (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() != "true":
        return None
    count = (_git(root, "rev-list", "--count", "--first-parent", "HEAD") or "").strip()
    return int(count) if count.isdigit() else 0


def shallow_warning(root: Path) -> str | None:
    """The build's warning when `root` is in a shallow clone, whose dates `last_changed` gets wrong;
    None when the history is whole or there is no git."""
    depth = shallow_depth(root)
    if depth is None:
        return None
    source = "its last commit" if depth == 1 else f"its last {depth} commits only"
    return (f"warning: this is a shallow git clone (depth {depth}): the 'updated' dates of posts come from "
            f"{source} (fetch the whole history: `fetch-depth: 0` for actions/checkout, or "
            "`git fetch --unshallow`)")
