"""The only code that replaces outputs: atomic file writes and atomic folder swaps.

An interrupted run leaves the last good output in place: a file is written beside its target and
renamed over it; a site is built into a sibling folder and swapped in whole.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _umask()


def write_atomic(path: Path, data: bytes, *, mode: int | None = None, scratch: Path | None = None) -> None:
    """`path` holds `data`, or what it held before: never a part. `mode`: the file's permissions from
    its first byte (default: the usual ones, 0666 less the umask). `scratch`: the folder of the
    temporary file (default: beside `path`; it must be on the same file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=scratch or path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~UMASK if mode is None else mode)  # mkstemp makes 0600
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds exactly it. Returns whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


STAGING = ".building"


def staging_dir(final: Path) -> Path:
    """A new, empty folder beside `final` for one build to build into: each build has its own, so two
    builds can never write into one folder (one build at a time holds the lock: `BuildLock`)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}{STAGING}-", dir=final.parent))


def is_staging(folder: Path) -> bool:
    return folder.name.startswith(".") and STAGING in folder.name


def leftovers(final: Path) -> list[Path]:
    """What interrupted builds left beside `final`: staging folders, and a site set aside by an
    interrupted two-step swap (`.NAME.old`). Only to be removed by the build that holds the lock."""
    if not final.parent.is_dir():
        return []
    return sorted(p for p in final.parent.iterdir()
                  if p.name.startswith(f".{final.name}{STAGING}") or p.name == f".{final.name}.old")


def swap_in(stage: Path, final: Path) -> None:
    """Replace `final` with `stage` whole, with no moment without a complete `final`: the two folders
    are exchanged in one step (Linux's renameat2 RENAME_EXCHANGE), the old one then deleted. A mount
    point (a bind mount, a container volume) cannot be renamed: its content is replaced in place,
    from the complete and audited `stage`. Where the exchange is not supported, two renames (an
    interruption between them is put right by `recover`)."""
    if final.is_dir() and os.path.ismount(final):
        _replace_content(stage, final)
        shutil.rmtree(stage, ignore_errors=True)
        return
    if not final.exists():
        os.rename(stage, final)
        return
    if _exchange(stage, final):
        shutil.rmtree(stage, ignore_errors=True)  # the old site, now at the staging path
        return
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(final, old)
    os.replace(stage, final)
    shutil.rmtree(old, ignore_errors=True)


def exchange_in(stage: Path, final: Path) -> bool:
    """As `swap_in`, but the old `final` is kept at `stage`'s path, for a builder that builds the
    next one from it (the team hub's MkDocs renders again only the pages that changed since). False
    when it could not be kept (no `final` yet, a mount point, no exchange on this system): then
    `stage` is gone, as after `swap_in`."""
    if final.exists() and not os.path.ismount(final) and _exchange(stage, final):
        return True
    swap_in(stage, final)
    return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux 3.15+); False where the system or the file system cannot."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _replace_content(stage: Path, final: Path) -> None:
    """`final`'s content made `stage`'s, in place: every file written atomically, then what the new
    site does not have removed."""
    keep = set()
    for folder, dirs, files in os.walk(stage):
        rel = Path(folder).relative_to(stage)
        (final / rel).mkdir(exist_ok=True)
        keep.add(final / rel)
        for name in files:
            target = final / rel / name
            write_atomic(target, (Path(folder) / name).read_bytes())
            keep.add(target)
    for folder, dirs, files in os.walk(final, topdown=False):
        for name in [*files, *dirs]:
            path = Path(folder) / name
            if path in keep:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def recover(final: Path) -> None:
    """Put the last good folder back if a two-step swap was interrupted between its renames."""
    old = final.parent / f".{final.name}.old"
    if old.exists() and not final.exists():
        os.replace(old, final)


class BuildLock:
    """One build at a time per repo: an OS lock on a file of the folder notepress owns, which a killed
    build cannot leave held (the system releases it with the process). The second build waits,
    saying which process holds the lock."""

    def __init__(self, path: Path, say=None):
        self.path, self.say, self.fd = path, say or (lambda message: None), None

    def __enter__(self) -> BuildLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            self.say(f"notepress: waiting for the build of process {holder} in this repo to finish …")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None
