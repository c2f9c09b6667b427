"""What the last successful build was made from, so that a build with nothing changed leaves the
site as it is and returns at once.

    inputs = fingerprint(root, config, found, engine="mkdocs", options=(redact, strict))
    last = unchanged(root, inputs, outputs)   # what the last build said, or None: build
    forget(root)                              # before a real build
    remember(root, inputs, outputs, said)     # after its audit passed and it was swapped in

The fingerprint covers everything a build reads: every byte of posts/ (with each file's time:
dates of uncommitted files come from it), docs/ (but the folder notepress writes, which is a
function of the rest), mkdocs.yml (and what it inherits, and the environment variables it names),
notepress.yml, the theme's custom_dir, the repo's templates/, notepress's own code, the installed
packages, the engine and the options, git's HEAD (dates come from git) and today's date
(scheduled posts are published on their day). A change of any entry's audience, of a
confidential term or of a private text is a change of posts/ or notepress.yml: the next build is
a full one, audited.

The outputs (site/ and the generated posts) must still be the ones that build wrote: every file
and folder is compared by inode, size, modification and change time (the change time cannot be
set back by hand). The record lives in the user's cache folder, never in site/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sys
from pathlib import Path

from . import clock
from .cache import cache_dir
from .config import CONFIG_FILE, Config
from .gitdates import _git
from .output import write_atomic

FORMAT = 1
ENV_TAG = re.compile(r"!ENV\s*\[?\s*([A-Za-z_][A-Za-z0-9_]*)")
INHERIT = re.compile(r"^INHERIT:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(?:#.*)?$", re.M)


def record_file(root: Path) -> Path:
    return cache_dir() / f"lastbuild-{hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()}.json"


def fingerprint(root: Path, config: Config, *, engine: str, options: tuple, custom_dir: Path | None,
                engine_config: Path) -> str:
    h = hashlib.blake2b(digest_size=20)

    def add(*parts) -> None:
        h.update(repr(parts).encode("utf-8", "surrogatepass") + b"\0")

    add(FORMAT, engine, options, clock.today().isoformat(), sys.version, sys.executable)
    add("git", (_git(root, "rev-parse", "HEAD") or "").strip())
    add("code", tree(Path(__file__).parent, skip=("__pycache__",)))
    add("packages", _packages())
    configs = [engine_config, root / CONFIG_FILE]
    text = read(engine_config)
    inherited = INHERIT.search(text.decode("utf-8", "replace"))
    if inherited:
        configs.append((engine_config.parent / inherited.group(1).strip()).resolve())
    for path in configs:
        data = read(path)
        add("file", str(path), data)
        for name in sorted(set(ENV_TAG.findall(data.decode("utf-8", "replace")))):
            add("env", name, os.environ.get(name))
    add("posts", tree(config.posts_dir, times=True))
    add("docs", tree(config.docs_dir, skip_dirs=(config.blog_posts_dir,)))
    for folder in (custom_dir, root / "templates"):
        if folder is not None:
            add("folder", str(folder), tree(folder))
    return h.hexdigest()


def outputs_state(folders: list[Path]) -> str:
    """Each output folder as it is on disk: every entry's inode, size and times."""
    h = hashlib.blake2b(digest_size=20)
    for folder in folders:
        try:
            st = folder.lstat()
        except OSError:
            h.update(f"{folder}\0missing\n".encode())
            continue
        h.update(f"{folder}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n".encode())
        for rel, st in _walk(folder):
            h.update(f"{rel}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_mode}\n"
                     .encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def unchanged(root: Path, inputs: str, outputs: list[Path]) -> dict | None:
    """What the last build said (`remember`'s `said`) when it was made from exactly these inputs
    and its outputs are untouched since; else None."""
    try:
        record = json.loads(record_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("inputs") != inputs or record.get("format") != FORMAT:
        return None
    if record.get("outputs") != outputs_state(outputs):
        return None
    said = record.get("said")
    return said if isinstance(said, dict) else None


def remember(root: Path, inputs: str, outputs: list[Path], said: dict) -> None:
    data = {"format": FORMAT, "inputs": inputs, "outputs": outputs_state(outputs), "said": said}
    try:
        write_atomic(record_file(root), json.dumps(data).encode("utf-8"))
    except OSError:
        pass  # a read-only cache folder: every build is a full one


def forget(root: Path) -> None:
    try:
        record_file(root).unlink(missing_ok=True)
    except OSError:
        pass


# -- the walks -------------------------------------------------------------------------------------

def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        return f"<unreadable: {type(e).__name__}>".encode()


def _walk(folder: Path):
    """(path relative to folder, lstat) of everything under `folder`, sorted, links not followed."""
    stack = [(folder, "")]
    while stack:
        here, prefix = stack.pop()
        try:
            with os.scandir(here) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for item in items:
            rel = f"{prefix}{item.name}"
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            yield rel, st
            if item.is_dir(follow_symlinks=False):
                stack.append((Path(item.path), rel + "/"))


def tree(folder: Path, *, times: bool = False, skip: tuple[str, ...] = (), skip_dirs: tuple[Path, ...] = ()) -> str:
    """Every file under `folder` by its path and content (and its modification time with `times`);
    followed links are read as the engine reads them."""
    h = hashlib.blake2b(digest_size=20)
    skipped = {os.path.normcase(os.path.realpath(p)) for p in skip_dirs}
    for top, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in skip
                         and os.path.normcase(os.path.realpath(os.path.join(top, d))) not in skipped)
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = os.path.relpath(path, folder)
            try:
                with open(path, "rb") as f:
                    digest = hashlib.file_digest(f, "blake2b").hexdigest() if hasattr(hashlib, "file_digest") \
                        else hashlib.blake2b(f.read()).hexdigest()
                stamp = os.stat(path).st_mtime_ns if times else 0
            except OSError as e:
                digest, stamp = f"<{type(e).__name__}>", 0
            h.update(f"{rel}\0{digest}\0{stamp}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _packages() -> list[str]:
    """The installed distributions with their versions (from their metadata folders' names)."""
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [f"{entry}/{n}" for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))]
    return sorted(found)
