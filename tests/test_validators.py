"""The public site as tools nobody here wrote judge it, on both engines: LinkChecker (every internal
link and anchor) on the example repo and a fresh `notepress init` repo, and axe-core in Chromium
(no serious or critical finding) on the home page, a post, the archive, a tag page and the blog
index, at 1280 and 390 px."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest

from e2e_helpers import run_cli, static_server

pytestmark = [pytest.mark.site, pytest.mark.browser]
LINKCHECKER = Path(sys.executable).with_name("linkchecker")
# Each page kind at least once, both widths: axe-core costs about half a second a page.
PAGES = {1280: ("", "{post}", "blog/archive/{year}/"), 390: ("blog/", "tags/", "{post}")}


def link_errors(sites: list[Path], tmp_path: Path) -> list[str]:
    """LinkChecker's errors and anchor warnings over the sites, each served on loopback, in one run."""
    config = tmp_path / "linkcheckerrc"
    config.write_text("[checking]\nmaxrequestspersecond=1000\nthreads=10\n[AnchorCheck]\n", encoding="utf-8")
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(static_server(site)) for site in sites]
        done = subprocess.run([str(LINKCHECKER), "-f", str(config), "--no-status", "--no-robots", "-o", "csv", *bases],
                              capture_output=True, text=True, timeout=300)
    rows = [line.split(";") for line in done.stdout.splitlines() if line and not line.startswith("#")][1:]
    assert rows or done.returncode == 0, done.stderr
    return [f"{r[0]} (on {r[1]}): {r[3]} {r[4]}".strip() for r in rows if r[6] == "False" or "Anchor" in r[4]]


def test_no_broken_link_or_anchor_in_the_example_site_or_a_new_users(example_build, engine, tmp_path):
    root = tmp_path / "notes"
    assert run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li",
                   "--site-url", "https://ana.example/notes/").exit_code == 0
    built = run_cli("-C", str(root), "build", "--engine", engine)
    assert built.exit_code == 0, built.output
    assert link_errors([example_build.site, root / "site"], tmp_path) == []


def test_axe_core_finds_nothing_serious(example_build, browser):
    from axe_playwright_python.sync_playwright import Axe

    site = example_build.site
    post = next(site.glob("blog/2*/*/*/*/index.html")).parent.relative_to(site).as_posix() + "/"
    year = next(site.glob("blog/archive/2*")).name
    axe, found = Axe(), []
    page = browser.new_page()
    try:
        with static_server(site) as base:
            for width, paths in PAGES.items():
                page.set_viewport_size({"width": width, "height": 900})
                for path in (p.format(post=post, year=year) for p in paths):
                    page.goto(base + path)
                    violations = axe.run(page, options={"resultTypes": ["violations"]}).response["violations"]
                    found += [f"{width} px {path or '/'}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}: "
                              f"{v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    finally:
        page.close()
    assert found == []
