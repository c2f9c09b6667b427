"""Shared fixtures: fixture folders copied into tmp repos, an isolated working directory, a CLI runner."""

from __future__ import annotations

import hashlib
import shutil
import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from notepress.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config):
    """notepress's entry cache goes to a folder of this test session, not the user's ~/.cache."""
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="notepress-test-cache-")


@pytest.fixture(autouse=True)
def isolated_cwd(tmp_path, monkeypatch):
    """Every test runs in its own empty folder, so a command without -C never sees /work/main."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def copy_repo(tmp_path):
    """Copy tests/fixtures/repos/<name> into a fresh folder and return its path."""

    def copy(name: str, dest: str | None = None) -> Path:
        target = tmp_path / (dest or name)
        shutil.copytree(FIXTURES / "repos" / name, target)
        return target

    return copy


@pytest.fixture
def cli():
    """Run the notepress CLI in-process; stdout and stderr stay separate (click >= 8.2)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=True)

    return run


def lines(text: str) -> list[str]:
    return text.splitlines()


def expected_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def snapshot(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Relative path -> sha256 of every file under root (except under `skip`)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or (skip is not None and skip in p.parents):
            continue
        out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="module", params=ENGINES)
def engine(request) -> str:
    """The site engine a test builds with: every end-to-end, leak and browser test runs on both."""
    return request.param
