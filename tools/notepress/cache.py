"""A cache of parsed entries, keyed by each file's path and the hash of its bytes.

Parsing YAML is most of the cost of reading a large tree; a file whose bytes did not change is
not parsed again. The key is the content itself (not a timestamp), so an edit can never be
missed, and the cache is dropped whole when the code or the settings that validation depends
on change. It lives in the user's cache folder ($XDG_CACHE_HOME or ~/.cache), one file per
writing repo: a build writes nothing in the repo outside the folder it owns.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from .config import Config
from .output import write_atomic

def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "notepress"


def cache_file(root: Path) -> Path:
    return cache_dir() / f"entries-{hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()}.pickle"

_CODE = ("entries.py", "model.py", "yamlmap.py", "problems.py", "config.py")


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def fingerprint(config: Config) -> str:
    """Changes when the code or anything validation depends on changes."""
    h = hashlib.blake2b(digest_size=16)
    here = Path(__file__).parent
    for name in _CODE:
        h.update((here / name).read_bytes())
    h.update(repr((str(config.root), str(config.posts_dir), config.competencies,
                   tuple(a.id for a in config.authors))).encode())
    return h.hexdigest()


class EntryCache:
    def __init__(self, config: Config):
        self.path = cache_file(config.root)
        self.key = fingerprint(config)
        self.old: dict = {}
        self.new: dict = {}
        try:
            with self.path.open("rb") as f:
                data = pickle.load(f)
            if data.get("key") == self.key:
                self.old = data["files"]
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, KeyError, TypeError, ValueError):
            pass  # no cache, or an unreadable one: parse everything

    def get(self, path: Path, raw_digest: bytes):
        """(entry or None, problems) for this exact content, or None."""
        hit = self.old.get(str(path))
        if hit is not None and hit[0] == raw_digest:
            self.new[str(path)] = hit
            return hit[1], hit[2]
        return None

    def put(self, path: Path, raw_digest: bytes, entry, problems) -> None:
        self.new[str(path)] = (raw_digest, entry, problems)

    def save(self) -> None:
        if self.new == self.old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, pickle.dumps({"key": self.key, "files": self.new}, protocol=5))
        except OSError:
            pass  # a read-only checkout still works, only slower
