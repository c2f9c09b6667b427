"""End to end: a real `notepress build` of the example repo, and what it must and must not publish.

The site is built once per module (about 2 s) and inspected by many tests; tests that change the
repo work on their own copy of the built tree.
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from e2e_helpers import (copy_example, file_hash, output, hidden_needles, leaks, norm, run_cli, sentences,
                         site_texts, tree_bytes)
from notepress import api

pytestmark = pytest.mark.site

BIN = Path(sys.executable).parent
DRAFT_SLUG = "what-margin-taught-me-about-roadmaps"
DRAFT_TITLE = "What gross margin taught me about roadmaps"
UNLINKED_PUBLIC = "posts/learning/2026-10-20-a-pilot-sales-can-say-yes-to.md"  # no public page links to it
NORTHWIND = "posts/insights/2026-09-08-northwind-partial-payments.md"
NORTHWIND_SENTENCE = ("Our matcher only auto-matches exact amounts or exact sums of open invoices, "
                      "so every short-pay lands in the unmatched queue.")
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
TAGS = re.compile(r"<[^>]+>")


# Where each engine writes its search index (and the key of its documents), and its sitemaps.
SEARCH_INDEX = {"mkdocs": ("search/search_index.json", "docs"), "zensical": ("search.json", "items")}
SITEMAPS = {"mkdocs": ("sitemap.xml", "sitemap.xml.gz"), "zensical": ("sitemap.xml",)}


def _public(entries):
    return [e for e in entries if e.audience == "public" and not e.draft]


def _hidden(entries):
    return [e for e in entries if not (e.audience == "public" and not e.draft)]


def _post_url(e) -> str:
    return f"blog/{e.date:%Y/%m/%d}/{e.slug}/"


@pytest.fixture(scope="module")
def built(example_build):
    root, site = example_build.root, example_build.site
    project = api.load(root)
    return SimpleNamespace(root=root, site=site, result=example_build.result, project=project, engine=example_build.engine,
                           entries=project.entries, config=project.config,
                           posts_before=example_build.posts_before, texts=site_texts(site))


@pytest.fixture
def scratch(built, tmp_path):
    """A private copy of the already built repo (posts, generated docs, site/)."""
    root = tmp_path / "repo"
    shutil.copytree(built.root, root, symlinks=True)
    return root


def _page(site: Path, e) -> Path:
    return site / _post_url(e) / "index.html"


def _h1(path: Path) -> str:
    m = H1.search(path.read_text(encoding="utf-8"))
    return html.unescape(TAGS.sub("", m.group(1))).strip() if m else ""


# --- what the build publishes -------------------------------------------------------------------------------


def test_build_reports_the_public_posts(built):
    n = len(_public(built.entries))
    assert n == 8, [e.source for e in _public(built.entries)]
    assert f"{n} posts: {n} written" in built.result.output
    assert "audited site/" in built.result.output


def test_every_public_entry_has_a_page_under_blog(built):
    pages = {}
    for path in (built.site / "blog").rglob("index.html"):
        rel = path.relative_to(built.site / "blog").parts
        if rel[0].isdigit():  # blog/YYYY/MM/DD/slug/index.html: a post page
            pages[_h1(path)] = path
    for e in _public(built.entries):
        assert e.title in pages, f"no page under site/blog/ titled {e.title!r} ({e.source}); pages: {sorted(pages)}"
        assert pages[e.title] == _page(built.site, e)
    assert len(pages) == len(_public(built.entries))


def test_blog_index_lists_the_newest_public_posts(built):
    index = html.unescape((built.site / "blog" / "index.html").read_text(encoding="utf-8"))
    newest = sorted(_public(built.entries), key=lambda e: e.date, reverse=True)[:10]
    for e in newest:
        assert e.title in index, e.source


def test_tags_index_lists_public_tags_only(built):
    page = html.unescape((built.site / "tags" / "index.html").read_text(encoding="utf-8"))
    listed = set(re.findall(r'id="tag:([^"]+)"', page))
    public_tags = {t for e in _public(built.entries) for t in e.tags}
    hidden_only = {t for e in _hidden(built.entries) for t in e.tags} - public_tags
    assert public_tags and hidden_only
    assert public_tags <= listed, public_tags - listed
    assert not (listed & hidden_only), f"tags of non-public entries on the tags page: {listed & hidden_only}"


def test_archive_and_category_pages(built):
    blog = built.site / "blog"
    for month in {(e.date.year, e.date.month) for e in _public(built.entries)}:
        page = blog / "archive" / f"{month[0]}" / f"{month[1]:02d}" / "index.html"
        assert page.is_file(), page
    for category in ("learning-log", "essays"):
        page = blog / "category" / category / "index.html"
        assert page.is_file(), page
    essays = html.unescape((blog / "category" / "essays" / "index.html").read_text(encoding="utf-8"))
    for e in _public(built.entries):
        if e.type == "essay":
            assert e.title in essays
    # no insight is public, so the customer-insights category must not exist
    assert not (blog / "category" / "customer-insights").exists()


def test_rss_feed_is_valid_and_lists_the_public_posts(built):
    for name in ("feed_rss_created.xml", "feed_rss_updated.xml"):
        tree = ET.parse(built.site / name)  # raises on invalid XML
        titles = [t.text for t in tree.getroot().iter("item") for t in t.iter("title")]
        assert sorted(titles) == sorted(e.title for e in _public(built.entries)), name
        links = [el.text for el in tree.getroot().iter("link")]
        for e in _public(built.entries):
            assert built.config.site_url + _post_url(e) in links


def test_sitemap_lists_the_post_urls(built):
    import gzip

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    maps = [(built.site / name).read_bytes() for name in SITEMAPS[built.engine]]
    for root in (ET.fromstring(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data) for data in maps):
        locs = {el.text.strip() for el in root.findall("s:url/s:loc", ns)}
        for e in _public(built.entries):
            assert built.config.site_url + _post_url(e) in locs, e.source
        assert all(urlsplit(loc).path.startswith(urlsplit(built.config.site_url).path) for loc in locs)


def test_search_index_contains_the_public_titles(built):
    import json

    name, key = SEARCH_INDEX[built.engine]
    docs = json.loads((built.site / name).read_text(encoding="utf-8"))[key]
    titles = {d["title"] for d in docs}
    locations = {d["location"] for d in docs}
    for e in _public(built.entries):
        assert e.title in titles, e.title
        assert _post_url(e) in locations


# --- what it must never publish ------------------------------------------------------------------------------


def test_no_content_of_non_public_entries_anywhere_in_the_site(built):
    needles = hidden_needles(built.entries, built.config)
    hidden = _hidden(built.entries)
    assert len(hidden) >= 10
    assert {source for _, _, source in needles} >= {e.source for e in hidden}
    assert sum(kind.startswith("sentence") for kind, _, _ in needles) > 100
    assert SEARCH_INDEX[built.engine][0] in built.texts and "feed_rss_created.xml" in built.texts
    assert built.engine != "mkdocs" or any(n.endswith(".gz") for n in built.texts)
    found = leaks(built.texts, needles)
    assert not found, "content of non-public entries in site/:\n" + "\n".join(found)


def test_the_leak_check_would_see_public_sentences(built):
    """Positive control: the same matching finds the public entries' own sentences in the site."""
    everything = "\n".join(built.texts.values())
    for e in _public(built.entries):
        own = [s for name, text in e.text_fields().items() if name != "body" for s in sentences(text)]
        own += sentences(e.body)[:3]
        assert own, e.source
        missing = [s for s in own if norm(s) not in everything and "[[" not in s and "](" not in s]
        assert not missing, f"{e.source}: {missing}"


def test_draft_public_essay_is_absent(built):
    draft = next(e for e in built.entries if e.slug == DRAFT_SLUG)
    assert draft.audience == "public" and draft.draft and draft.title == DRAFT_TITLE
    for rel, text in built.texts.items():
        assert norm(DRAFT_TITLE) not in text, rel
        assert DRAFT_SLUG not in text and DRAFT_SLUG not in rel, rel
        for s in sentences(draft.body):
            assert norm(s) not in text, (rel, s)
    assert not (built.root / ".notepress" / "docs" / "blog" / "posts" / f"{DRAFT_SLUG}.md").exists()


def test_generated_posts_folder_holds_only_public_entries(built):
    posts = built.root / ".notepress" / "docs" / "blog" / "posts"
    names = {p.name for p in posts.glob("*.md")}
    assert names == {f"{e.slug}.md" for e in _public(built.entries)}


def test_learning_loop_renders_on_a_public_learning_post(built):
    e = next(e for e in _public(built.entries) if e.slug == "reading-the-payments-pnl")
    page = _page(built.site, e).read_text(encoding="utf-8")
    m = re.search(r'<div class="admonition abstract">(.*?)</div>', page, re.S)
    assert m, "no learning loop block on the page"
    block = m.group(1)
    assert "Learning loop" in block
    pairs = dict((html.unescape(TAGS.sub("", dt)).strip(), html.unescape(TAGS.sub("", dd)).strip())
                 for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", block, re.S))
    assert list(pairs)[:4] == ["Action", "Outcome", "What I learned", "Next step"]
    assert pairs["Action"] == e.loop.action
    assert pairs["Outcome"] == e.loop.outcome
    assert pairs["What I learned"] == e.loop.learning
    assert pairs["Next step"].startswith(e.loop.next_step)
    assert "due Sep 11, 2026" in pairs["Next step"]  # readable on a phone, not 2026-09-11


def _resolve(site: Path, page: Path, href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path or href.startswith("#"):
        return None
    base = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(base, parts.path))
    path = site / target
    return path / "index.html" if href.split("#")[0].endswith("/") or path.is_dir() else path


def test_wiki_link_becomes_a_working_href(built):
    by_slug = {e.slug: e for e in built.entries}
    source, target = by_slug["reconciliation-is-a-trust-problem"], by_slug["reading-the-payments-pnl"]
    assert f"[[{target.slug}]]" in source.body
    page = _page(built.site, source)
    text = page.read_text(encoding="utf-8")
    assert "[[" not in html.unescape(TAGS.sub(" ", text))
    hrefs = [h for h in HREF.findall(text) if target.slug in h]
    assert hrefs, "the [[slug]] link was not turned into an href"
    for href in hrefs:
        assert _resolve(built.site, page, href) == _page(built.site, target)
        assert _page(built.site, target).is_file()


def test_every_relative_link_on_post_pages_resolves(built):
    broken = []
    for e in _public(built.entries):
        page = _page(built.site, e)
        for href in HREF.findall(page.read_text(encoding="utf-8")):
            path = _resolve(built.site, page, html.unescape(href))
            if path is not None and not path.exists():
                broken.append(f"{page.relative_to(built.site)}: {href}")
    assert not broken, broken


@pytest.mark.parametrize("listing", ["index.html", "blog/index.html"])
def test_every_link_on_a_new_users_home_page_and_blog_index_is_a_file_of_the_site(init_site, listing):
    """An excerpt links other posts (tests/fixtures/feeds/): Zensical once linked them on the blog
    index by their source's address, blog/posts/<slug>/ (blog.post_link). The site is in a folder of
    its host, so a link that climbs out of site/ is broken too."""
    site = init_site.site.resolve()
    page = site / listing
    hrefs = [html.unescape(h) for h in re.findall(r'\bhref="([^"]*)"', page.read_text(encoding="utf-8"))]
    broken = [h for h in hrefs if (path := _resolve(site, page, h)) is not None
              and not (path.resolve().is_relative_to(site) and path.is_file())]
    assert broken == [] and any("why-i-write-down-what-i-learn/" in h for h in hrefs), (broken, hrefs)
    if listing.startswith("blog/"):  # the essay's excerpt, with its link to a heading of another post
        call = next(e for e in api.load(init_site.root).entries if e.slug == "five-support-calls-in-one-week")
        assert posixpath.relpath(call.post_path, "blog") + "/#what-surprised-me" in hrefs


def test_every_public_post_shares_a_large_image_its_card_when_it_has_none_of_its_own(built):
    """og:image on every post page (the example's posts show no image: each shares its card), an
    absolute address of a 1200x630 PNG published (and so audited) beside the posts, drawn from the
    post's title, the site's name and its author."""
    from PIL import Image
    from notepress.card import Card, render
    from test_goals_first_month import meta_of

    site_url, site_name = built.config.site_url, built.project.settings.data["site_name"]
    for e in _public(built.entries):
        meta = meta_of(_page(built.site, e))
        assert meta["twitter:card"] == "summary_large_image", e.source
        assert meta["og:image"] == meta["twitter:image"] and meta["og:image"].startswith(f"{site_url}blog/attachments/")
        published = built.site / meta["og:image"].removeprefix(site_url)
        with Image.open(published) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))
        assert published.read_bytes() == render(Card(e.title, site_name, "Maya Chen")), e.source


def test_posts_folder_is_untouched(built):
    assert tree_bytes(built.root / "posts") == built.posts_before


# --- the plugin path, rebuilds, failures -----------------------------------------------------------------


def test_plain_mkdocs_build_generates_the_posts(tmp_path):
    root = copy_example(tmp_path / "repo")
    proc = subprocess.run([str(BIN / "mkdocs"), "build"], cwd=root, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    project = api.load(root)
    posts = root / ".notepress" / "docs" / "blog" / "posts"
    assert {p.name for p in posts.glob("*.md")} == {f"{e.slug}.md" for e in _public(project.entries)}
    for e in _public(project.entries):
        assert _h1(_page(root / "site", e)) == e.title
    assert "audited site/" in proc.stderr
    assert not (root / ".site.building").exists()
    found = leaks(site_texts(root / "site"), hidden_needles(project.entries, project.config))
    assert not found, found


def test_incremental_rebuild_writes_nothing(scratch, built):
    n = len(_public(built.entries))
    again = api.build(scratch, engine=built.engine)
    assert f"{n} posts: 0 written, {n} unchanged, 0 removed" in again.posts, again.posts


def test_entry_made_internal_disappears_from_site_and_posts(scratch, built):
    e = next(e for e in built.entries if e.source == UNLINKED_PUBLIC)
    assert _page(scratch / "site", e).is_file()
    src = scratch / UNLINKED_PUBLIC
    text = src.read_text(encoding="utf-8")
    assert "\naudience: public\n" in text
    src.write_text(text.replace("\naudience: public\n", "\naudience: internal\n"), encoding="utf-8")

    result = api.build(scratch, engine=built.engine)
    assert "1 removed" in result.posts, result.posts
    assert not _page(scratch / "site", e).exists()
    assert not (scratch / "site" / _post_url(e)).exists()
    assert not (scratch / ".notepress" / "docs" / "blog" / "posts" / f"{e.slug}.md").exists()
    project = api.load(scratch)
    found = leaks(site_texts(scratch / "site"), hidden_needles(project.entries, project.config))
    assert not found, found


def test_failed_audit_exits_1_and_keeps_the_previous_site(scratch, built):
    site = scratch / "site"
    before_index, before_tree = file_hash(site / "index.html"), tree_bytes(site)
    index = scratch / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + f"\n{NORTHWIND_SENTENCE}\n", encoding="utf-8")

    result = run_cli("-C", str(scratch), "build", "--engine", built.engine)
    out = output(result)
    assert result.exit_code == 1, out
    finding = [line for line in out.splitlines() if "site/index.html" in line]
    assert finding, out
    assert any(NORTHWIND in line for line in finding), out
    assert file_hash(site / "index.html") == before_index
    assert tree_bytes(site) == before_tree
    assert not (scratch / ".site.building").exists()
    assert not (scratch / ".site.old").exists()


def test_customer_names_in_page_markup_fail_the_build(scratch, built):
    """A hand-written page can carry a customer name outside the visible text: its front matter
    description (a <meta> tag), a link title (an attribute), an HTML comment. All three would be
    published, so the build must fail, naming the page's line, and keep the previous site. (The
    audit finds the same in built markup: see test_audit.py's plantings.)"""
    site = scratch / "site"
    before = tree_bytes(site)
    index = scratch / "docs" / "index.md"
    index.write_text("---\ndescription: Notes from Meridian Staffing\n---\n" + index.read_text(encoding="utf-8")
                     + '\n<!-- ask Northwind Logistics first -->\n\n[More](blog/index.md "Kestrel Freight")\n',
                     encoding="utf-8")
    result = run_cli("-C", str(scratch), "build", "--engine", built.engine)
    out = output(result)
    assert result.exit_code == 1, f"customer names published in site/index.html markup:\n{out}"
    lines = index.read_text(encoding="utf-8").split("\n")
    for name in ("Meridian Staffing", "Northwind Logistics", "Kestrel Freight"):
        line = next(i for i, text in enumerate(lines, 1) if name in text)
        assert f'docs/index.md:{line}: markdown: confidential term "{name}"' in out, (name, out)
    assert tree_bytes(site) == before
