"""The feeds of a real build: each item dated by its entry, never the build time, and no `None`;
a build without site_url says once what that breaks; `init --site-url` sets it. The RSS feeds as a
feed reader reads them (feedparser) and by the RSS 2.0 rules the W3C Feed Validator applies that
feedparser does not (an author is an email address, the channel's required elements, RFC 822
dates, absolute links, in descriptions too); feeds that are feeds, not XSLT pages, with a
Subscribe page for people."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from conftest import FIXTURES, isolate_git_config
from e2e_helpers import TODAY, run_cli
from notepress import api, publish
from notepress.publish import NO_SITE_URL


pytestmark = pytest.mark.usefixtures("empty_git_config")


def init(root: Path, *args: str) -> Path:
    result = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li", *args)
    assert result.exit_code == 0, result.output
    return root


def build(root: Path, engine: str):
    result = run_cli("-C", str(root), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    return result


def backdated_init(root: Path) -> Path:
    """An init repo whose entries are dated weeks ago, so a build-time pubDate cannot pass for theirs."""
    init(root)
    for path in (root / "posts").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        old = next(line for line in text.splitlines() if line.startswith("date: "))
        day = dt.date.fromisoformat(old.removeprefix("date: ")) - dt.timedelta(days=40)
        path.write_text(text.replace(old, f"date: {day}", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def plain_init(tmp_path_factory, engine):
    """A repo as `notepress init` makes it (no site_url), built once for the module's tests that
    only read it (with no git config, as `empty_git_config`)."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git_config(mp, tmp_path_factory.mktemp("gitconfig"))
        root = init(tmp_path_factory.mktemp("plain") / "notes")
        return root, build(root, engine)


@pytest.mark.site
@pytest.mark.parametrize("repo", ["init", "example"])
def test_each_feed_item_is_dated_by_its_entry(repo, tmp_path, engine, request):
    if repo == "init":
        root = backdated_init(tmp_path / "notes")
        build(root, engine)
    else:
        root = request.getfixturevalue("example_build").root
    dates = {e.title: e.date for e in api.load(root).entries}

    items = ET.parse(root / "site" / "feed_rss_created.xml").getroot().iter("item")
    published = {i.findtext("title"): parsedate_to_datetime(i.findtext("pubDate")).date() for i in items}

    assert published and all(day < TODAY for day in published.values())
    assert published == {title: dates[title] for title in published}


@pytest.mark.site
@pytest.mark.parametrize("repo", ["init", "example"])
def test_no_feed_says_none(repo, engine, request):
    root = request.getfixturevalue("plain_init")[0] if repo == "init" else request.getfixturevalue("example_build").root

    feeds = sorted((root / "site").glob("feed_*"))

    assert len(feeds) == 4
    for feed in feeds:
        assert "None" not in feed.read_text(encoding="utf-8"), feed.name
    ET.parse(root / "site" / "feed_rss_created.xml")  # still well-formed XML


@pytest.mark.site
def test_a_build_without_site_url_warns_once_naming_what_breaks(plain_init, example_build):
    warned, quiet = plain_init[1], example_build.result

    assert warned.stderr.splitlines().count(f"warning: {NO_SITE_URL}") == 1
    assert "site_url" not in quiet.stderr


@pytest.fixture(scope="module")
def site_url_init(init_site):
    """`init --site-url` (a site in a folder of its host), with an essay that has no summary, links
    two posts, a heading of its own and an image beside it (tests/fixtures/feeds/): conftest's
    init_site, built once per engine."""
    return init_site.root, init_site.settings, init_site.result


@pytest.mark.site
def test_init_site_url_goes_into_notepress_yml_and_the_feed(site_url_init):
    root, settings, result = site_url_init

    assert settings["site_url"] == "https://ana.github.io/notes/"
    assert "site_url" not in result.stderr
    links = [el.text for el in ET.parse(root / "site" / "feed_rss_created.xml").getroot().iter("link")]
    assert any(link.startswith("https://ana.github.io/notes/blog/") for link in links)


# -- RSS 2.0, as readers and the W3C Feed Validator read it -----------------------------------------

RSS_FEEDS = ("feed_rss_created.xml", "feed_rss_updated.xml")
DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
EMAIL = re.compile(r"^[^@\s()]+@[^@\s()]+\.[^@\s()]+( \([^()]*\))?$")  # RSS 2.0: "maya@example.com (Maya)"
RFC822 = re.compile(r"^((Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"(\d{2}|\d{4}) \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z])$")


class _Urls(HTMLParser):
    """Every URL an HTML fragment's elements carry."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("href", "src", "poster", "cite") and value]


def html_urls(fragment: str) -> list[str]:
    parser = _Urls()
    parser.feed(fragment)
    return parser.urls


def _absolute(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


def rss_problems(data: bytes) -> list[str]:
    """The RSS 2.0 rules the W3C Feed Validator applies and feedparser does not check."""
    problems = []
    if b"<?xml-stylesheet" in data:
        problems.append("an xml-stylesheet: browsers are removing XSLT")
    root = ET.fromstring(data)
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return problems + ["not an RSS 2.0 document"]
    for required in ("title", "link", "description"):
        if not (channel.findtext(required) or "").strip():
            problems.append(f"channel has no {required}")
    people = [(el.tag, el.text) for el in [*channel.findall("managingEditor"), *channel.findall("webMaster"),
                                            *channel.findall("item/author")]]
    problems += [f"{tag} {text!r} is not an email address" for tag, text in people if not EMAIL.match(text or "")]
    for el in [*channel.findall("pubDate"), *channel.findall("lastBuildDate"), *channel.findall("item/pubDate")]:
        if not (RFC822.match(el.text or "") and parsedate_to_datetime(el.text)):
            problems.append(f"{el.tag} {el.text!r} is not an RFC 822 date")
    links = [channel.findtext("link"), *(el.get("href") for el in channel.iter(f"{ATOM}link")),
             *(el.text for el in channel.findall("item/link")), *(el.get("url") for el in channel.iter("source")),
             *(el.get("url") for el in channel.iter("enclosure")), *(el.text for el in channel.iter("comments")),
             *(el.text for el in channel.findall("item/guid") if el.get("isPermaLink", "true") == "true"),
             *(url for el in channel.findall("item/description") for url in html_urls(el.text or ""))]
    problems += [f"{url!r} is not an absolute URL" for url in links if not _absolute(url)]
    for n, item in enumerate(channel.findall("item")):
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"item {n} has neither title nor description")
    return problems


@pytest.mark.site
@pytest.mark.parametrize("repo", ["example", "site_url_init"])
@pytest.mark.parametrize("name", RSS_FEEDS)
def test_each_rss_feed_reads_in_feedparser_and_passes_the_rss_2_rules(repo, name, engine, request):
    root = request.getfixturevalue("example_build").root if repo == "example" else \
        request.getfixturevalue(repo)[0]
    data = (root / "site" / name).read_bytes()
    authors = {a.name for a in api.load(root).config.authors}

    parsed = feedparser.parse(data)

    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20" and parsed.entries
    assert all(entry.author in authors for entry in parsed.entries)  # named, in dc:creator
    assert rss_problems(data) == []


def _public_path(root: Path, url: str) -> Path:
    """The built file a public address of the init site names."""
    path = urlsplit(url).path.removeprefix("/notes/")
    return root / "site" / (path + "index.html" if path.endswith("/") or not path else path)


@pytest.mark.site
def test_a_description_without_a_summary_is_html_whose_links_go_where_the_post_points(site_url_init):
    root, settings, _ = site_url_init
    site = settings["site_url"]
    post = next(e for e in api.load(root).entries if e.title == "Notes without a summary, on P&L")
    rss = ET.parse(root / "site" / "feed_rss_created.xml").getroot()
    item = next(i for i in rss.iter("item") if i.findtext("title") == post.title)
    json_item = next(i for i in json.loads((root / "site" / "feed_json_created.json").read_text(encoding="utf-8"))["items"]
                     if i["title"] == post.title)

    for description in (item.findtext("description"), json_item["content_html"]):
        urls = html_urls(description)
        assert "<strong>no summary</strong>" in description and len(urls) == 4, description
        assert all(_absolute(url) and url.startswith(site) for url in urls), urls
        assert [urlsplit(url).fragment for url in urls[:3]] == ["", "what-surprised-me", "what-came-next"]
        assert urls[2] == site + post.post_path + "#what-came-next"
        for url in urls:  # every one is a page or file of the built site, never a source's .md
            assert _public_path(root, url).is_file() and ".md" not in url, url
        page = _public_path(root, urls[1]).read_text(encoding="utf-8")
        assert 'id="what-surprised-me"' in page


@pytest.mark.site
def test_a_summary_is_escaped_as_html_in_the_feeds(example_build):
    entry = next(e for e in api.load(example_build.root).entries if "P&L" in (e.summary or "") and e.audience == "public")
    rss = ET.parse(example_build.site / "feed_rss_created.xml").getroot()

    description = next(i.findtext("description") for i in rss.iter("item") if i.findtext("title") == entry.title)

    assert description == entry.summary.replace("&", "&amp;")  # HTML, whose text is the summary


@pytest.mark.site
def test_the_feeds_are_feeds_and_a_subscribe_page_is_for_people(example_build):
    site = example_build.site
    page = (site / "subscribe" / "index.html").read_text(encoding="utf-8")
    linked = {urlsplit(urljoin("https://x/subscribe/", url)).path.lstrip("/") for url in html_urls(page)}

    for name in (*RSS_FEEDS, "feed_json_created.json", "feed_json_updated.json"):
        assert b"xml-stylesheet" not in (site / name).read_bytes()
        assert name in linked, name
    assert not list(site.glob("*.xsl"))  # nothing left of the feed's browser page
    home = html_urls((site / "index.html").read_text(encoding="utf-8"))
    assert "/subscribe/" in {urlsplit(urljoin("https://x/", url)).path for url in home}


def test_an_earlier_subscribe_page_is_told_on_zensical_the_lines_that_work_on_both_engines(init_copy, cli):
    """docs/subscribe.md as notepress init wrote it before (an HTML list, links from the page's
    address) works on MkDocs; on Zensical, which reads them from the page's file, they leave a site
    in a folder of its host. check and the build warn, each line with the line that works on both
    engines: the page init writes now (LinkChecker follows its links at /notes/ on both)."""
    init = Path(api.__file__).parent / "templates" / "init" / "docs" / "subscribe.md"
    page = init_copy / "docs" / "subscribe.md"
    shutil.copy(FIXTURES / "subscribe" / "html-list.md", page)
    settings = init_copy / "notepress.yml"
    text = settings.read_text(encoding="utf-8").replace("https://ana.example/", "https://ana.github.io/notes/")
    settings.write_text(text, encoding="utf-8")
    assert api.check(init_copy).warnings == []  # notepress.yml says engine: mkdocs

    settings.write_text(text.replace("engine: mkdocs", "engine: zensical"), encoding="utf-8")
    warned = [p for p in api.check(init_copy).warnings if p.path == "docs/subscribe.md"]
    lines = page.read_text(encoding="utf-8").split("\n")

    assert [p.line for p in warned] == [8, 9, 10, 11]  # one link to a feed on each
    assert "../feed_rss_created.xml leads to https://ana.github.io/feed_rss_created.xml," in warned[0].message
    assert [str(p) for p in warned] == publish.build_warnings(api.load(init_copy), "zensical")
    assert publish.build_warnings(api.load(init_copy), "mkdocs") == []
    for problem in warned:
        lines[problem.line - 1] = problem.fix.split("; this line as: ")[1]
    page.write_text("\n".join(line for line in lines if line not in ("<ul>", "</ul>")), encoding="utf-8")
    assert page.read_bytes() == init.read_bytes()
    assert cli("-C", init_copy, "check").output.startswith("checked 4 entries: no errors\n")


@pytest.mark.site
def test_without_site_url_robots_txt_names_no_sitemap_and_json_items_have_string_ids(plain_init):
    root = plain_init[0]
    robots = (root / "site" / "robots.txt").read_text(encoding="utf-8")
    feed = json.loads((root / "site" / "feed_json_created.json").read_text(encoding="utf-8"))

    assert "User-agent: *" in robots.splitlines() and "Sitemap" not in robots
    assert "robots.txt" in NO_SITE_URL  # the build's one warning says so (see above)
    assert feed["items"] and all(isinstance(item["id"], str) and item["id"] for item in feed["items"])
    assert "null" not in json.dumps(feed)


@pytest.mark.parametrize("url", ["ana.github.io/notes", "ftp://ana.example/", "/notes/"])
def test_init_refuses_a_site_url_that_is_not_absolute_http(url, tmp_path, cli):
    result = cli("init", tmp_path / "notes", "--site-url", url)

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"--site-url: {url!r} is not an absolute http(s) URL "
                                             "(write it like https://you.github.io/notes/)")
    assert not (tmp_path / "notes").exists()
