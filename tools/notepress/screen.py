"""The rules of a public page, enforced on every public entry before anything is generated.

1. No confidential term (every insight's customer, whatever its audience, with its aliases,
   contacts and distinctive words: customers.py; plus the configured terms), compared in the one
   form of text.py: in every field as written (redacted with `--redact`, except in the slug,
   which is the URL) and in what the reader sees once Markdown has run (a name split by markup
   or hidden by an entity cannot be redacted: it is an error).
2. No reference from a public entry to a non-public entry, whatever its syntax: `[[slug]]` and
   relative links as written, and every URL of the rendered page; no include of a non-public
   entry's file, whatever extension reads it.

Every problem names the entry, the line and the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .attachments import FOLDER as ATTACHMENTS, Attachment, Refused
from .attachments import read as read_attachment, read_asset
from .audience import PublicView, Reader, gate
from .card import Card
from .config import CONFIG_FILE, Config, Internal, docs_files
from .customers import confidential
from .links import Resolver, unseen
from .model import Entry
from .problems import Problem
from .rendered import Field, PostsFiles, Renderer
from .share import first_image
from .text import Hit, Terms, markup_text, replace, tokens

# The fields a post shows as Markdown (the title, tags and the like are shown as plain text).
MARKDOWN_FIELDS = ("summary", "action", "outcome", "learning", "next_step", "quote", "segment", "product_area", "body",
                   "want", "why", "success", "measure")


@dataclass(frozen=True)
class Screened:
    view: PublicView  # the public entries, redacted when asked
    problems: list[Problem]

    @property
    def entries(self) -> list[Entry]:
        return list(self.view.entries)


def screen_public(entries: list[Entry], config: Config, *, drafts: bool = False, redact: bool | None = None,
                  renderer: Renderer | None = None, today: dt.date | None = None,
                  engine_text: str | None = None, site_name: str | None = None, held: list[Entry] = ()) -> Screened:
    """Select the public entries on `today` and enforce the rules of a public page on them (and on
    mkdocs.yml's `engine_text`; `site_name` is its site_name). `held` are what could be read of
    entries left out for their errors (Project.held_entries): never gated or shown, their customers'
    names are confidential all the same. A command passes what its Project read: see Project.screen."""
    redact = config.redact if redact is None else redact
    view = gate(entries, config, Reader.PUBLIC, drafts=drafts, today=today)
    rules = _Rules(entries, config, view.public, redact, renderer or _renderer(config), held)
    site = _site_name(config) if site_name is None else site_name
    screened, problems, cards = [], [], {}
    for entry in view:
        entry, found = rules.check(entry)
        screened.append(entry)
        problems += found
        if config.site_url and first_image(rules.attachments.get(entry.slug, {}).values()) is None:
            cards[entry.slug], found = rules.card(entry, site)
            problems += found
    problems += rules.pages() + rules.settings(engine_text)
    rules.renderer.save()
    attachments = {slug: tuple(files.values()) for slug, files in rules.attachments.items()}
    return Screened(PublicView(Reader.PUBLIC, tuple(screened), config, view.public, drafts, view.held, attachments,
                               rules.docs_files, cards, today=view.today), problems)


def _site_name(config: Config) -> str:
    """mkdocs.yml's site_name, for a caller that did not read it ("" when it cannot be read)."""
    from .problems import NotepressError
    from .site import read_settings

    try:
        found = read_settings(config.root)
    except NotepressError:
        return ""
    return str(found.data.get("site_name") or "") if found else ""


def _renderer(config: Config) -> Renderer:
    from .site import markdown_settings

    return Renderer(config.root, *markdown_settings(config.root))


class _Rules:
    def __init__(self, entries: list[Entry], config: Config, public: frozenset[str], redact: bool,
                 renderer: Renderer, held: list[Entry] = ()):
        self.config, self.public, self.redact, self.renderer = config, public, redact, renderer
        # what each term is: a customer, its alias, word or contact (of an entry held out too)
        self.names = confidential([*entries, *held], config)
        self.terms = Terms(self.names)
        self.resolve = Resolver(entries)
        self.entries = entries
        self.posts = _key(config.posts_dir) + os.sep
        self.files = PostsFiles(config.posts_dir)
        # slug -> path in the repo -> (that path, the file as published): see attachments.py
        self.attachments: dict[str, dict[str, tuple[str, Attachment]]] = {}
        self.read_files: dict[str, Attachment | Refused] = {}  # by the file's real path: each read once
        self.internal = Internal(config)
        self.docs_files: dict[str, bytes] = {}  # docs/ as published: path in docs/ -> bytes (see `pages`)

    @functools.cached_property
    def by_path(self) -> dict[str, Entry]:
        """Entries by their file, as compared (made when a page first links or includes a file of posts/).
        Entries are read from posts/ as they are (os.walk follows no folder link): only a file that
        is itself a link needs resolving."""
        return {_key(e.path) if e.path.is_symlink() else os.path.normcase(e.path): e for e in self.entries}

    def posts_file(self, path: str) -> str | None:
        """The file of posts/ that `path` is (through any link), or the path itself inside posts/."""
        found, key = self.files.which(path), _key(path)
        return found or (key if key.startswith(self.posts) else None)

    def check(self, entry: Entry) -> tuple[Entry, list[Problem]]:
        self.reported: set[str] = set()  # terms and link targets already reported for this entry
        entry, problems, page = self.attach(entry)
        problems += self.slug(entry)
        changes: dict[str, str] = {}
        fields = entry.text_fields()
        named = self.terms.may_be_in(tokens("\n".join(fields.values())))  # one look first: most have none
        for name, text in fields.items():
            hits = self.terms.find(text) if named else []
            if hits and self.redact:
                changes[name] = replace(text, hits, self.config.redact_with)
            elif hits:
                problems += [self.term_problem(entry, name, text, h) for h in hits]
                self.reported.update(t for h in hits for t in self.terms.within(h.term))  # with its words
            problems += self.links(entry, name, text)
        if changes:
            entry, page = _apply(entry, changes), None
        problems += self.rendered(entry, page)
        return entry, problems

    def card(self, entry: Entry, site: str) -> tuple[Card, list[Problem]]:
        """The share card of a post without an image of its own (card.py): its title as screened,
        the site's name and its authors' names, checked like the page. A name the title, mkdocs.yml
        or an author holds alone is reported there; here, one their words make together."""
        by_id = {a.id: a.name for a in self.config.authors}
        ids = entry.authors or tuple(a.id for a in self.config.authors[:1])
        card = Card(entry.title, site, " and ".join(by_id.get(i, i) for i in ids))
        alone = {h.term for part in (card.title, card.site, card.author) for h in self.terms.find(part)}
        return card, [Problem(entry.source, entry.line_of("title"), "title",
                              f"{self.names[h.term].problem} in the post's share card (its title, the site's name "
                              "and the author, drawn together)", "change the title, so that the card does not spell it")
                      for h in self.terms.find(card.text) if h.term not in alone | self.reported]

    def slug(self, entry: Entry) -> list[Problem]:  # a URL cannot be redacted quietly
        return [Problem(entry.source, entry.line_of("slug"), "slug", self.names[h.term].problem,
                        f"set `slug:` to a name without it; the URL would be {entry.slug}")
                for h in self.terms.find(entry.slug)]

    def term_problem(self, entry: Entry, name: str, text: str, hit: Hit) -> Problem:
        return Problem(entry.source, _line(entry, name, text, hit.start), name, self.names[hit.term].problem,
                       f'remove it, or build with --redact to print "{self.config.redact_with}"')

    def links(self, entry: Entry, name: str, text: str) -> list[Problem]:
        """The rule of links (links.unseen) for the public: a public entry links only public entries."""
        problems = []
        for link, target in unseen(entry, text, self.resolve, self.public):
            if link.kind == "file":  # seen again in the rendered page: reported once
                self.reported.add(_key(os.path.join(entry.path.parent, link.target)))
            line = _line(entry, name, text, link.start)
            if target is None:
                problems.append(Problem(entry.source, line, name, f"link {link.written} matches no entry",
                                        "use an entry's slug, or a relative path to its .md file"))
            else:
                self.reported.add(_key(target.path))
                problems.append(self.not_public(entry, line, name, f"link {link.written} points to", target))
        return problems

    def not_public(self, entry: Entry, line: int, name: str, what: str, target: Entry | None,
                   path: str = "") -> Problem:
        if target is None:
            return Problem(entry.source, line, name, f"{what} {path}, which is not a public entry",
                           "remove it; only public entries may be linked or included")
        state = "a draft" if target.draft else f"scheduled for {target.date}" if target.audience == "public" \
            else f"audience: {target.audience}"
        return Problem(entry.source, line, name, f"{what} {target.source}, which is not public ({state})",
                       "remove the link, or make that entry public")

    def render(self, entry: Entry):
        fields = entry.text_fields()
        return self.renderer.render({n: fields[n] for n in MARKDOWN_FIELDS if n in fields})

    def attach(self, entry: Entry) -> tuple[Entry, list[Problem], object]:
        """The local files the entry links or shows, read completely (attachments.py) and checked for
        confidential terms; their links point at the published copies from here on (whose names
        are digests: a file's own name is never published, and --redact leaves the links whole).
        Returns the entry, the problems and its rendered page when nothing was rewritten."""
        page = self.render(entry)
        fields, problems, changes = entry.text_fields(), [], {}
        for name, shown in page.fields.items():
            for url in shown.urls:
                found = self.local_file(entry, name, fields[name], url)
                if isinstance(found, Problem):
                    problems.append(found)
                elif found is not None:
                    changes[name] = _point_at(changes.get(name, fields[name]), url, f"{ATTACHMENTS}/{found.name}")
        if not changes:
            return entry, problems, page
        return _apply(entry, changes), problems, None

    def local_file(self, entry: Entry, name: str, text: str, url: str) -> Attachment | Problem | None:
        """The file a URL of the entry points to beside it (as the editor's preview finds it), as
        published; a Problem when it is missing, outside the repo, refused or names a confidential
        term; None when the URL is not a local file (a web address, an entry, a folder)."""
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return None
        written = urllib.parse.unquote(parts.path)
        path = os.path.normpath(os.path.join(entry.path.parent, written))
        inside = self.inside_posts(entry, url)
        if os.path.isdir(path) or (inside is not None and inside.lower().endswith(".md")):
            return None
        line = _line_of_any(entry, name, text, [url, written, Path(written).name])
        if not os.path.isfile(path):
            return Problem(entry.source, line, name, f"{written}: no such file beside the entry",
                           "put the file there, or fix the path (relative to the entry, as your editor shows it)")
        real = _key(path)
        internal = self.internal.reason(path, posts=True)
        if internal == "outside the writing repo":
            return Problem(entry.source, line, name, f"{written}: the file is outside the writing repo",
                           "copy it into the repo (beside the entry) and link the copy")
        if internal:
            return Problem(entry.source, line, name, f"{written}: the file is {internal}",
                           "remove the link; a public page may show only files written for it")
        if real not in self.read_files:
            try:
                self.read_files[real] = read_attachment(Path(path))
            except Refused as e:
                self.read_files[real] = e
        found = self.read_files[real]
        if isinstance(found, Refused):
            return Problem(entry.source, line, name, f"{written}: {found.why}", found.fix)
        hits = self.terms.find(found.text)
        if hits:
            return Problem(entry.source, line, name, f"{written}: {self.names[hits[0].term].problem} in the file",
                           "remove it from the file, or the link (--redact cannot change a file)")
        rel = _rel(Path(path), self.config.root)
        self.attachments.setdefault(entry.slug, {})[rel] = (rel, found)
        return found

    def rendered(self, entry: Entry, page=None) -> list[Problem]:
        """The rules on what the reader sees: names split by markup, links in any syntax, includes."""
        fields = entry.text_fields()
        page = page or self.render(entry)
        shown_fields = dict(page.fields)  # the other fields are shown as text, escaped by the theme
        shown_fields.update((n, Field(markup_text(t), ())) for n, t in fields.items()
                            if n not in MARKDOWN_FIELDS and ("&" in t or "<" in t))
        problems = []
        for name, shown in shown_fields.items():
            for term in sorted(self.terms.found_in(tokens(shown.text))):
                if term not in self.reported:
                    problems.append(Problem(
                        entry.source, self.line_of_term(entry, name, fields[name], term), name,
                        f'{self.names[term].problem} in the text as shown (markup or an entity splits it)',
                        "write the text without it; --redact cannot replace a name split by markup"))
            for url in shown.urls:
                problems += self.url(entry, name, fields[name], url)
        for path in page.files:
            problems += self.include(entry, path)
        return problems

    def pages(self) -> list[Problem]:
        """docs/ is public too. Its files are read as they are published (`docs_files`): the
        hand-written pages (no confidential term, no include from posts/) and the files beside them
        (read completely by attachments.py, or refused); none may be internal material, by a link or
        a hard link."""
        problems = []
        for path in docs_files(self.config):
            shown, internal = _rel(path, self.config.root), self.internal.reason(path)
            if internal:
                problems.append(Problem(shown, 0, "", f"is {internal}, in the folder the site is built from",
                                        "move it out of docs/, or remove the link"))
            elif not path.name.lower().endswith(".md"):
                problems += self.asset(path, shown)
            else:
                problems += self.page(path, shown)
        return problems

    def asset(self, path: Path, shown: str) -> list[Problem]:
        try:
            found = read_asset(path)
        except Refused as e:
            return [Problem(shown, 0, "", e.why, e.fix)]
        hits = self.terms.find(found.text)
        if hits:
            return [Problem(shown, 0, "", f"{self.names[hits[0].term].problem} in the file", "remove it from the file")]
        self.docs_files[_rel(path, self.config.docs_dir)] = found.data
        return []

    def page(self, path: Path, shown: str) -> list[Problem]:
        """A hand-written page: no confidential term as written or as shown, no include from posts/."""
        problems = []
        raw = path.read_bytes()
        self.docs_files[_rel(path, self.config.docs_dir)] = raw
        text = raw.decode("utf-8", errors="replace")
        problems += self.terms_in_lines(shown, text, "markdown")
        page = self.renderer.render({"body": text})
        found = {t for f in page.fields.values() for t in self.terms.found_in(tokens(f.text))}
        written = {t for line in text.split("\n") for t in self.terms.found_in(tokens(markup_text(line)))}
        problems += [Problem(shown, 1, "", f'{self.names[t].problem} in the page as shown',
                             "remove it from the page") for t in sorted(found - written)]
        for opened in page.files:
            inside = self.posts_file(opened)
            target = self.by_path.get(inside) if inside else None
            if inside and (target is None or target.slug not in self.public):
                problems.append(Problem(shown, _line_in(text, [Path(opened).name]), "",
                                        f"includes {_rel(Path(opened), self.config.root)}, which is not a "
                                        "public entry", "remove the include; a page may include public text only"))
        return problems + self.page_links(path, shown, text, page)

    def page_links(self, path: Path, shown: str, text: str, page) -> list[Problem]:
        """A hand-written page links no file of posts/ that is not a public entry: the link would carry
        its file name to the site (and lead nowhere)."""
        problems = []
        for url in dict.fromkeys(u for f in page.fields.values() for u in f.urls):
            inside = self.linked_posts_file(path.parent, url)
            target = self.by_path.get(inside) if inside else None
            if inside and (target is None or target.slug not in self.public):
                problems.append(Problem(shown, _line_in(text, [Path(inside).name, url]), "",
                                        f"links {_rel(Path(inside), self.config.root)}, which is not a public entry",
                                        "remove the link; a page may link public posts only"))
        return problems

    def settings(self, engine_text: str | None) -> list[Problem]:
        """The site's name, description, navigation (mkdocs.yml, as read; else read here) and authors
        are on every page."""
        problems = []
        engine = self.config.root / "mkdocs.yml"
        if engine_text is None and engine.is_file():
            engine_text = engine.read_text(encoding="utf-8", errors="replace")
        if engine_text:
            problems += self.terms_in_lines("mkdocs.yml", engine_text, "")
        for author in self.config.authors:
            for value in (author.name, author.description):
                for hit in self.terms.find(value):
                    problems.append(Problem(CONFIG_FILE, 0, f"authors.{author.id}", self.names[hit.term].problem,
                                            "an author's name and description are on every post: remove it"))
        return problems

    def terms_in_lines(self, shown: str, text: str, field: str) -> list[Problem]:
        return [Problem(shown, i, field, self.names[hit.term].problem, "remove it from this public page")
                for i, line in enumerate(text.split("\n"), 1) for hit in self.terms.find(line)]

    def url(self, entry: Entry, name: str, text: str, url: str) -> list[Problem]:
        inside = self.inside_posts(entry, url)
        if inside is None or not inside.lower().endswith(".md"):
            return []  # a web address, or a file beside the entry (see `attach`)
        target = self.by_path.get(inside)
        if (target is not None and target.slug in self.public) or inside in self.reported:
            return []
        self.reported.add(inside)
        shown = target.source if target else _rel(Path(inside), self.config.root)
        line = _line_of_any(entry, name, text, [url, urllib.parse.unquote(url), Path(inside).name])
        return [self.not_public(entry, line, name, "link", target, shown)]

    def include(self, entry: Entry, path: str) -> list[Problem]:
        path = self.posts_file(path)
        if path is None or path == self.posts_file(str(entry.path)):
            return []
        target = self.by_path.get(path)
        if target is not None and target.slug in self.public:
            return []
        shown = target.source if target else _rel(Path(path), self.config.root)
        line = _line_of_any(entry, "body", entry.body, [Path(path).name, Path(path).stem])
        return [self.not_public(entry, line, "body", "includes", target, shown)]

    def inside_posts(self, entry: Entry, url: str) -> str | None:
        """The file in posts/ a URL of the entry's page points to, if it points into posts/."""
        return self.linked_posts_file(entry.path.parent, url)

    def linked_posts_file(self, folder: Path, url: str) -> str | None:
        """The file in posts/ a URL on a page of `folder` points to, if it points into posts/."""
        parts = urllib.parse.urlsplit(url.strip())
        if parts.netloc or (parts.scheme and parts.scheme.lower() != "file") or not parts.path:
            return None
        path = urllib.parse.unquote(parts.path)
        return self.posts_file(path if os.path.isabs(path) and parts.scheme else os.path.join(folder, path))

    def line_of_term(self, entry: Entry, name: str, text: str, term: str) -> int:
        one = Terms([term])
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if one.found_in(tokens(markup_text(line.replace("*", "").replace("_", "").replace("~", "")))):
                return _line(entry, name, text, sum(len(x) + 1 for x in lines[:i]))
        return _line(entry, name, text, 0)


def _key(path) -> str:
    """A path as compared: absolute, links followed, in the file system's case."""
    return os.path.normcase(os.path.realpath(path))


def _rel(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _offset(text: str, needles: list[str]) -> int:
    """Where the first of `needles` found in `text` is (0 when none is)."""
    return next((at for at in (text.find(n) for n in needles if n) if at >= 0), 0)


def _line_in(text: str, needles: list[str]) -> int:
    return text.count("\n", 0, _offset(text, needles)) + 1


def _line(entry: Entry, name: str, text: str, offset: int) -> int:
    if name == "body":
        return entry.body_line + text.count("\n", 0, offset)
    return entry.line_of(name)


def _line_of_any(entry: Entry, name: str, text: str, needles: list[str]) -> int:
    return _line(entry, name, text, _offset(text, needles))


def _point_at(text: str, written: str, published: str) -> str:
    """`text` with its links to the file written as `written` (or its decoded form) pointing at `published`."""
    for form in dict.fromkeys([written, urllib.parse.unquote(written)]):
        text = re.sub(rf"(?<=[(<\"'\s=]){re.escape(form)}(?=[)>\"'\s#?]|$)", published, text)
    return text


def _apply(entry: Entry, changes: dict[str, str]) -> Entry:
    top = {k: v for k, v in changes.items() if k in ("title", "summary", "body")}
    if "tags" in changes:
        top["tags"] = tuple(changes["tags"].split("\n"))
    if entry.loop:
        loop = {k: v for k, v in changes.items() if k in ("action", "outcome", "learning", "next_step")}
        if "competencies" in changes:
            loop["competencies"] = tuple(changes["competencies"].split("\n"))
        top["loop"] = dataclasses.replace(entry.loop, **loop)
    if entry.insight:
        fields = {k: v for k, v in changes.items() if k in ("quote", "segment", "product_area")}
        if "themes" in changes:
            fields["themes"] = tuple(changes["themes"].split("\n"))
        top["insight"] = dataclasses.replace(entry.insight, **fields)
    if entry.goal:
        goal = {k: v for k, v in changes.items() if k in ("want", "why", "success", "measure")}
        if "competencies" in changes:
            goal["competencies"] = tuple(changes["competencies"].split("\n"))
        top["goal"] = dataclasses.replace(entry.goal, **goal)
    return dataclasses.replace(entry, **top)
