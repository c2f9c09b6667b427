"""The entry cache: keyed by content, so no edit is ever missed, and kept out of the writing repo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from notepress.audience import Reader, select
from notepress.cache import cache_file
from notepress.config import load_config
from notepress.entries import read_entries

REPO = Path(__file__).resolve().parent.parent


def copy_example(dest: Path) -> Path:
    shutil.copytree(REPO / "posts", dest / "posts")
    shutil.copy(REPO / "notepress.yml", dest / "notepress.yml")
    return dest


def test_a_cached_read_equals_a_fresh_read(tmp_path):
    config = load_config(copy_example(tmp_path))
    fresh, _ = read_entries(config, cache=False)
    read_entries(config)  # fills the cache
    assert cache_file(config.root).exists()
    cached, report = read_entries(config)
    assert [vars(e) for e in cached] == [vars(e) for e in fresh]
    assert not report.errors


def test_an_edit_of_the_same_size_and_time_is_seen(tmp_path):
    """Turning `public` into `intern` keeps the size; restoring the mtime hides the edit from a
    timestamp cache. The content-keyed cache must still see that the entry is no longer public."""
    config = load_config(copy_example(tmp_path))
    read_entries(config)
    path = config.posts_dir / "essays" / "2026-11-03-reconciliation-is-a-trust-problem.md"
    stat = path.stat()
    text = path.read_text()
    assert "audience: public" in text
    path.write_text(text.replace("audience: public", "audience: intern", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    entries, report = read_entries(config)
    assert "reconciliation-is-a-trust-problem" not in {e.slug for e in select(entries, Reader.PUBLIC)}
    assert any(p.field == "audience" and "intern" in p.message for p in report.errors)


def test_the_cache_is_not_written_into_the_repo(tmp_path):
    root = copy_example(tmp_path / "repo")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    read_entries(load_config(root))
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert Path(os.environ["XDG_CACHE_HOME"]) in cache_file(root.resolve()).parents


def test_an_unreadable_cache_is_ignored(tmp_path):
    config = load_config(copy_example(tmp_path))
    read_entries(config)
    cache_file(config.root).write_bytes(b"not a pickle")
    entries, report = read_entries(config)
    assert len(entries) == 25 and not report.errors
