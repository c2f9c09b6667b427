"""What a reader sees, in a real browser (Debian's Chromium through Playwright) at a desktop and a
phone width: the home page lists the newest public post with a working link, the learning loop is
set in the body's type size, no page scrolls sideways, /blog/archive/ exists. Each page is visited
once and laid out at each width in turn, as a resized window is."""

from __future__ import annotations

import pytest

from e2e_helpers import REPO, resize, screenshot, static_server
from notepress import api
from test_browser import pytestmark  # noqa: F401  (same marks: browser, skip without Chromium)

WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def served(example_build):
    root = example_build.root
    public = sorted((e for e in api.load(root).entries if e.audience == "public" and not e.draft),
                    key=lambda e: e.date, reverse=True)
    with static_server(root / "site") as base:
        yield base, public


@pytest.fixture(scope="module")
def page(tab, tmp_path_factory):
    """The session's page (conftest's `tab`) for the module's tests: each visits its address once
    and looks at it at each width in turn (`at_each_width`). As for a reader who asks for reduced
    motion: Material then moves nothing with a transition, so a resized page is at rest at once (its
    layout is the same, without the 0.3 s in between)."""
    tab.set_default_timeout(15_000)
    tab.shots = tmp_path_factory.mktemp("screenshots")  # for a failing run, never in the checkout
    tab.emulate_media(reduced_motion="reduce")
    yield tab
    tab.emulate_media(reduced_motion="null")


def at_each_width(page, shot: str):
    """The page laid out again at each of WIDTHS, as a window resized to it (e2e_helpers.resize); a
    screenshot at each with NOTEPRESS_TEST_SCREENSHOTS. Yields the width."""
    for width in WIDTHS:
        resize(page, width)
        screenshot(page, page.shots / f"{shot}-{width}px.png")
        yield width


def _open(page, url: str):
    response = page.goto(url)
    page.wait_for_load_state("load")
    return response


def _no_sideways_scroll(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: {width}px wide in a {inner}px window"


def _follow(link, width: int) -> None:
    """A link a reader can click at this width (visible, steady, not covered: Playwright's checks
    before a click); at the last width it is clicked and the page it leads to loaded."""
    link.click(trial=width != WIDTHS[-1])
    if width == WIDTHS[-1]:
        link.page.wait_for_load_state("load")


def test_home_lists_the_newest_posts_with_links_that_work(served, page):
    base, public = served
    _open(page, base)
    by_title = {e.title: e for e in public}
    for width in at_each_width(page, "home"):
        titles = [t.strip() for t in page.locator("article.md-post h2").all_inner_texts()]
        assert len(titles) == 5 and titles[0] == public[0].title, (width, titles)  # the newest first, five of them
        assert all(t in by_title and by_title[t].date >= public[4].date for t in titles), titles  # public, newest
        assert [by_title[t].date for t in titles] == sorted((by_title[t].date for t in titles), reverse=True)
        assert page.locator('a[href$="subscribe/"]').first.is_visible(), width
        _no_sideways_scroll(page)
        _follow(page.locator("article.md-post h2 a").first, width)
    newest = public[0]
    assert newest.slug in page.url
    assert page.locator("h1").first.inner_text().strip() == newest.title


def test_the_learning_loop_reads_at_the_body_size(served, page):
    base, public = served
    entry = next(e for e in public if e.loop)
    _open(page, base + entry.post_path)
    for width in at_each_width(page, "post"):
        size = page.evaluate("""() => {
            const px = el => getComputedStyle(el).fontSize;
            const loop = document.querySelector('.md-content .admonition.abstract dd');
            const body = document.querySelector('.md-content .md-typeset > p');
            return [px(loop), px(body)]; }""")
        assert size[0] == size[1], f"{width}px: learning loop {size[0]}, body {size[1]}"
        loop_text = page.locator(".admonition.abstract").inner_text()
        if entry.loop.next_step_due:
            assert f"{entry.loop.next_step_due:%b} {entry.loop.next_step_due.day}, " in loop_text
            assert entry.loop.next_step_due.isoformat() not in loop_text
        _no_sideways_scroll(page)


def test_the_archive_page_lists_every_month(served, page):
    base, public = served
    response = _open(page, base + "blog/archive/")
    assert response.status == 200
    months = page.locator("article h2 a")
    for width in at_each_width(page, "archive"):
        assert months.count() == len({(e.date.year, e.date.month) for e in public})
        assert public[0].title in page.locator("article").inner_text()
        _no_sideways_scroll(page)
        _follow(months.first, width)
    assert page.url.rstrip("/").endswith(f"blog/archive/{public[0].date:%Y/%m}")


@pytest.mark.parametrize("path", ["blog/", "subscribe/"])
def test_no_page_scrolls_sideways(served, page, path):
    base, _ = served
    _open(page, base + path)
    for _ in at_each_width(page, path.replace("/", "_")):
        _no_sideways_scroll(page)


def test_the_example_ships_the_init_templates_reader_files():
    init = REPO / "tools" / "notepress" / "templates" / "init"
    for rel in ("overrides/home.html", "overrides/archive.html", "overrides/main.html", "docs/stylesheets/extra.css", "docs/subscribe.md",
                "docs/blog/archive/index.md"):
        assert (REPO / rel).read_bytes() == (init / rel).read_bytes(), f"{rel} differs from templates/init/{rel}"


@pytest.fixture(scope="module")
def served_init(init_site):
    """A repo from `notepress init` with an image beside a public essay (conftest's init_site)."""
    entry = next(e for e in api.load(init_site.root).entries if (init_site.root / e.source).parent.joinpath("chart.png").is_file())
    with static_server(init_site.site) as base:
        yield base, entry


def test_an_image_beside_a_public_entry_shows_on_its_post(served_init, page):
    base, essay = served_init
    _open(page, base + essay.post_path)
    image = page.locator('img[alt="a chart"]')
    for _ in at_each_width(page, "image"):
        assert page.locator("h1").first.inner_text().strip() == essay.title
        assert image.evaluate("img => img.complete && img.naturalWidth") == 8  # the 8x4 PNG beside it, loaded
        _no_sideways_scroll(page)
