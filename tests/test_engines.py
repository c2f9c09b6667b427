"""Choosing the site engine: the setting, the option, a missing engine, and what a Zensical run
leaves behind (nothing but the site)."""

from __future__ import annotations

import importlib.util

import pytest

from e2e_helpers import copy_example, output, run_cli
from notepress import site

pytestmark = pytest.mark.site


def _set_engine(root, value: str) -> int:
    """Write `engine: value` at the end of notepress.yml; returns its line."""
    config = root / "notepress.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f"engine: {value}\n", encoding="utf-8")
    return text.count("\n") + 1


def test_an_unknown_engine_is_an_error_with_its_line(tmp_path):
    root = copy_example(tmp_path / "repo")
    line = _set_engine(root, "hugo")
    result = run_cli("-C", str(root), "check")
    assert result.exit_code == 1
    assert f"notepress.yml:{line}: engine: 'hugo' is not a site engine (write mkdocs or zensical)" in output(result)


def test_the_setting_chooses_the_engine_and_the_option_overrides_it(tmp_path):
    root = copy_example(tmp_path / "repo")
    _set_engine(root, "zensical")
    assert "with zensical" in run_cli("-C", str(root), "build").output
    assert (root / "site" / "search.json").is_file()  # Zensical's search index
    assert "with mkdocs" in run_cli("-C", str(root), "build", "--engine", "mkdocs").output
    assert (root / "site" / "search" / "search_index.json").is_file()
    assert not (root / "site" / "search.json").exists()  # the site was replaced whole


def test_a_zensical_build_leaves_only_the_site_and_a_failed_one_keeps_it(tmp_path):
    root = copy_example(tmp_path / "repo")
    result = run_cli("-C", str(root), "build", "--engine", "zensical")
    assert result.exit_code == 0, output(result)
    assert not (root / site.ZENSICAL_CONFIG).exists()
    assert not list(root.glob(".site.*"))
    assert not any(p.name in (".cache", site.ZENSICAL_CONFIG) for p in (root / "site").rglob("*"))

    before = (root / "site" / "index.html").read_bytes()
    mkdocs_yml = root / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8").replace("site_name:", "site_title:"), encoding="utf-8")

    result = run_cli("-C", str(root), "build", "--engine", "zensical")

    assert result.exit_code == 1
    message = output(result)
    assert "mkdocs.yml: the Zensical build failed" in message and "site_name" in message, message
    assert "Traceback" not in message
    assert (root / "site" / "index.html").read_bytes() == before
    assert not (root / site.ZENSICAL_CONFIG).exists()
    assert not list(root.glob(".site.*"))


def test_zensical_missing_says_how_to_install_it(tmp_path, monkeypatch):
    root = copy_example(tmp_path / "repo")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "zensical" else real(name, *a))
    result = run_cli("-C", str(root), "build", "--engine", "zensical")
    assert result.exit_code == 1
    assert ("notepress.yml: engine: zensical is not installed (install notepress with its extra: "
            "pip install 'notepress[zensical]', or set engine: mkdocs)") in output(result)
    assert not (root / "site").exists()


def test_pipeline_false_written_in_mkdocs_yml_is_refused_by_a_plain_mkdocs_build(tmp_path):
    """`pipeline: false` is how `notepress build` tells the plugin it runs the audit itself; written
    in mkdocs.yml it would let a plain `mkdocs build` skip the audit."""
    import subprocess
    import sys
    from pathlib import Path

    root = copy_example(tmp_path / "repo")
    mkdocs_yml = root / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8")
    mkdocs_yml.write_text(text.replace("  - notepress ", "  - notepress:\n      pipeline: false\n   ", 1), encoding="utf-8")
    assert "pipeline: false" in mkdocs_yml.read_text(encoding="utf-8")
    proc = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build"], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "`pipeline: false` is set by `notepress build` only" in proc.stderr
    assert not (root / "site").exists()


def test_a_build_from_another_folder_writes_nothing_there(tmp_path, isolated_cwd, engine):
    """`notepress -C repo build` typed anywhere: the rss plugin's cache goes into the repo's .cache/."""
    root = copy_example(tmp_path / "repo")
    result = run_cli("-C", str(root), "build", "--engine", engine)
    assert result.exit_code == 0, output(result)
    assert list(isolated_cwd.iterdir()) == []
