"""Writing the writer's own files in posts/: whole or not at all, never over another file, never looser
than the writer set them, and never leaving a temporary file where notepress or git would take it.

    create(root, path, data)           a new entry (`new`, `new --from`, `checkin`)
    replace(root, path, data, source)  an edit of an entry (`next --done`, `checkin` closing a step)
    read_only(path, source)            the refusal of an entry its owner made read-only, or None

- Temporary files are made in the repo's `.notepress/tmp/`, which git ignores (init's .gitignore has
  `.notepress/`, and the folder holds a `.gitignore` of its own), so a kill at any moment leaves nothing
  in posts/ that the reader or `git add -A` would take. The last step (a link or a rename) is atomic
  only within one file system: when posts/ is on another one (a folder linked in), the temporary file
  is made beside the entry under a dot-name, which the reader skips, and removed on any error.
- A new entry is written and flushed in full, then hard-linked to its name. The link fails when the
  name exists (as O_EXCL does), so no entry is ever overwritten and the name never holds an empty or
  partial file. On a file system without hard links the entry is created with O_EXCL and written: still
  never over another file, but a kill while it is written leaves a partial file.
- An edit's temporary file has the entry's mode before its first byte is written, then is renamed over
  the entry (through a symlink, not over it): a private 0600 entry is never readable by others.
- An entry whose owner has no write permission is refused in one line naming the fix (`chmod u+w`):
  a rename would replace it whatever its mode, and root may write any file.
- A kill between the link or rename and the removal of the temporary file leaves it in
  `.notepress/tmp/`, where nothing reads it; a later edit removes those older than a day.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from pathlib import Path

from .config import OWNED
from .output import UMASK, write_atomic, write_if_changed
from .problems import NotepressError, Problem

SCRATCH = Path(OWNED, "tmp")
STALE = 24 * 3600  # seconds after which a temporary file a kill left behind is removed
NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV}


def read_only(path: Path, source: str) -> Problem | None:
    """The problem of an entry its owner cannot write (by its mode: root could write it anyway), else None."""
    st = path.stat()
    if st.st_mode & stat.S_IWUSR if st.st_uid == os.geteuid() else os.access(path, os.W_OK):
        return None
    return Problem(source, 0, "", "is read-only, left as it is", f"chmod u+w {source} to let notepress edit it")


def create(root: Path, path: Path, data: bytes) -> None:
    """Write the new file `path` whole, or not at all. FileExistsError when the name is taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=scratch(root, path.parent), prefix=_prefix(path), suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~UMASK)  # what open() would give it (mkstemp makes 0600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as e:
            if e.errno not in NO_LINKS:
                raise
            _create_exclusive(path, data)
    finally:
        Path(tmp).unlink(missing_ok=True)


def replace(root: Path, path: Path, data: bytes, source: str) -> None:
    """Replace the entry `path` (through a symlink) with `data`, keeping its mode at every moment.
    NotepressError when its owner made it read-only."""
    target = path.resolve()
    refused = read_only(target, source)
    if refused:
        raise NotepressError(refused)
    write_atomic(target, data, mode=stat.S_IMODE(target.stat().st_mode), scratch=scratch(root, target.parent))


def scratch(root: Path, beside: Path) -> Path:
    """The folder for a temporary file that ends up in `beside`: `.notepress/tmp/` when it is on the
    same file system, else `beside` itself."""
    folder = root / SCRATCH
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _ignore(folder / ".gitignore")
        if os.stat(folder).st_dev != os.stat(beside).st_dev:
            return beside
        _sweep(folder)
    except OSError:
        return beside
    return folder


IGNORE = b"# notepress's temporary files: never commit them\n*\n"


def _ignore(path: Path) -> None:
    """The folder's own .gitignore: created once, in one write; put right if it is not what it should be."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        write_if_changed(path, IGNORE)
        return
    with os.fdopen(fd, "wb") as f:
        f.write(IGNORE)


def _prefix(path: Path) -> str:
    return f".{path.name[:60]}."  # within a name's 255 bytes whatever the entry's name


def _sweep(folder: Path) -> None:
    old = time.time() - STALE
    for item in os.scandir(folder):
        if item.name.endswith(".tmp") and item.is_file(follow_symlinks=False) and item.stat().st_mtime < old:
            Path(item.path).unlink(missing_ok=True)


def _create_exclusive(path: Path, data: bytes) -> None:
    """For a file system without hard links: O_EXCL, then the bytes (a part of them after a kill)."""
    with open(path, "xb") as f:
        try:
            f.write(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
