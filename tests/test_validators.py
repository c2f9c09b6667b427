"""The public site as tools nobody here wrote judge it, on both engines: LinkChecker (every internal
link and anchor) on the example repo and a fresh `notepress init` repo (served at its site URL's
folder, /notes/), and axe-core in Chromium (no serious or critical finding) on the home page, a
post, the archive, a tag page and the blog index, at 1280 and 390 px."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e_helpers import axe_violations, resize, static_server

pytestmark = [pytest.mark.site, pytest.mark.browser]
LINKCHECKER = Path(sys.executable).with_name("linkchecker")
# Each page kind at least once, both widths: axe-core costs about half a second a page.
PAGES = {1280: ("", "blog/archive/{year}/", "{post}"), 390: ("{post}", "blog/", "tags/")}


@pytest.fixture(scope="module")
def link_check(example_build, init_site, tmp_path_factory):
    """LinkChecker's errors and anchor warnings over the example site and a new user's site (init
    with a site URL in a folder of its host, and posts that link each other, a heading and an image),
    each served on loopback (the new user's at its site URL's path, /notes/, with nothing outside
    it: a link that climbs out of the site's folder is a 404), in one run started at once in the
    background: it mostly waits on its threads, while the module's other tests use the processor.
    Every loopback URL is checked (LinkChecker would take /feed.xml, outside /notes/, for another
    site's and leave it unchecked)."""
    config = tmp_path_factory.mktemp("linkcheck") / "linkcheckerrc"
    config.write_text("[checking]\nmaxrequestspersecond=1000\nthreads=10\n[AnchorCheck]\n"
                      "[filtering]\ninternlinks=^http://127\\.0\\.0\\.1:\n", encoding="utf-8")
    mount = urlsplit(init_site.settings["site_url"]).path
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(static_server(example_build.site)),
                 stack.enter_context(static_server(init_site.site, mount=mount))]
        checker = subprocess.Popen([str(LINKCHECKER), "-f", str(config), "--no-status", "--no-robots", "-o", "csv",
                                    *bases], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def errors() -> list[str]:
            out, err = checker.communicate(timeout=300)
            rows = [line.split(";") for line in out.splitlines() if line and not line.startswith("#")][1:]
            assert rows or checker.returncode == 0, err
            return [f"{r[0]} (on {r[1]}): {r[3]} {r[4]}".strip() for r in rows if r[6] == "False" or "Anchor" in r[4]]

        yield errors


@pytest.mark.usefixtures("link_check")  # LinkChecker runs in the background meanwhile
def test_axe_core_finds_nothing_serious(example_build, tab):
    site, page = example_build.site, tab
    post = next(site.glob("blog/2*/*/*/*/index.html")).parent.relative_to(site).as_posix() + "/"
    year = next(site.glob("blog/archive/2*")).name
    found = []
    with static_server(site) as base:
        for width, paths in PAGES.items():
            resize(page, width)
            for path in (p.format(post=post, year=year) for p in paths):
                if page.url != base + path:  # the post, last at 1280 px and first at 390 px: laid out again
                    page.goto(base + path)
                violations = axe_violations(page)
                found += [f"{width} px {path or '/'}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}: "
                          f"{v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    assert found == []


def test_no_broken_link_or_anchor_in_the_example_site_or_a_new_users(link_check):
    assert link_check() == []
