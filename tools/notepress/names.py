"""Names notepress makes into files: slugs kept short, and a path the file system refuses as too long
turned into one line instead of a traceback.

    cap_slug("a-title-of-two-hundred-words-...")        # at most SLUG_MAX, cut between words
    with path_limits(root, "choose a shorter title"):   # OSError ENAMETOOLONG -> NotepressError
        path.write_text(...)

A new entry's file is `YYYY-MM-DD-<slug>.md`: with a slug of at most 80 bytes its name is at most 94
bytes, well under the 255 bytes most file systems allow in one name (UTF-8 bytes, not characters:
`é` is two of them). The rest of the path (the repo's folder, `paths.posts`) is the writer's; when the
file system still refuses it, the problem names the path and what to shorten.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from .problems import NotepressError, Problem

SLUG_MAX = 80  # bytes of a slug (`slug:`, and the one a title makes)
NAME_MAX = 255  # bytes of one name, on most file systems (ext4, APFS, NTFS in UTF-16 units)
PATH_MAX = 4096  # bytes of a whole path (Linux)


def cap_slug(slug: str, limit: int = SLUG_MAX) -> str:
    """`slug` in at most `limit` UTF-8 bytes: cut after the last whole word that fits (a single word
    longer than that is cut inside), never ending in a hyphen."""
    data = slug.encode("utf-8")
    if len(data) <= limit:
        return slug
    head = data[:limit].decode("utf-8", "ignore")
    if data[limit:limit + 1] == b"-":  # the limit falls between two words
        return head.strip("-")
    whole = head.rsplit("-", 1)[0] if "-" in head else ""
    return (whole.strip("-") or head).strip("-")


def too_long(e: OSError) -> bool:
    return e.errno == errno.ENAMETOOLONG


@contextlib.contextmanager
def path_limits(root: Path | str, fix: str):
    """Inside the block, an OSError of a path too long for the file system (ENAMETOOLONG) becomes one
    problem naming the path (relative to `root` when inside it) and saying how long it is, with `fix`."""
    try:
        yield
    except OSError as e:
        if not too_long(e):
            raise
        raise NotepressError(path_problem(str(e.filename or ""), root, fix)) from None


def path_problem(path: str, root: Path | str, fix: str) -> Problem:
    """The problem of `path`, too long for the file system: its longest name, or the whole path."""
    absolute = os.path.abspath(path) if path else ""
    shown = os.path.relpath(absolute, root) if absolute.startswith(os.path.join(os.path.abspath(root), "")) else path
    names = [n for n in Path(absolute).parts if n != os.sep]
    longest = max(names, key=lambda n: len(os.fsencode(n)), default="")
    size, limit = len(os.fsencode(longest)), _limit(absolute, "PC_NAME_MAX", NAME_MAX)
    if size > limit:
        name = longest if len(longest) <= 20 else longest[:20] + "…"
        what = f"the name {name!r} is {size} bytes long, more than the {limit} bytes the file system allows"
    else:
        what = f"the path is {len(os.fsencode(absolute))} bytes long, more than the file system allows"
    return Problem(Path(shown).as_posix() if shown else "", 0, "", what, fix)


def _limit(path: str, name: str, default: int) -> int:
    """The file system's limit where `path` is (its nearest existing folder), else the common one."""
    folder = path
    while folder and not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    try:
        return os.pathconf(folder or os.sep, name)
    except (OSError, ValueError):
        return default
