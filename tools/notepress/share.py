"""The share kit of a public post: its Open Graph and Twitter card meta, and a ready-to-post text.

Both are built only from the screened public view (`screen.screen_public`), so they show what the
post shows: redacted when the build redacts, and nothing of an entry that is not public. The text
`share` prints is checked again for confidential terms as a whole (hashtags join words), like any
public page.

The image a link preview shows is the post's own first image, else its share card (card.py: the
title, the site's name and the author, drawn as a 1200x630 PNG); either is published beside the
posts and named by an absolute URL, with `twitter:card` `summary_large_image`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attachments import FOLDER as ATTACHMENTS_URL  # Material's blog publishes it at blog/attachments/
from .attachments import Attachment
from .audience import PublicView, confidential_terms
from .model import Entry
from .problems import NotepressError, Problem
from .text import Terms

IMAGE = re.compile(r"\.(png|jpe?g|gif|webp|avif|svg)$", re.IGNORECASE)
HEADING = re.compile(r"^#{2,3}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\[\[([^\]|]+)(?:\|([^\]]+))?\]\]|[*_`]+|<[^>]+>")
DESCRIPTION = 200  # characters: what link previews show


def plain(text: str) -> str:
    """Markdown as one line of plain text: links to their text, emphasis and tags dropped."""
    text = MARKUP.sub(lambda m: m.group(1) or m.group(3) or m.group(2) or "", text)
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def description(entry: Entry) -> str:
    """The summary; else what was learned, what is wanted, or the first paragraph."""
    first = next((p for p in entry.body.split("\n\n") if p.strip() and not p.lstrip().startswith("#")), "")
    for text in (entry.summary, entry.loop and entry.loop.learning, entry.goal and entry.goal.want, first):
        if text and plain(text):
            return shorten(plain(text), DESCRIPTION)
    return entry.title


def first_image(files) -> Attachment | None:
    """The first image of a post's published files ((repo path, attachments.Attachment) pairs), or None."""
    return next((published for _, published in files if IMAGE.search(published.name)), None)


def image_url(view: PublicView, entry: Entry, card: Attachment | None = None) -> str:
    """The absolute URL of the first image published beside the post, else of its share card
    (card.py), or "" without site_url."""
    image = first_image(view.attachments.get(entry.slug, ())) or card
    if image is None or not view.config.site_url:
        return ""
    return f"{view.config.site_url}blog/{ATTACHMENTS_URL}/{image.name}"


def og_meta(view: PublicView, entry: Entry, card: Attachment | None = None) -> dict:
    """What the theme's `main.html` writes as og:* and twitter:* meta (the post's front matter `share:`):
    the post's own first image, else its share card `card` (as published), as a large card. URLs
    only when `site_url` is set: link previews need absolute addresses."""
    meta = {"title": entry.title, "description": description(entry)}
    if view.config.site_url:
        meta["url"] = view.url(entry)
    image = image_url(view, entry, card)
    if image:
        meta["image"] = image
    meta["card"] = "summary_large_image" if image else "summary"
    return meta


@dataclass(frozen=True)
class ShareText:
    source: str
    url: str
    text: str


def takeaways(entry: Entry, limit: int = 3) -> list[str]:
    """Two or three points: the learning loop (what I learned, what happened, what I do next), or the
    body's headings, or the goal's success and measure."""
    if entry.loop:
        ahead = entry.loop.next_step and not entry.loop.closed  # a step done (or carried over, or dropped) is not news
        points = [entry.loop.learning, entry.loop.outcome, ahead and f"Next: {entry.loop.next_step}"]
    elif entry.goal:
        points = [entry.goal.why, f"Success: {entry.goal.success}", f"Measured by: {entry.goal.measure}"]
    else:
        points = HEADING.findall(entry.body)
    return [plain(p) for p in points if p and plain(p)][:limit]


def hashtag(tag: str) -> str:
    return "#" + "".join(w[:1].upper() + w[1:] for w in re.split(r"[^\w]+", tag) if w)


def compose(view: PublicView, entry: Entry) -> str:
    """The post's text for a professional network: hook, takeaways, link, hashtags."""
    lines = [description(entry) if entry.summary else entry.title, ""]
    lines += [f"→ {t}" for t in takeaways(entry)]
    lines += ["", view.url(entry)]
    tags = " ".join(dict.fromkeys(hashtag(t) for t in entry.tags if hashtag(t) != "#"))
    if tags:
        lines += ["", tags]
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def share_text(view: PublicView, entries: list[Entry], slug: str) -> ShareText:
    """The ready-to-post text of public entry `slug`. `entries` are all the entries (every customer
    is a confidential term); the text is refused if any term is in it."""
    entry = view.get(slug)
    if entry is None or slug not in view.public:
        raise NotepressError([_not_public(entries, slug)])
    if not view.config.site_url:
        raise NotepressError([Problem("notepress.yml", 1, "site_url", "is not set, so the post has no address to "
                                      "share", "add `site_url: https://you.github.io/notes/`")])
    text = compose(view, entry)
    hits = Terms(confidential_terms(entries, view.config)).find(text)
    if hits:
        raise NotepressError([Problem(entry.source, 1, "share", f'confidential term "{hits[0].term}" in the text '
                                      "to share", "remove it from the entry's summary, learning loop, headings "
                                      "and tags")])
    return ShareText(entry.source, view.url(entry), text)


def _not_public(entries: list[Entry], slug: str) -> Problem:
    entry = next((e for e in entries if e.slug == slug), None)
    if entry is None:
        return Problem("", 0, "slug", f'no entry has the slug "{slug}"',
                       "give the slug of a public entry: the last part of its post's URL")
    if entry.draft:
        return Problem(entry.source, entry.line_of("draft"), "draft", "is true, so it is not published and cannot "
                       "be shared", "remove `draft: true` and build first")
    if entry.audience != "public":
        return Problem(entry.source, entry.line_of("audience"), "audience", f"is {entry.audience}, so it cannot be "
                       "shared", "only public posts are shared: set `audience: public` if you mean to publish it")
    return Problem(entry.source, entry.line_of("date"), "date", f"{entry.date} is in the future, so the post is "
                   "not published yet", "share it on or after its date")
