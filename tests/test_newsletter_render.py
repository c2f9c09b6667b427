"""Rendering an issue: the plain text against a golden file, the HTML as mail clients need it (CSS
inlined, preheader, absolute links, explicit colours), sanitized entry text, entry links, the MIME
message, and subject and preheader from the config templates.

Fixture repos: tests/fixtures/newsletter/quarter/ (a normal period, with a golden email.txt) and
tests/fixtures/newsletter/hostile/ (markup, scripts and entry links in internal entries).
"""

from __future__ import annotations

import datetime as dt
import email
import re
import shutil
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest

from notepress import api
from notepress.audience import Reader, gate
from notepress.newsletter.compose import compose
from notepress.newsletter.draft import draft
from notepress.newsletter.render import render


def team(project):
    """The team's view, as `newsletter draft` gates it."""
    return gate(project.entries, project.config, Reader.TEAM)

NEWSLETTER_FIXTURES = Path(__file__).parent / "fixtures" / "newsletter"
NOV_1, NOV_14 = dt.date(2026, 11, 1), dt.date(2026, 11, 14)
NOW = dt.datetime(2026, 11, 15, 9, 30, tzinfo=dt.timezone.utc)
SITE = "https://example.test/team-notes/"
PNL_URL = SITE + "blog/2026/10/02/what-the-payments-pnl-taught-me-about-pricing-and-payment-mix/"
ABSOLUTE = re.compile(r"^(https?://[^\s/]+|mailto:)", re.I)
HOSTILE = ["<script", "</script", "<iframe", "onerror", "javascript:", "alert("]


def drafted(tmp_path_factory, name: str):
    """Copy fixture repo `name`, draft the Nov 1-14 issue with a fixed clock; return (project, folder)."""
    root = tmp_path_factory.mktemp(name) / name
    shutil.copytree(NEWSLETTER_FIXTURES / name, root)
    project = api.load(root)
    record = draft(team(project), since=NOV_1, until=NOV_14, today=NOV_14, now=NOW)
    return project, record


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    return drafted(tmp_path_factory, "quarter")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return drafted(tmp_path_factory, "hostile")


def files(record) -> tuple[str, str, bytes]:
    folder = record.folder
    return ((folder / "index.html").read_text(encoding="utf-8"), (folder / "email.txt").read_text(encoding="utf-8"),
            (folder / "message.eml").read_bytes())


def parts(eml: bytes):
    msg = email.message_from_bytes(eml, policy=policy.default)
    return msg, [p for p in msg.iter_parts()]


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside the first element of <body>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.in_body = False
        self.first: tuple[str, dict[str, str]] | None = None
        self.first_depth = 0
        self.first_text: list[str] = []
        self.anchors: list[tuple[dict[str, str], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "a":
            self.anchors.append((a, []))
        if self.first is not None and self.first_depth:
            self.first_depth += 1
        if tag == "body":
            self.in_body = True
        elif self.in_body and self.first is None:
            self.first, self.first_depth = (tag, a), 1

    def handle_endtag(self, tag):
        if tag == "a" and self.anchors:
            self.anchors[-1][1].append("\0")  # closed
        if self.first_depth:
            self.first_depth -= 1

    def handle_data(self, data):
        if self.first_depth:
            self.first_text.append(data)
        if self.anchors and "\0" not in self.anchors[-1][1]:
            self.anchors[-1][1].append(data)

    def of(self, name: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == name]

    def links(self) -> list[tuple[str, str]]:
        """(href, text) of every <a>."""
        return [(a.get("href", ""), "".join(t for t in text if t != "\0")) for a, text in self.anchors]


# --- the plain text, golden --------------------------------------------------------------------------------------


def test_plain_text_matches_the_golden_file(quarter):
    """expected/email.txt was generated once and read line by line: counts, changes, quotes, order,
    links and wrapping are what a reader should get (text wrapped at 72 columns, indented by 2)."""
    _, record = quarter
    expected = (NEWSLETTER_FIXTURES / "quarter" / "expected" / "email.txt").read_text(encoding="utf-8")
    assert (record.folder / "email.txt").read_text(encoding="utf-8") == expected


def test_wrapped_plain_text_stays_within_its_width(quarter):
    """Learnings and next steps are wrapped at 72 columns (+2 indent): the "Next step (due ...):" label
    must count in the first line, or that line runs to 100 columns."""
    _, record = quarter
    text = (record.folder / "email.txt").read_text(encoding="utf-8")
    learned = text.split("WHAT I LEARNED", 1)[1].split("NEW ON THE BLOG", 1)[0]
    long = [line for line in learned.splitlines() if len(line) > 74 and not ABSOLUTE.match(line.strip())]
    assert long == []


# --- the HTML ----------------------------------------------------------------------------------------------------


def test_css_is_inlined_and_only_the_media_rule_stays_in_a_style_tag(quarter):
    _, record = quarter
    html, _, _ = files(record)
    tags = Tags(html)
    for name in ("body", "table", "td", "h1", "h2", "h3", "p", "a", "blockquote", "span"):
        found = tags.of(name)
        assert found, f"no <{name}> in the issue"
        assert all(a.get("style") for a in found), f"a <{name}> has no inline style"
    styles = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
    assert "@media" in "".join(styles)
    assert "max-width: 620px" in "".join(styles)
    assert not tags.of("link"), "no <link> at all: no remote stylesheet"
    assert not re.search(r"@import|url\(", html)


def test_a_hidden_preheader_comes_first_in_the_body(quarter):
    _, record = quarter
    html, _, _ = files(record)
    tags = Tags(html)
    assert tags.first is not None
    _, attrs = tags.first
    style = attrs.get("style", "").replace(" ", "")
    assert "display:none" in style and "max-height:0" in style
    assert "".join(tags.first_text).strip() == record.preheader
    assert record.preheader == "6 customers and 5 themes from Nov 1 to Nov 14, 2026"


def test_every_link_is_absolute(quarter):
    _, record = quarter
    html, _, _ = files(record)
    tags = Tags(html)
    hrefs = [a["href"] for t, a in tags.tags if "href" in a]
    assert hrefs
    assert [h for h in hrefs if not ABSOLUTE.match(h)] == []
    assert "mailto:ana@example.test?subject=unsubscribe" in hrefs
    assert SITE + "blog/2026/11/10/counting-customers/" in hrefs
    assert "https://tickets.example.test/104" in hrefs
    assert [a["src"] for t, a in tags.tags if "src" in a and not ABSOLUTE.match(a["src"])] == []


def test_body_and_main_table_set_background_and_text_colours(quarter):
    _, record = quarter
    html, _, _ = files(record)
    tags = Tags(html)

    def colours(attrs):
        style = attrs.get("style", "").replace(" ", "")
        return re.search(r"(^|;)background-color:#[0-9a-f]{3,6}", style), re.search(r"(^|;)color:#[0-9a-f]{3,6}", style)

    body = tags.of("body")[0]
    assert all(colours(body)), body
    sheet = next(a for a in tags.of("table") if "sheet" in a.get("class", ""))
    assert all(colours(sheet)), sheet
    assert sheet.get("bgcolor") and sheet.get("width") == "600"


def test_the_gate_holds_in_every_rendered_file(quarter):
    _, record = quarter
    html, text, eml = files(record)
    _, (plain, rich) = parts(eml)
    for needle in ("Secretco", "Quietco", "Draftwood", "Draftpub", "Zephyr", "Hiddenco", "Drafton",
                   "PRIVATE", "DRAFT", "Draft essay about pricing", "Internal essay on the roadmap",
                   "October learning text"):
        for name, content in (("index.html", html), ("email.txt", text), ("text part", plain.get_content()),
                              ("html part", rich.get_content())):
            assert needle not in content, f"{needle!r} in {name}"


# --- sanitizing and escaping -------------------------------------------------------------------------------------


def test_hostile_markup_in_a_learning_never_reaches_the_html(hostile):
    _, record = hostile
    html, _, eml = files(record)
    _, (_, rich) = parts(eml)
    for name, content in (("index.html", html), ("message.eml html part", rich.get_content())):
        lowered = content.lower()
        assert [h for h in HOSTILE if h in lowered] == [], name
    tags = Tags(html)
    assert not tags.of("script") and not tags.of("iframe")
    assert not [a for t, a in tags.tags if any(k.startswith("on") for k in a)]
    # what the writer meant stays readable
    assert "Macros carry markup:" in html and "from macros." in html


def test_hostile_markup_never_reaches_the_message(hostile):
    """message.eml as a whole: the plain-text part is generated from the same Markdown, and must
    not carry the script, iframe, event handler or javascript: link either."""
    _, record = hostile
    _, _, eml = files(record)
    _, (plain, rich) = parts(eml)
    for name, content in (("text/plain part", plain.get_content()), ("text/html part", rich.get_content())):
        lowered = content.lower()
        assert [h for h in HOSTILE if h in lowered] == [], name
    assert "Macros carry markup:" in plain.get_content()


def test_links_in_entry_text_are_absolute_in_the_html(hostile):
    """A root-relative Markdown link ([the guide](/guide/payments/)) and <img src=x> would be broken
    in every mail client: an email may only hold absolute http(s)/mailto links."""
    _, record = hostile
    html, _, _ = files(record)
    tags = Tags(html)
    relative = [(t, a.get("href") or a.get("src")) for t, a in tags.tags
                if (a.get("href") or a.get("src")) and not ABSOLUTE.match(a.get("href") or a.get("src"))]
    assert relative == []


def test_markup_in_titles_quotes_and_summaries_is_escaped(hostile):
    _, record = hostile
    html, _, _ = files(record)
    assert "“We &lt;b&gt;really&lt;/b&gt; need this &amp; more”" in html
    assert "Why &lt;b&gt;bold&lt;/b&gt; claims need counts" in html  # a public post's title
    assert "A &lt;i&gt;short&lt;/i&gt; essay." in html  # its summary
    assert "&lt;i&gt;smb&lt;/i&gt;" in html  # a segment
    assert "Acme &amp; Sons" in html
    tags = Tags(html)
    assert not tags.of("b") and not tags.of("i"), "user text was rendered as markup"


def test_entry_links_point_to_public_posts_only(hostile):
    _, record = hostile
    html, _, _ = files(record)
    links = Tags(html).links()
    assert (PNL_URL, "What the payments P&L taught me about pricing") in links  # [[slug]]: the target's title
    assert (PNL_URL, "the P&L post") in links  # [[slug|label]]
    # the internal essay and the private learning: plain text, no link, no address built from the slug
    assert "This builds on" in html and "which stay in-house" in html
    assert "roadmap-notes and falconridge-plans which stay in-house" in re.sub(r"<[^>]+>", "", html)
    assert "not the plans." in html
    for href, _ in links:
        assert "roadmap-notes" not in href and "falconridge" not in href
    assert "Falconridge acquisition worries" not in html  # the private target's title
    assert "PRIVATE FALCONRIDGE LEARNING" not in html


def test_entry_links_in_plain_text_keep_whole_addresses(hostile):
    """A link's address must survive wrapping in one piece (no break inside it, none at its hyphens)."""
    _, record = hostile
    _, text, _ = files(record)
    assert f"<{PNL_URL}>" in text
    assert "roadmap-notes and" in text.replace("\n  ", " ")
    assert "falconridge-plans which stay in-house" in text.replace("\n  ", " ")
    assert "Falconridge acquisition worries" not in text


# --- the MIME message --------------------------------------------------------------------------------------------


def test_message_is_multipart_alternative_text_then_html_with_list_headers(quarter):
    project, record = quarter
    html, text, eml = files(record)
    msg, (plain, rich) = parts(eml)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert plain.get_content().replace("\r\n", "\n") == text
    assert rich.get_content().replace("\r\n", "\n").rstrip("\n") == html.rstrip("\n")  # MIME ends a part with \n
    assert msg["From"] == "Ana Lima <ana@example.test>"
    assert msg["To"] == "Ana Lima <ana@example.test>"
    assert msg["Reply-To"] == "ana@example.test"
    assert msg["Subject"] == record.subject == "Customer notes #1: reconciliation leads"
    assert msg["Date"] == "Sun, 15 Nov 2026 09:30:00 +0000"
    assert re.fullmatch(r"<[^@<>\s]+@example\.test>", msg["Message-ID"])
    assert msg["List-Id"] == '"Customer notes" <customer-notes.example.test>'
    assert msg["List-Unsubscribe"] == "<mailto:ana@example.test?subject=unsubscribe>"
    assert all(len(line) <= 998 for line in eml.split(b"\r\n"))


def test_subject_and_preheader_follow_the_config_templates(quarter):
    project, record = quarter
    html, _, _ = files(record)
    # notepress.yml: subject "{title} #{number}: {top_theme} leads", preheader "{customers} customers and
    # {themes} themes from {period}"
    assert record.subject == "Customer notes #1: reconciliation leads"
    assert f"<title>{record.subject}</title>" in html
    issue = compose(team(project), 7, dt.date(2026, 11, 8), NOV_14)
    rendered = render(issue, team(project), NOW)
    assert rendered.subject == "Customer notes #7: reconciliation leads"
    assert rendered.preheader == "3 customers and 2 themes from Nov 8 to Nov 14, 2026"  # Northwind, Kestrel, Tallis
    assert rendered.text.startswith("Customer notes #7\nNov 8 to Nov 14, 2026\n")


def test_default_subject_uses_number_and_top_theme(hostile):
    _, record = hostile
    assert record.subject == "Customer notes #1: exports"
    assert record.preheader.endswith("Nov 1 to Nov 14, 2026")


def test_a_template_in_the_writing_repo_overrides_the_packaged_one(tmp_path):
    """templates/ in the writing repo wins over the package's templates, file by file."""
    root = tmp_path / "quarter"
    shutil.copytree(NEWSLETTER_FIXTURES / "quarter", root)
    (root / "templates").mkdir()
    (root / "templates" / "newsletter.txt.jinja").write_text(
        "Team digest {{ issue.number }}: {% for t in issue.themes %}{{ t.name }} ({{ t.customers }}) {% endfor %}\n")
    project = api.load(root)
    record = draft(team(project), since=NOV_1, until=NOV_14, today=NOV_14, now=NOW)
    html, text, _ = files(record)
    assert text.startswith("Team digest 1: reconciliation (3) ")
    assert "What customers told us" in html  # the HTML template was not overridden


def test_a_quote_in_the_newsletter_title_is_escaped_in_list_id(tmp_path):
    from notepress.config import Config, Newsletter
    from notepress.newsletter.render import message

    config = Config(root=tmp_path, newsletter=Newsletter(title='The "Payments" notes', sender="A <a@example.test>",
                                                         list_id="notes.example.test"))
    msg = email.message_from_bytes(message("S", "<p>x</p>", "x", config), policy=policy.default)
    assert msg["List-Id"] == '"The \\"Payments\\" notes" <notes.example.test>'
