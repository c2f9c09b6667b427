"""The files of a built site that feed readers and crawlers read, put right in one place for both
engines: `publish.finish` calls `complete` on the staged site, after the engine and before the
audit (so everything written here is audited like the rest).

    complete(stage, site_url, generated, rss_options(settings.data))

- RSS feeds (RSS 2.0, as the W3C Feed Validator reads it): an author is a name, and RSS's
  `author` and `managingEditor` take an email address, so the name goes in `dc:creator`; an item's
  description is HTML whose every URL is absolute (the engines render it from the post's Markdown,
  so a link is relative to the post's source: `other-post.md`, `attachments/…`); a summary, plain
  text, is escaped as HTML; no `xml-stylesheet` (browsers are removing XSLT: the feed is a feed, and
  the site's Subscribe page is the page for people); no `<image>` of `None`.
- JSON feeds (JSON Feed 1.1): no key whose value is null, an item's `id` always a string, and the
  same absolute URLs in `content_html`.
- The sitemap (and MkDocs' gzipped copy): a post's `lastmod` is its update date, the one the post
  and its feed items say; other pages get none (MkDocs writes the build day for every page).
- robots.txt: every page may be crawled, and where the sitemap is (when site_url is set). A
  robots.txt of the writer's own (in docs/) is left as it is.

Feed autodiscovery (`<link rel="alternate">` on every page) is in the theme's main.html, from the
list `feed_links` gives the templates (see site.py and plugin.py). The Subscribe page
(docs/subscribe.md) links the feeds in Markdown from its own file, which both engines turn into a
link that works wherever the site is; `feed_links_zensical_misses` warns, on Zensical, of a page's
link to a feed that Zensical sends elsewhere (the HTML list an earlier notepress init wrote).
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .config import POSTS, Config, hand_written_pages
from .output import write_if_changed
from .problems import NotepressError, Problem

DC = "http://purl.org/dc/elements/1.1/"
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# RSS 2.0's form of a person: an email address, then optionally the name in parentheses.
EMAIL = re.compile(r"^[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+(\s+\([^()]*\))?$")
# The rss plugin writes authors, categories and the site's name unescaped ("P&L" or "a<b" as a
# tag), which no XML reader accepts: RSS's elements that hold only text are escaped again (a `&`
# that starts no entity, and any `<` or `>`, which well-formed text never holds).
BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
RSS_TEXT = re.compile(r"(<(title|link|description|author|category|comments|guid|pubDate|source|managingEditor|"
                      r"webMaster|language|generator|docs|lastBuildDate|ttl|url)(?:\s[^<>]*)?>)(.*?)(</\2>)", re.S)
TAG = re.compile(r"<[A-Za-z][^<>]*>")
URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src|poster|cite)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.I)
MEDIA_ROOT = POSTS.parent.as_posix()  # Material's blog publishes the posts folder's other files here



def _xml(root: ET.Element, default_namespace: str | None = None) -> bytes:
    """`root` as an XML file, its prefixes ours whatever else the process registered with ElementTree
    (its namespace map is global: WeasyPrint, imported for a PDF, takes the empty prefix, and the
    sitemap came out as `ns0:urlset`)."""
    ET.register_namespace("atom", ATOM)
    ET.register_namespace("dc", DC)
    return (XML_DECLARATION + ET.tostring(root, encoding="unicode", default_namespace=default_namespace)
            + "\n").encode("utf-8")


# -- which feeds the site has --------------------------------------------------------------------

@dataclass(frozen=True)
class Feed:
    name: str  # its file, at the site's root
    kind: str  # "rss" or "json"
    updated: bool  # the feed of updated posts (else of new posts)

    @property
    def type(self) -> str:
        return "application/rss+xml" if self.kind == "rss" else "application/feed+json"

    @property
    def title(self) -> str:  # as Material's own links name the RSS feeds
        return f"{'RSS' if self.kind == 'rss' else 'JSON'} feed{' of updated content' if self.updated else ''}"

    def link(self) -> dict:
        """What a template's `<link rel="alternate">` needs."""
        return {"type": self.type, "title": self.title, "href": self.name}


FEED_NAMES = {"rss_created": "feed_rss_created.xml", "rss_updated": "feed_rss_updated.xml",
              "json_created": "feed_json_created.json", "json_updated": "feed_json_updated.json"}


def rss_options(settings: dict) -> dict | None:
    """The rss plugin's options in mkdocs.yml (`settings`, as read), or None when it has none."""
    plugins = settings.get("plugins") or []
    items = plugins.items() if isinstance(plugins, dict) else [
        (p, {}) if isinstance(p, str) else next(iter(p.items()), ("", {})) for p in plugins if p]
    for name, options in items:
        if str(name).split(" #")[0] == "rss":
            return dict(options or {})
    return None


def feed_files(options) -> list[Feed]:
    """The feeds the rss plugin writes with these options (its mkdocs.yml entry, or the MkDocs
    plugin's config; None: no rss plugin, no feeds). Both engines read the same options."""
    if options is None or options.get("enabled", True) is False:
        return []
    names = {**FEED_NAMES, **{k: v for k, v in dict(options.get("feeds_filenames") or {}).items() if v}}
    feeds = []
    for kind in ("rss", "json"):
        if options.get(f"{kind}_feed_enabled", True) is not False:
            feeds += [Feed(str(names[f"{kind}_{when}"]), kind, when == "updated") for when in ("created", "updated")]
    return feeds


# -- the pages that link the feeds ----------------------------------------------------------------

# A link's target as a page's source writes it: an HTML attribute, a Markdown link, a reference.
LINK_TARGET = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))|\]\(\s*<?([^)\s>]+)"""
                         r"""|^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)""", re.I)
# The line of an HTML list as notepress init used to write docs/subscribe.md, and a link in it.
HTML_ITEM = re.compile(r"^\s*(<li>)?(.*?)(?:</li>)?\s*$", re.I)
HTML_LINK = re.compile(r'<a\s+href="([^"<>]*)"(?:\s+type="[^"<>]*")?\s*>([^<>]*)</a>', re.I)


def feed_links_zensical_misses(config: Config, rss: dict | None) -> list[Problem]:
    """Warnings for the links of docs/'s pages to the feeds that do not reach them on Zensical.
    Zensical reads a page's every relative link, Markdown or HTML, from the page's file in docs/
    (MkDocs, an HTML one from the page's address): docs/subscribe.md's `../feed_rss_created.xml`,
    as notepress init used to write it, is `../../feed_rss_created.xml` on the page subscribe/,
    outside a site in a folder of its host. The form both engines make right is a Markdown link
    from the page's file (the MkDocs plugin lists the feeds among MkDocs' files: see plugin.py);
    each warning gives it, as the whole line when the line is a simple one of an HTML list."""
    feeds = {f.name: f for f in feed_files(rss)}
    problems = []
    for path in hand_written_pages(config) if feeds else []:
        page = path.relative_to(config.docs_dir).as_posix()
        shown = Path(os.path.relpath(path, config.root)).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), 1):
            for m in LINK_TARGET.finditer(line):
                url = html.unescape(next(g for g in m.groups() if g is not None))
                feed = feeds.get(posixpath.basename(urlsplit(url).path))
                missed = _missed(url, page, feed.name, config.site_url) if feed else None
                if missed:
                    problems.append(Problem(shown, number, "", f"on Zensical the link {url} leads {missed}, not to "
                                            "the feed: Zensical reads a page's links from its file in docs/",
                                            _fix(line, page, feed, feeds), "warning"))
    return problems


def _fix(line: str, page: str, feed: Feed, feeds: dict[str, Feed]) -> str:
    why = "both engines make a Markdown link from the page's file right, wherever the site is"
    whole = _as_markdown(line, page, feeds)
    if whole:
        return f"write the list in Markdown, without <ul> and </ul>: {why}; this line as: {whole}"
    return f"write the link in Markdown, outside any HTML block: {why}; as {_markdown_link(feed, page)}"


def _missed(url: str, page: str, name: str, site_url: str) -> str | None:
    """Where Zensical sends `url`, a link of docs/`page` to the feed `name`, when that is not the
    feed (its address under site_url, or where it is in docs/); else None."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    if target == name:
        return None
    if site_url:  # at the root of its host, a link climbing out of the site stops there: it works
        address = urljoin(site_url, target)
        return None if address == urljoin(site_url, name) else f"to {address}"
    return "out of the site's folder" if target.startswith("../") else f"to docs/{target}"


def _markdown_link(feed: Feed, page: str, text: str = "") -> str:
    link = posixpath.relpath(feed.name, posixpath.dirname(page) or ".")
    return f'[{text or feed.title}]({link}){{ type="{feed.type}" }}'


def _as_markdown(line: str, page: str, feeds: dict[str, Feed]) -> str | None:
    """`line` of an HTML list as a line of a Markdown one (an item's next line indented under it),
    its feed links as `_markdown_link`s; None when it holds anything else HTML."""
    item = HTML_ITEM.match(line)

    def link(a: re.Match) -> str:
        feed = feeds.get(posixpath.basename(urlsplit(html.unescape(a.group(1))).path))
        return _markdown_link(feed, page, a.group(2).strip()) if feed else a.group()

    text = HTML_LINK.sub(link, item.group(2))
    return None if "<" in text or text == item.group(2) else ("- " if item.group(1) else "  ") + text


# -- the posts, as the feeds and the sitemap name them ------------------------------------------------

class Posts:
    """The generated posts by their public address (or, without site_url, by title), and the
    public address of anything a post's source links."""

    def __init__(self, site_url: str, listing: list[dict], updated: dict[str, dt.date]):
        self.base = site_url or ""  # without one, addresses are relative to the site's root
        self.listing = listing
        self.updated = updated
        self.by_url = {self.base + p["url"]: p for p in listing}
        titles = [p["title"] for p in listing]
        self.by_title = {p["title"]: p for p in listing if titles.count(p["title"]) == 1}
        self.by_file = {p["file"]: p for p in listing}

    def find(self, url: str | None, title: str | None) -> dict | None:
        return self.by_url.get(url or "") or (None if url else self.by_title.get(title or ""))

    def html(self, text: str, post: dict | None) -> str:
        """A description as HTML with absolute URLs: a post's summary is plain text (escaped);
        any other is the engine's HTML of the post's excerpt."""
        if post is not None and post.get("summary") and text.strip() == post["summary"].strip():
            return html.escape(text, quote=False)
        return TAG.sub(lambda tag: URL_ATTRIBUTE.sub(lambda m: self._attribute(m, post), tag.group()), text)

    def _attribute(self, m: re.Match, post: dict | None) -> str:
        value = m.group(2)
        quoted = value[:1] in "\"'"
        url = html.unescape(value[1:-1] if quoted else value)
        return f'{m.group(1)}"{html.escape(self.absolute(url, post))}"'

    def absolute(self, url: str, post: dict | None) -> str:
        """`url`, written in the Markdown of `post`'s generated source (blog/posts/<file>), as the
        public address the engine gives it (a post another post links by its address, as for
        Zensical, keeps its closing slash: see blog.post_link)."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("//"):
            return url
        tail = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        if not parts.path:  # "#heading": on the post itself
            return (self.base + post["url"] + tail) if post else url
        if parts.path.startswith("/"):
            return urljoin(self.base, url) if self.base else url
        target = posixpath.normpath(posixpath.join(POSTS.as_posix(), parts.path))
        folder = "/" if parts.path.endswith("/") and target != "." else ""
        return self.base + self.public_path(target) + folder + tail

    def public_path(self, source: str) -> str:
        """A file of the docs the engine builds (relative to them) -> its address from the site's root."""
        folder = POSTS.as_posix() + "/"
        if source.startswith(folder) and source[len(folder):] in self.by_file:
            return self.by_file[source[len(folder):]]["url"]
        if source.endswith(".md"):  # a page: MkDocs' and Zensical's directory URLs
            page = source[:-3]
            stem = posixpath.basename(page)
            return (posixpath.dirname(page) + "/" if stem in ("index", "README") else page + "/").lstrip("/")
        if source.startswith(folder):
            return f"{MEDIA_ROOT}/{source[len(folder):]}"
        return source


# -- the whole of it ---------------------------------------------------------------------------------

def complete(stage: Path, site_url: str, generated, rss: dict | None) -> None:
    """Put the feeds, the sitemap and robots.txt of the site built in `stage` right (see above).
    `generated` is the build's blog.Generated; `rss` the rss plugin's options in mkdocs.yml."""
    posts = Posts(site_url, generated.listing, generated.updated)
    for feed in feed_files(rss):
        path = stage / feed.name
        if path.is_file():
            (rss_feed if feed.kind == "rss" else json_feed)(path, posts)
    sitemap(stage, posts)
    robots(stage, site_url)


def _well_formed(text: str) -> str:
    text = RSS_TEXT.sub(lambda m: m.group(1) + _escaped(m.group(3)) + m.group(4), text)
    return BARE_AMPERSAND.sub("&amp;", text)  # in attributes too


def _escaped(text: str) -> str:
    return BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def _parsed(path: Path, parse):
    """The file as `parse` reads it; a file the engine wrote broken is one problem, not a traceback."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (ET.ParseError, ValueError) as e:
        raise NotepressError(Problem(path.name, 0, "", f"the site engine wrote it broken ({e}): nothing was published",
                                     "report it to notepress, with the titles, tags and authors of the newest posts"))


def rss_feed(path: Path, posts: Posts) -> None:
    root = _parsed(path, lambda text: ET.fromstring(_well_formed(text)))  # no xml-stylesheet, no comments kept
    channel = root.find("channel")
    if channel is None:
        return
    for editor in channel.findall("managingEditor") + channel.findall("webMaster"):
        if not EMAIL.match((editor.text or "").strip()):
            editor.tag = f"{{{DC}}}creator"
    for image in channel.findall("image"):
        if (image.findtext("url") or "").strip() in ("", "None"):
            channel.remove(image)
    for item in channel.iter("item"):
        post = posts.find(item.findtext("link"), item.findtext("title"))
        for author in item.findall("author"):
            if not EMAIL.match((author.text or "").strip()):
                author.tag = f"{{{DC}}}creator"
        description = item.find("description")
        if description is not None and description.text:
            description.text = posts.html(description.text, post)
    write_if_changed(path, _xml(root))


def json_feed(path: Path, posts: Posts) -> None:
    feed = _parsed(path, json.loads)
    for item in feed.get("items") or []:
        post = posts.find(item.get("url"), item.get("title"))
        if item.get("id") is None and post is not None:  # required, a string: the post's address
            item["id"] = posts.base + post["url"]
        if isinstance(item.get("content_html"), str):
            item["content_html"] = posts.html(item["content_html"], post)
    write_if_changed(path, (json.dumps(_no_nulls(feed), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def _no_nulls(value):
    """`value` without the keys whose value is null (JSON Feed: a string, or no key at all)."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value if v is not None]
    return value


def sitemap(stage: Path, posts: Posts) -> None:
    """Each post's `lastmod` its update date; no other page's (the engine knows none but the build's)."""
    path = stage / "sitemap.xml"
    if not path.is_file():
        return
    root = _parsed(path, ET.fromstring)
    for url in root.iter(f"{{{SITEMAP}}}url"):
        for old in url.findall(f"{{{SITEMAP}}}lastmod"):
            url.remove(old)
        post = posts.by_url.get((url.findtext(f"{{{SITEMAP}}}loc") or "").strip())
        if post is not None and post["url"] in posts.updated:
            lastmod = ET.Element(f"{{{SITEMAP}}}lastmod")
            lastmod.text = posts.updated[post["url"]].isoformat()
            url.insert(1, lastmod)  # after loc, as the protocol lists them
    ET.indent(root)
    data = _xml(root, default_namespace=SITEMAP)
    write_if_changed(path, data)
    packed = stage / "sitemap.xml.gz"
    if packed.is_file():  # MkDocs' copy says the same
        write_if_changed(packed, gzip.compress(data, mtime=0))


ROBOTS = "# Written by notepress: every page may be crawled.\nUser-agent: *\nDisallow:\n"


def robots(stage: Path, site_url: str) -> None:
    """robots.txt, naming the sitemap by its absolute address (none without site_url); the
    writer's own, from docs/, is kept."""
    path = stage / "robots.txt"
    if path.exists():
        return
    sitemap_line = f"\nSitemap: {site_url}sitemap.xml\n" if site_url and (stage / "sitemap.xml").is_file() else ""
    write_if_changed(path, (ROBOTS + sitemap_line).encode("utf-8"))
