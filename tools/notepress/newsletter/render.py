"""Render an issue: HTML fit for mail clients, a plain-text part that reads well alone, a MIME
message, and the same HTML as a web page for the archive.

What was learned and the next steps are Markdown: they go through the site's own Python-Markdown
configuration, then nh3 (no script, iframe, event handler or javascript: link can reach an email);
entry links point at public posts only, an include of a file the team may not see is an error, and
images beside an entry travel in the message (`cid:`). Templates escape everything else. CSS is
inlined with css-inline (no remote stylesheets; `@media` rules kept for narrow screens).
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
import re
import urllib.parse
from html import unescape
from pathlib import Path
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, quote

import css_inline
import markdown
import nh3
from markupsafe import Markup

from .. import clock
from .. import site
from ..audience import View
from ..config import Config
from ..links import rewrite
from ..mail import parse_address
from ..model import Entry
from ..problems import NotepressError, Problem
from ..rendered import PostsFiles, reading, rooted_snippets
from ..templates import environment
from .compose import Issue

URL_SCHEMES = {"http", "https", "mailto", "cid"}
IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')
ABSOLUTE = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
HREF = re.compile(r'\bhref="([^"]*)"')
BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|div)>|<br\s*/?>")
TAGS = re.compile(r"<[^>]+>")
DANGLING_END = re.compile(r"[\s:;,|·/–—-]+$")  # what an empty field of a subject template leaves behind
DANGLING_START = re.compile(r"^[\s:;,|·/–—-]+")
CHANGE = {"new": "new this period", "up": "▲ up from", "down": "▼ down from", "same": "same as"}


@dataclass(frozen=True)
class Image:
    path: Path
    data: bytes
    kind: str  # image/png
    name: str  # its file name in the archived issue's images/ folder


@dataclass(frozen=True)
class Rendered:
    subject: str
    preheader: str
    html: str
    text: str
    message: bytes
    included: tuple[str, ...] = ()  # slugs of the entries the issue shows through an include
    preview: str = ""  # the HTML as a web page: inline images from the issue's images/ folder
    images: tuple[Image, ...] = ()


class _Markdown:
    """Entry text -> safe HTML, with entry links pointing at the public blog (or plain text)."""

    def __init__(self, view: View, settings: tuple[list, dict] | None = None):
        extensions, configs = settings or site.markdown_settings(view.config.root)
        configs = rooted_snippets(extensions, configs, view.config.root)
        configs = {**configs, "toc": {**configs.get("toc", {}), "permalink": False}}  # no "¶" anchors in mail
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        self.view = view
        self.files = PostsFiles(view.config.posts_dir)
        self.team_files = {os.path.normcase(os.path.normpath(e.path)): e for e in view}
        self.included: set[str] = set()  # entries shown through an include
        self.images: dict[str, Image] = {}  # content id -> an image the issue shows, sent inline

    def check_include(self, path: str, entry: Entry) -> None:
        """An entry may include only what the team may see: no file of posts/ (through any link) but
        a team entry's, which the issue then shows too (and `send` checks again)."""
        inside = self.files.which(path)
        if inside is None:
            return
        included = self.team_files.get(inside)
        if included is None:
            shown = Path(os.path.relpath(inside, self.view.config.root)).as_posix()
            raise NotepressError(Problem(entry.source, entry.body_line, "body",
                                         f"includes {shown}, which the team may not see",
                                         "remove the include; the newsletter shows internal and public entries only"))
        self.included.add(included.slug)

    def links(self, text: str, entry: Entry) -> str:
        return rewrite(text, entry, self.view.linkable, self.view.url)

    def html(self, text: str, entry: Entry) -> Markup:
        with reading() as opened:
            html = self.md.reset().convert(self.links(text, entry))
        for path in opened:
            self.check_include(path, entry)
        html = IMG_SRC.sub(lambda m: m.group(1) + self.inline(m.group(2), entry) + m.group(3), html)
        return Markup(nh3.clean(html, url_schemes=URL_SCHEMES, attribute_filter=_absolute_only))

    def inline(self, src: str, entry: Entry) -> str:
        """An image beside the entry (relative, as the editor previews it) becomes a part of the message
        (`cid:`), since a mail client cannot load a local path; anything else is left to the cleaner."""
        parts = urllib.parse.urlsplit(unescape(src))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return src
        path = (entry.path.parent / urllib.parse.unquote(parts.path)).resolve()
        kind = mimetypes.guess_type(path.name)[0] or ""
        if not kind.startswith("image/") or not path.is_file() or not path.is_relative_to(self.view.config.root):
            return src
        cid = next((c for c, image in self.images.items() if image.path == path), None)
        if cid is None:
            cid = f"image{len(self.images) + 1}.{abs(hash(path)) % 10**8}@notepress"
            self.images[cid] = Image(path, path.read_bytes(), kind, f"{len(self.images) + 1}-{path.name}")
        return f"cid:{cid}"

    def text(self, text: str, entry: Entry) -> str:
        """The same sanitized HTML, as plain text: links become `label <url>`."""
        return plain(str(self.html(text, entry)))


def plain(html: str) -> str:
    """Sanitized HTML as plain text: paragraphs, and links as `label <url>`."""
    html = ANCHOR.sub(lambda m: f"{m.group(2)} \x00{h.group(1)}\x01" if (h := HREF.search(m.group(1)))
                      else m.group(2), html)  # markers survive the tag stripping below
    text = TAGS.sub("", BLOCK_END.sub("\n\n", html)).replace("\x00", "<").replace("\x01", ">")
    return "\n\n".join(" ".join(p.split()) for p in unescape(text).split("\n\n") if p.strip())


def intro_html(text: str) -> Markup:
    """The writer's intro (issue.md's Markdown) as safe HTML. Plain Markdown: no extension that reads
    other files (an include could bring in a private entry), and only absolute links and images."""
    html = markdown.Markdown(extensions=["extra", "sane_lists"]).convert(text)
    return Markup(nh3.clean(html, url_schemes=URL_SCHEMES - {"cid"}, attribute_filter=_absolute_only))


def _absolute_only(tag: str, attribute: str, value: str) -> str | None:
    """An email has no base URL: drop any href or src that is not absolute (or an inline image)."""
    if attribute in ("href", "src") and not ABSOLUTE.match(value) and not (attribute == "src" and
                                                                           value.startswith("cid:")):
        return None
    return value


def one_line(template: str, values: dict) -> str:
    """A subject or preheader from its template, on one line, without a separator an empty field left
    dangling: "{title} #{number}: {top_theme}" with no top theme reads "Customer notes #2"."""
    text = " ".join(template.format(**values).replace("()", " ").split())
    return DANGLING_END.sub("", DANGLING_START.sub("", text))


def fields(issue: Issue, config: Config) -> dict:
    """What subject and preheader templates may use."""
    customers, themes = issue.customers, len(issue.themes)
    return {"title": config.newsletter.title, "number": issue.number, "top_theme": issue.top_theme,
            "period": issue.period, "customers": customers, "themes": themes,
            "customers_text": f"{customers} customer{'s' if customers != 1 else ''}",
            "themes_text": f"{themes} theme{'s' if themes != 1 else ''}",
            "since": issue.since.isoformat(), "until": issue.until.isoformat()}


def render(issue: Issue, view: View, now: dt.datetime | None = None, *,
           markdown_settings: tuple[list, dict] | None = None, subject: str = "") -> Rendered:
    """The issue as a message and its web page, entries' text in the site's Markdown settings
    (Project.markdown; else read from mkdocs.yml); the subject is the writer's, or notepress.yml's."""
    config = view.config
    values = fields(issue, config)
    subject = " ".join(subject.split()) or one_line(config.newsletter.subject, values)
    preheader = one_line(config.newsletter.preheader, values)
    md = _Markdown(view, markdown_settings)
    learned = [{"item": item, "learning_html": md.html(item.learning, item.entry),
                "next_step_html": md.html(item.next_step, item.entry) if item.next_step else "",
                "learning_text": md.text(item.learning, item.entry),
                "next_step_text": md.text(item.next_step, item.entry)} for item in issue.learned]
    intro = intro_html(issue.intro) if issue.intro else Markup("")
    context = {"issue": issue, "newsletter": config.newsletter, "subject": subject, "preheader": preheader,
               "learned": learned, "change": CHANGE, "site_url": config.site_url,
               "intro_html": intro, "intro_text": plain(str(intro))}
    env = environment(config.root, autoescape=True)
    raw_html = env.get_template("newsletter.html.jinja").render(**context)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True, keep_style_tags=False)
    html = inliner.inline(raw_html)
    text = environment(config.root).get_template("newsletter.txt.jinja").render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    preview = html
    for cid, image in md.images.items():
        preview = preview.replace(f"cid:{cid}", f"images/{image.name}")
    return Rendered(subject, preheader, html, text, message(subject, html, text, config, now, md.images),
                    tuple(sorted(md.included)), preview, tuple(md.images.values()))


def message(subject: str, html: str, text: str, config: Config, now: dt.datetime | None = None,
            images: dict[str, Image] | None = None) -> bytes:
    """The archived MIME message, addressed to the sender; `send` makes every header again from the
    settings of the day and addresses a copy per recipient."""
    sender = parse_address(config.newsletter.sender) if config.newsletter.sender else None
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    for name, value in list_headers(config).items():
        msg[name] = value
    if sender is not None:
        msg["To"] = str(sender)
        msg["Message-ID"] = make_msgid(domain=sender.domain)
    msg["Date"] = format_datetime(now or clock.now())
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    rich = msg.get_payload()[1]
    for cid, image in (images or {}).items():  # multipart/related: the images travel with the HTML
        main, sub = image.kind.split("/", 1)
        rich.add_related(image.data, maintype=main, subtype=sub, cid=f"<{cid}>", filename=image.name)
    return msg.as_bytes()


def list_headers(config: Config) -> dict[str, str]:
    """From, Reply-To, List-Id and List-Unsubscribe (with List-Unsubscribe-Post for an https page,
    RFC 8058: one click, without a mail client), as notepress.yml says them; no From without a sender."""
    nl = config.newsletter
    sender = parse_address(nl.sender) if nl.sender else None
    out = {"From": str(sender)} if sender is not None else {}
    if nl.reply_to:
        out["Reply-To"] = nl.reply_to
    if nl.list_id:
        out["List-Id"] = f'"{quote(nl.title)}" <{nl.list_id}>'
    if nl.unsubscribe:
        out["List-Unsubscribe"] = f"<{nl.unsubscribe}>"
        if nl.unsubscribe.lower().startswith("https://"):
            out["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return out
