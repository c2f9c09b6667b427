"""The audience gate: the one place that decides who may see an entry.

`gate` returns a `View`: the frozen set of entries one reader may see, with the only link
resolver and post URLs an output may use. Every output starts from a view, never from the entries
as read: the blog (and so its search index, feeds, sitemap, tag pages, connections, share meta)
from the public one, the newsletter (compose, render, send) from the team's, the review tools from
the team's or, when the writer asks, their own (Reader.SELF). An entry is public only when its own
front matter says `audience: public`, it is not a draft and its date has come (a later one is
held back: `View.held`); nothing defaults to public.

`screen.screen_public` gates the entries for the public and returns a `PublicView` (the only type
the blog takes) after enforcing the rules of a public page on every public entry.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import clock
from .config import Config
from .customers import confidential
from .links import Link, Resolver
from .model import Entry


class Reader(enum.Enum):
    PUBLIC = "public"  # the blog and everything built from it
    TEAM = "team"  # the internal newsletter
    SELF = "self"  # the writer's own review tools

    def admits(self, audience: str) -> bool:
        return audience in ADMITTED[self.value]

    @classmethod
    def of(cls, audience: str) -> Reader:
        """The reader of an output meant for `audience`: private (the writer, who sees every entry),
        internal (the team) or public."""
        return {"private": cls.SELF, "internal": cls.TEAM, "public": cls.PUBLIC}[audience]


ADMITTED = {  # reader -> the audiences it may see
    Reader.PUBLIC.value: ("public",),
    Reader.TEAM.value: ("public", "internal"),
    Reader.SELF.value: ("public", "internal", "private"),
}


def visible(entry: Entry, reader: Reader, *, drafts: bool = False, today: dt.date | None = None) -> bool:
    """May `reader` see `entry`? Drafts only when asked (a preview), never by default; with `today`,
    a public entry dated later is scheduled: the public sees it from its date on (a preview sooner)."""
    if entry.draft and not drafts:
        return False
    if reader is Reader.PUBLIC and today is not None and entry.date > today and not drafts:
        return False
    return reader.admits(entry.audience)


def select(entries: Iterable[Entry], reader: Reader, *, drafts: bool = False,
           today: dt.date | None = None) -> list[Entry]:
    return [e for e in entries if visible(e, reader, drafts=drafts, today=today)]


@dataclass(frozen=True, eq=False)
class View:
    """The entries `reader` may see (in the order read), and how they link to each other.

    `public` holds the slugs of the entries with a public page: only those have a URL, in any view.
    """

    reader: Reader
    entries: tuple[Entry, ...]
    config: Config
    public: frozenset[str]
    drafts: bool = False
    held: tuple[Entry, ...] = ()  # public entries dated after today: scheduled, not yet shown
    # slug -> ((the file's path relative to the repo, the file as published), ...): the local files
    # a public entry links or shows (images, PDFs), read completely and published beside its post
    # (attachments.Attachment); set by the screen
    attachments: dict[str, tuple[tuple[str, object], ...]] = field(default_factory=dict)
    # docs/ as published (path inside docs/ -> bytes): pages, and the files beside them read
    # completely; set by the screen
    docs_files: dict[str, bytes] = field(default_factory=dict)
    # slug -> card.Card: what the share card of a public post without an image of its own says,
    # checked like the page; set by the screen (drawn and published by the blog)
    cards: dict[str, object] = field(default_factory=dict)
    today: dt.date | None = None  # the day the view was gated on
    _by_slug: dict[str, Entry] = field(default_factory=dict, repr=False)
    _resolver: Resolver | None = field(default=None, repr=False)

    def __post_init__(self):
        self._by_slug.update((e.slug, e) for e in self.entries)
        object.__setattr__(self, "_resolver", Resolver(list(self.entries)))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry: object) -> bool:
        return isinstance(entry, Entry) and self._by_slug.get(entry.slug) is entry

    def get(self, slug: str) -> Entry | None:
        return self._by_slug.get(slug)

    @property
    def published_files(self) -> set[str]:
        """Every attached file's path relative to the repo: what is published beside the posts."""
        return {rel for files in self.attachments.values() for rel, _ in files}

    def resolve(self, link: Link, source: Entry) -> Entry | None:
        """The entry `link` points to, if this reader may see it; otherwise None (shown as plain text)."""
        return self._resolver(link, source)

    def linkable(self, link: Link, source: Entry) -> Entry | None:
        """The target of `link` if it has a public page (what a link may point to outside notepress)."""
        target = self.resolve(link, source)
        return target if target is not None and target.slug in self.public else None

    def url(self, entry: Entry) -> str:
        """The public address of an entry's post, or "" when it has no public page."""
        if entry.slug not in self.public:
            return ""
        return self.config.site_url + entry.post_path

    def scheduled(self, entry: Entry) -> dt.date | None:
        """The day a public entry that a preview shows before its date is published on (the public
        view of a build never holds one: see `held`); None for every other entry."""
        if self.drafts and self.today is not None and entry.audience == "public" and not entry.draft \
                and entry.date > self.today:
            return entry.date
        return None

    def where(self, entry: Entry) -> str:
        """The public URL, or the source path the writer knows (for the writer's own reports)."""
        return self.url(entry) or entry.source


def gate(entries: Iterable[Entry], config: Config, reader: Reader, *, drafts: bool = False,
         today: dt.date | None = None) -> View:
    """The one gate: the view of `entries` that `reader` may see on `today` (default: today)."""
    entries, today = list(entries), today or clock.today()
    public = select(entries, Reader.PUBLIC, drafts=drafts, today=today)
    shown = set(map(id, public))  # entries compare by identity: a set, not a scan of the list per entry
    held = tuple(e for e in select(entries, Reader.PUBLIC, drafts=drafts) if id(e) not in shown) \
        if reader is Reader.PUBLIC else ()
    return View(reader, tuple(select(entries, reader, drafts=drafts, today=today)), config,
                frozenset(e.slug for e in public), drafts, held, today=today)


class PublicView(View):
    """A public view whose entries passed the rules of a public page (and were redacted if asked).
    Made only by `screen.screen_public`; the blog takes nothing else."""


def confidential_terms(entries: Iterable[Entry], config: Config) -> list[str]:
    """Every customer named in any insight (whatever its audience or draft state), the configured
    terms, each customer's aliases and contacts, and their distinctive words (customers.confidential)."""
    return list(confidential(entries, config))
