"""The only code that replaces outputs: atomic file writes and atomic folder swaps.

An interrupted run leaves the last good output in place: a file is written beside its target and
renamed over it; a site is built into a sibling folder and swapped in whole.
"""

from __future__ import annotations

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


def staging_dir(final: Path) -> Path:
    """A fresh, empty sibling of `final` to build into."""
    stage = final.parent / f".{final.name}{STAGING}"
    shutil.rmtree(stage, ignore_errors=True)
    return stage


STAGING = ".building"


def is_staging(folder: Path) -> bool:
    return folder.name.startswith(".") and folder.name.endswith(STAGING)


def swap_in(stage: Path, final: Path) -> None:
    """Replace `final` with `stage` whole. A crash between the two renames leaves `.NAME.old`."""
    old = final.parent / f".{final.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(stage, final)
    shutil.rmtree(old, ignore_errors=True)


def recover(final: Path) -> None:
    """Put the last good folder back if a previous swap was interrupted between its renames."""
    old = final.parent / f".{final.name}.old"
    if old.exists() and not final.exists():
        os.replace(old, final)
