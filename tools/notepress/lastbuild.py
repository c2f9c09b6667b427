"""What the last successful build was made from, so that a build with nothing changed leaves the
site as it is and returns at once.

    inputs = fingerprint(project, engine="mkdocs", options=(redact, strict))
    last = unchanged(root, inputs, outputs)   # what the last build said, or None: build
    forget(root)                              # before a real build
    remember(root, inputs, outputs, said)     # after its audit passed and it was swapped in

The fingerprint covers everything a build reads: every byte of posts/ (with each file's time:
dates of uncommitted files come from it), docs/, mkdocs.yml (and what it inherits, and the environment variables it names),
notepress.yml, the theme's custom_dir, the repo's templates/, the engine and the options, git's
HEAD (dates come from git) and the project's day (scheduled posts are published on their day);
the record is kept in the store of cache.py, so notepress's own code and the installed packages
are part of its key. A change of any entry's audience, of a
confidential term or of a private text is a change of posts/ or notepress.yml: the next build is
a full one, audited.

The outputs (site/ and the generated posts) must still be the ones that build wrote: every file
and folder is compared by inode, size, modification and change time (the change time cannot be
set back by hand). The record lives in the user's cache folder, never in site/.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .cache import Store, repo_file
from .config import CONFIG_FILE
from .gitdates import _git, shallow_depth

ENV_TAG = re.compile(r"!ENV\s*\[?\s*([A-Za-z_][A-Za-z0-9_]*)")
INHERIT = re.compile(r"^INHERIT:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(?:#.*)?$", re.M)


def fingerprint(project, *, engine: str, options: tuple) -> str:
    """Everything a build of `project` (a project.Project) reads, as one digest: the settings files
    as the project read them, the day it builds for, and the trees below."""
    h = hashlib.blake2b(digest_size=20)

    def add(*parts) -> None:
        h.update(repr(parts).encode("utf-8", "surrogatepass") + b"\0")

    root, config, found = project.root, project.config, project.settings
    add(engine, options, project.today.isoformat())  # notepress's code and packages: the store's key
    add("git", (_git(root, "rev-parse", "HEAD") or "").strip(), shallow_depth(root))  # unshallowing keeps HEAD
    files = [(found.path, found.raw), (root / CONFIG_FILE, config.source)]
    inherited = INHERIT.search(found.raw.decode("utf-8", "replace"))
    if inherited:
        parent = (found.path.parent / inherited.group(1).strip()).resolve()
        files.append((parent, read(parent)))
    for path, data in files:
        add("file", str(path), data)
        for name in sorted(set(ENV_TAG.findall(data.decode("utf-8", "replace")))):
            add("env", name, os.environ.get(name))
    add("posts", tree(config.posts_dir, times=True, read=project.read_digests))
    add("docs", tree(config.docs_dir))
    for folder in (found.custom_dir, root / "templates"):
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


def unchanged(root: Path, inputs: str, outputs: list[Path], kind: str = "lastbuild") -> dict | None:
    """What the last build said (`remember`'s `said`) when it was made from exactly these inputs
    (by this code) and its outputs are untouched since; else None. `kind`: which site's build (the
    blog's, or the team hub's: "lastbuild-team")."""
    record = Store(kind, root).get("record")
    if not isinstance(record, dict) or record.get("inputs") != inputs:
        return None
    if record.get("outputs") != outputs_state(outputs):
        return None
    said = record.get("said")
    return said if isinstance(said, dict) else None


def remember(root: Path, inputs: str, outputs: list[Path], said: dict, kind: str = "lastbuild") -> None:
    store = Store(kind, root)
    store.put("record", {"inputs": inputs, "outputs": outputs_state(outputs), "said": said})
    store.save()  # a read-only cache folder: every build is a full one


def forget(root: Path, kind: str = "lastbuild") -> None:
    try:
        repo_file(kind, root).unlink(missing_ok=True)
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
                stack.append((item.path, rel + "/"))


def tree(folder: Path, *, times: bool = False, skip: tuple[str, ...] = (), skip_dirs: tuple[Path, ...] = (),
         read: dict[str, bytes] | None = None) -> str:
    """Every file under `folder` by its path and content (and its modification time with `times`);
    followed links are read as the engine reads them. `read`: files already read, by their path,
    with the digest of their bytes then (Project.read_digests), not read again."""
    h = hashlib.blake2b(digest_size=20)
    skipped = {os.path.normcase(os.path.realpath(p)) for p in skip_dirs}
    start = len(os.path.join(str(folder), ""))  # os.walk's folders are `folder` joined with more
    for top, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in skip
                         and os.path.normcase(os.path.realpath(os.path.join(top, d))) not in skipped)
        for name in sorted(files):
            path = os.path.join(top, name)
            rel = path[start:]
            try:
                if read and path in read:
                    digest = read[path].hex()
                else:
                    with open(path, "rb") as f:
                        digest = hashlib.file_digest(f, "blake2b").hexdigest() if hasattr(hashlib, "file_digest") \
                            else hashlib.blake2b(f.read()).hexdigest()
                stamp = os.stat(path).st_mtime_ns if times else 0
            except OSError as e:
                digest, stamp = f"<{type(e).__name__}>", 0
            h.update(f"{rel}\0{digest}\0{stamp}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
