"""The one store behind every cache notepress keeps: parsed entries, rendered Markdown and pages,
the files an audit found clean, and what the last build was made from.

Each cache is one file per writing repo in the user's cache folder ($XDG_CACHE_HOME or ~/.cache;
a build writes nothing in the repo outside the folders it owns), holding a dictionary that is
valid for exactly one `code_digest()` and one key of the cache's own (the settings its values
depend on). The code digest covers every file of the installed notepress package and the
versions of every installed distribution, so an upgrade of notepress or of any library it uses,
or a change to any line of its code, starts every cache afresh: a changed rule or message is never
hidden behind a cached result. Values are found by the content that made them (a file's bytes,
a text and its settings), never by a timestamp.

    store = Store("entries", root, key=settings)     # empty unless made by this code with this key
    hit = store.get(name)                             # kept for the next run too
    store.put(name, value)
    store.save()                                      # what was neither asked for nor put is dropped
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

from .output import write_atomic

_MISSING = object()


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "notepress"


def repo_file(kind: str, root: Path, suffix: str = "pickle") -> Path:
    """The cache file of kind `kind` for the writing repo at `root`."""
    return cache_dir() / f"{kind}-{hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()}.{suffix}"


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


@functools.cache
def code_digest() -> str:
    """Every file of this package (by its path inside it and its bytes), the Python that runs it
    and every installed distribution's name and version: what made a cached value."""
    h = hashlib.blake2b(digest_size=20)
    package = Path(__file__).parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(folder, name)
            h.update(f"{path.relative_to(package).as_posix()}\0".encode("utf-8", "surrogateescape"))
            h.update(path.read_bytes())
    h.update(f"\0{sys.version}\0{sys.executable}\0".encode())
    for name in installed_distributions():
        h.update(f"{name}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def installed_distributions() -> list[str]:
    """The installed distributions with their versions, from the names of their metadata folders
    on sys.path (`PyYAML-6.0.3.dist-info`): one directory listing per path entry, no metadata read.
    A folder on the path twice counts once: pytest's worker has tools/ twice (its conftest and the
    editable install), the `notepress` it starts once, and the two must find each other's caches."""
    found = []
    for entry in dict.fromkeys(sys.path):
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += [f"{entry}/{n}" for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))]
    return sorted(found)


class Store:
    """A cache of one kind for one writing repo (see the module's comment)."""

    def __init__(self, kind: str, root: Path, key: object = None, keep: bool = False):
        """`keep`: what was read stays, asked for or not, and what another process saved meanwhile
        too (a store whose values never go stale and that several repos share); otherwise only what
        this run asked for or put is written back."""
        self.path = repo_file(kind, root)
        self.key = (code_digest(), key)
        self.keep = keep
        self.old: dict = self._load()
        self.new: dict = dict(self.old) if keep else {}

    def _load(self) -> dict:
        try:
            with self.path.open("rb") as f:
                data = pickle.load(f)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, IndexError, KeyError,
                TypeError, ValueError, MemoryError):
            return {}  # no cache, or an unreadable one: everything is made again
        if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("items"), dict):
            return data["items"]
        return {}

    def get(self, name, default=None):
        """The value kept under `name`, or `default`; a value asked for is kept for the next run."""
        hit = self.new.get(name, _MISSING)
        if hit is _MISSING:
            hit = self.old.get(name, _MISSING)
            if hit is _MISSING:
                return default
            self.new[name] = hit
        return hit

    def put(self, name, value) -> None:
        self.new[name] = value

    def save(self) -> None:
        """Write what was asked for or put, when it differs from what was read (atomically; a
        read-only cache folder only makes the next run slower)."""
        if self.new.keys() == self.old.keys() and all(self.new[k] is self.old[k] for k in self.new):
            return
        # a kept store merges with what is there now: two checks at once (a commit's hook beside
        # `serve`) each keep the other's words instead of the last one dropping the first one's
        items = {**self._load(), **self.new} if self.keep else self.new
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps({"key": self.key, "items": items}, protocol=5))
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass
