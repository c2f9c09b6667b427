"""The caches: keyed by content, so no edit is ever missed; by the code that made them, so no change
of a rule or a message is hidden; and kept out of the writing repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from notepress.audience import Reader, select
import notepress
from notepress.cache import Store, code_digest, repo_file
from notepress.config import load_config
from notepress.entries import read_entries

REPO = Path(__file__).resolve().parent.parent
PACKAGE = Path(notepress.__file__).parent


def copy_example(dest: Path) -> Path:
    shutil.copytree(REPO / "posts", dest / "posts")
    shutil.copy(REPO / "notepress.yml", dest / "notepress.yml")
    return dest


def test_a_cached_read_equals_a_fresh_read(tmp_path):
    config = load_config(copy_example(tmp_path))
    fresh, _ = read_entries(config, cache=False)
    read_entries(config)  # fills the cache
    assert repo_file("entries", config.root).exists()
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
    assert Path(os.environ["XDG_CACHE_HOME"]) in repo_file("entries", root.resolve()).parents


def test_an_unreadable_cache_is_ignored(tmp_path):
    config = load_config(copy_example(tmp_path))
    read_entries(config)
    repo_file("entries", config.root).write_bytes(b"not a pickle")
    entries, report = read_entries(config)
    assert len(entries) == 25 and not report.errors


def _notepress(package_parent: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    """`notepress ARGS` run from the package under `package_parent` (a copy of this one)."""
    return subprocess.run([sys.executable, "-c", "from notepress.cli import main; main()", *args],
                          env={**env, "PYTHONPATH": str(package_parent)}, capture_output=True, text=True)


def test_a_changed_message_in_any_module_is_seen_on_unchanged_entries(tmp_path):
    """The same entries, checked by a copy of the package before and after a message of schema.py
    changed: the second check prints the new message, although no entry changed (the cache is
    keyed by every file of the package, not by a list of them)."""
    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code / "notepress", ignore=shutil.ignore_patterns("__pycache__"))
    root = copy_example(tmp_path / "repo")
    (root / "posts" / "learning" / "broken.md").write_text(
        "---\ntitle: Broken\ndate: 2026-11-02\ntype: learning\naudience: public\ndraft: maybe\n---\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = _notepress(code, "-C", str(root), "check", env=env)
    assert "true or false" in first.stderr, first.stderr
    assert list((tmp_path / "cache" / "notepress").glob("entries-*.pickle"))  # the entries were cached
    schema = code / "notepress" / "schema.py"
    text = schema.read_text(encoding="utf-8")
    assert text.count("true or false") >= 1
    schema.write_text(text.replace("true or false", "yes-or-no (changed)"), encoding="utf-8")
    second = _notepress(code, "-C", str(root), "check", env=env)
    assert "yes-or-no (changed)" in second.stderr and "true or false" not in second.stderr, second.stderr


def test_a_store_is_empty_for_other_code_or_another_key(tmp_path, monkeypatch):
    store = Store("probe", tmp_path, key="settings-1")
    store.put("a", 1)
    store.save()
    assert Store("probe", tmp_path, key="settings-1").get("a") == 1
    assert Store("probe", tmp_path, key="settings-2").get("a") is None
    monkeypatch.setattr("notepress.cache.code_digest", lambda: "another code")
    assert Store("probe", tmp_path, key="settings-1").get("a") is None


def test_the_code_digest_covers_every_file_of_the_package_and_the_installed_versions():
    """Not a list of modules: a template and a module no list ever named are in it too."""
    import notepress.cache as cache

    digest = code_digest()
    assert len(digest) == 40
    names = {p.name for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert {"schema.py", "project.py", "newsletter.html.jinja"} <= names
    assert any("PyYAML" in d or "pyyaml" in d.lower() for d in cache.installed_distributions())


def test_a_process_with_a_folder_twice_on_its_path_has_the_code_digest_of_one_without(tmp_path, monkeypatch):
    """The code digest is the same in a process whose path names a folder with a distribution in it
    twice (pytest's worker: tools/ from its conftest and from the editable install) as in the
    `notepress` it starts (once): before, every cache one wrote was empty to the other."""
    import notepress.cache as cache

    (tmp_path / "extra-1.0.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path, str(tmp_path)])
    cache.code_digest.cache_clear()
    try:
        here = cache.code_digest()
    finally:
        cache.code_digest.cache_clear()
    started = subprocess.run([sys.executable, "-c", "from notepress.cache import code_digest; print(code_digest())"],
                             env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PACKAGE.parent)])},
                             capture_output=True, text=True, check=True)
    assert started.stdout.strip() == here


def test_the_word_frequencies_learned_in_one_repo_stay_after_a_check_of_another(tmp_path):
    """wordfreq's list (0.3 s to load) is read only for a word no repo of this user has named yet:
    after `check` in repo A then in repo B (other customers), `check` in A again runs with wordfreq
    unimportable and finds the same problems (it was loaded again for A's names before)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    repos = {}
    for name, customer in (("a", "Quillfeather Logistics"), ("b", "Zanderwick Outfitters")):
        root = copy_example(tmp_path / name)
        (root / "posts" / "essays" / "leak.md").write_text(
            f"---\ntitle: A visit\ndate: 2026-11-02\ntype: essay\naudience: public\n---\n\n{customer.split()[0]} said so.\n",
            encoding="utf-8")
        (root / "posts" / "insights" / "visit.md").write_text(
            f"---\ntitle: Visit\ndate: 2026-11-01\ntype: insight\naudience: internal\ncustomer: {customer}\n"
            "source: interview\nthemes: [exports]\n---\n\nThey export by hand.\n", encoding="utf-8")
        repos[name] = root
    first = _notepress(PACKAGE.parent, "-C", str(repos["a"]), "check", env=env)
    assert "Quillfeather" in first.stderr, first.stderr
    other = _notepress(PACKAGE.parent, "-C", str(repos["b"]), "check", env=env)
    assert "Zanderwick" in other.stderr, other.stderr
    blocked = subprocess.run([sys.executable, "-c", "import sys; sys.modules['wordfreq'] = None\n"
                              "from notepress.cli import main; main()", "-C", str(repos["a"]), "check"],
                             env={**env, "PYTHONPATH": str(PACKAGE.parent)}, capture_output=True, text=True)
    assert (blocked.returncode, blocked.stderr) == (first.returncode, first.stderr)


def test_two_processes_that_learn_words_at_once_keep_both(tmp_path, monkeypatch):
    """A kept store (the words' frequencies) opened by two processes at once, each learning a word:
    the one that saves last keeps the other's word too (before, it wrote back only what it had read
    and learned, and the next check loaded wordfreq's list again for the lost word)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    hook, serve = (Store("zipf", Path("wordfreq"), key="en", keep=True) for _ in range(2))
    hook.put("quillfeather", 0.0)
    serve.put("zanderwick", 0.0)
    hook.save()
    serve.save()
    later = Store("zipf", Path("wordfreq"), key="en", keep=True)
    assert (later.get("quillfeather"), later.get("zanderwick")) == (0.0, 0.0)
