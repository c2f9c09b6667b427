"""What crawlers and feed readers find beside the pages of the example's real build, on both
engines: the sitemap against the sitemaps.org protocol (each post's lastmod its update date, no
build day), robots.txt read by the standard library's robots.txt parser, the JSON feeds against
JSON Feed 1.1's table of keys, and feed autodiscovery links on every page."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest
import yaml

from notepress import api

pytestmark = pytest.mark.site

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# sitemaps.org: lastmod in W3C Datetime (a date, or a date and time with its zone)
W3C_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")
CHANGEFREQ = {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"}
FEEDS = {"application/rss+xml": ("feed_rss_created.xml", "feed_rss_updated.xml"),
         "application/feed+json": ("feed_json_created.json", "feed_json_updated.json")}


@pytest.fixture(scope="module")
def example(example_build):
    project = api.load(example_build.root)
    posts = example_build.root / ".notepress" / "docs" / "blog" / "posts"
    updated = {}  # a post's URL -> the update date its generated page says (the feeds' date.updated)
    for entry in project.entries:
        path = posts / f"{entry.slug}.md"
        if path.exists():
            meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
            updated[project.config.site_url + entry.post_path] = meta["date"]["updated"]
    return example_build, project.config.site_url, updated


# -- the sitemap ------------------------------------------------------------------------------------

def _sitemaps(site: Path) -> list[bytes]:
    """sitemap.xml, and the gzipped copy MkDocs writes beside it."""
    found = [(site / "sitemap.xml").read_bytes()]
    if (site / "sitemap.xml.gz").exists():
        found.append(gzip.decompress((site / "sitemap.xml.gz").read_bytes()))
    return found


def test_the_sitemap_follows_the_sitemaps_protocol_and_dates_each_post_by_its_update(example):
    build, site_url, updated = example

    for data in _sitemaps(build.site):
        root = ET.fromstring(data)
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>') and root.tag == f"{SITEMAP_NS}urlset"
        urls = list(root)
        assert 0 < len(urls) <= 50_000 and all(u.tag == f"{SITEMAP_NS}url" for u in urls)
        lastmod = {}
        for url in urls:
            children = [c.tag.removeprefix(SITEMAP_NS) for c in url]
            assert children.count("loc") == 1 and set(children) <= {"loc", "lastmod", "changefreq", "priority"}
            loc = url.findtext(f"{SITEMAP_NS}loc").strip()
            assert loc.startswith(site_url) and len(loc) < 2048, loc  # absolute, on this site
            assert url.findtext(f"{SITEMAP_NS}changefreq", "weekly") in CHANGEFREQ
            assert 0 <= float(url.findtext(f"{SITEMAP_NS}priority", "0.5")) <= 1
            if url.find(f"{SITEMAP_NS}lastmod") is not None:
                lastmod[loc] = url.findtext(f"{SITEMAP_NS}lastmod").strip()
                assert W3C_DATETIME.match(lastmod[loc]), lastmod[loc]
        # A post's lastmod is the update date its page and feed items say; no other page has one
        # (the engine knows only the build's day for them).
        assert lastmod == {url: day.isoformat() for url, day in updated.items()}


def test_the_sitemap_keeps_its_default_namespace_whatever_the_process_registered(tmp_path):
    """ElementTree's prefixes are global: WeasyPrint (imported for a PDF) registers the empty prefix,
    and a sitemap written after it came out as `<ns0:urlset>`."""
    from notepress import site_files

    (tmp_path / "sitemap.xml").write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS[1:-1]}">'
                                          "<url><loc>https://a.example/</loc></url></urlset>\n", encoding="utf-8")
    ET.register_namespace("", "")  # what weasyprint.pdf.metadata does when it is imported
    site_files.sitemap(tmp_path, site_files.Posts("https://a.example/", [], {}))

    written = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert f'<urlset xmlns="{SITEMAP_NS[1:-1]}">' in written and "ns0:" not in written


def test_robots_txt_lets_crawlers_in_and_names_the_sitemap(example):
    build, site_url, _ = example
    robots = RobotFileParser()

    robots.parse((build.site / "robots.txt").read_text(encoding="utf-8").splitlines())

    assert robots.site_maps() == [f"{site_url}sitemap.xml"]
    assert (build.site / urlsplit(robots.site_maps()[0]).path.removeprefix(urlsplit(site_url).path)).is_file()
    assert all(robots.can_fetch("*", site_url + path) for path in ("", "blog/", "feed_rss_created.xml"))


# -- JSON Feed 1.1 ----------------------------------------------------------------------------------

# https://www.jsonfeed.org/version/1.1/: each key's type; `True` marks a required one.
TOP = {"version": (str, True), "title": (str, True), "home_page_url": (str, False), "feed_url": (str, False),
       "description": (str, False), "user_comment": (str, False), "next_url": (str, False), "icon": (str, False),
       "favicon": (str, False), "authors": (list, False), "language": (str, False), "expired": (bool, False),
       "hubs": (list, False), "items": (list, True)}
ITEM = {"id": (str, True), "url": (str, False), "external_url": (str, False), "title": (str, False),
        "content_html": (str, False), "content_text": (str, False), "summary": (str, False), "image": (str, False),
        "banner_image": (str, False), "date_published": (str, False), "date_modified": (str, False),
        "authors": (list, False), "tags": (list, False), "language": (str, False), "attachments": (list, False)}
AUTHOR = {"name": (str, False), "url": (str, False), "avatar": (str, False)}
URL_KEYS = {"home_page_url", "feed_url", "next_url", "icon", "favicon", "url", "external_url", "image",
            "banner_image", "avatar"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def json_feed_problems(feed: dict) -> list[str]:
    """Where `feed` breaks JSON Feed 1.1 (keys, types, required keys, dates, absolute URLs, no null)."""
    problems = []

    def check(obj: dict, table: dict, where: str) -> None:
        for key, value in obj.items():
            if value is None:
                problems.append(f"{where}.{key} is null (a string, or no key)")
            elif key in table and not isinstance(value, table[key][0]):
                problems.append(f"{where}.{key} is {type(value).__name__}, not {table[key][0].__name__}")
            elif key in URL_KEYS and urlsplit(value).scheme not in ("http", "https"):
                problems.append(f"{where}.{key} {value!r} is not an absolute URL")
            elif key.startswith("date_") and not (RFC3339.match(value) and dt.datetime.fromisoformat(value)):
                problems.append(f"{where}.{key} {value!r} is not an RFC 3339 date")
        problems.extend(f"{where}.{k} is missing" for k, (_, required) in table.items() if required and k not in obj)

    check(feed, TOP, "feed")
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"feed.version is {feed.get('version')!r}")
    for n, author in enumerate(feed.get("authors") or []):
        check(author, AUTHOR, f"feed.authors[{n}]")
    for n, item in enumerate(feed.get("items") or []):
        check(item, ITEM, f"items[{n}]")
        if not ({"content_html", "content_text"} & set(item)):
            problems.append(f"items[{n}] has neither content_html nor content_text")
        if not all(isinstance(tag, str) for tag in item.get("tags") or []):
            problems.append(f"items[{n}].tags holds a non-string")
        for m, author in enumerate(item.get("authors") or []):
            check(author, AUTHOR, f"items[{n}].authors[{m}]")
            if not set(author) & set(AUTHOR):
                problems.append(f"items[{n}].authors[{m}] has no name, url or avatar")
    return problems


@pytest.mark.parametrize("name", FEEDS["application/feed+json"])
def test_each_json_feed_is_json_feed_1_1_with_no_null(example, name):
    build, site_url, updated = example

    feed = json.loads((build.site / name).read_text(encoding="utf-8"))

    assert json_feed_problems(feed) == []
    assert {item["url"] for item in feed["items"]} == set(updated)
    assert all(item["id"] == item["url"] for item in feed["items"])
    assert {item["url"]: dt.datetime.fromisoformat(item["date_modified"]).date() for item in feed["items"]} == updated


# -- autodiscovery ----------------------------------------------------------------------------------

class _Alternates(HTMLParser):
    """The feed links in a page's head."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "alternate" in (a.get("rel") or "").split() and a.get("type") in FEEDS:
            self.found.append((a["type"], a.get("title") or "", a.get("href") or ""))


def test_every_page_links_its_rss_and_json_feeds_for_autodiscovery(example):
    build, site_url, _ = example
    pages = sorted(build.site.rglob("*.html"))
    root = urlsplit(site_url).path

    assert len(pages) >= 18
    for page in pages:
        parser = _Alternates()
        parser.feed(page.read_text(encoding="utf-8").split("</head>")[0])
        # where the page is served (404.html links from the site's root)
        at = site_url + page.relative_to(build.site).as_posix().removesuffix("index.html")
        linked = {}
        for kind, title, href in parser.found:
            path = urlsplit(urljoin(at, href)).path.removeprefix(root)
            assert (build.site / path).is_file() and title, (page, href)
            linked.setdefault(kind, set()).add(path)
        assert linked == {kind: set(names) for kind, names in FEEDS.items()}, page
