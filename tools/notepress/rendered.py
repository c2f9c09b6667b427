"""What a public entry says once Markdown has run: its text, the URLs it links to, the files it read.

The rules of a public page are checked on this, not only on the source, because the reader sees
the rendered page: markup can split a name (`North**wind**`), an entity can hide one
(`North&shy;wind`), a link can be written in any syntax Markdown and HTML allow (reference
links, raw `<a href>`, `<angle brackets>`), and an extension can include another file
(`pymdownx.snippets`' `--8<--`). Markdown runs with the site's own extensions and settings from
`mkdocs.yml`. Every file opened while it runs is recorded (Python's audit hook on `open`), so any
extension's include directive is seen, whatever its syntax.

Results are cached by content and settings in the user's cache folder when every extension is one
that reads no file (PURE_EXTENSIONS): an include's target can appear or change on its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import html.parser
import logging
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import markdown

from .cache import Store
from .text import markup_text

SEPARATOR = "notepressfieldseparator"
URL_ATTRIBUTES = {"href", "src", "srcset", "poster", "data", "action", "formaction", "cite", "background",
                  "xlink:href", "longdesc", "manifest", "ping"}
# What Markdown and the known extensions act on inside a text's words or links: HTML and entities,
# emphasis (* _ ~ ^ =), code, links and references ([ ] and <…>), escapes, attributes and critic marks ({ }),
# tables (|), abbreviations and footnotes. Text without any of them renders to the same words.
MARKUP = re.compile(r"[<>&*_~^=`\[\]\\{}|]")
REFRESH_URL = re.compile(r"url\s*=\s*(.+)", re.IGNORECASE)
# Extensions that never read a file: their output depends on the text alone, so it can be cached.
# Any other (pymdownx.snippets, markdown-include, one we do not know) is rendered every time.
PURE_EXTENSIONS = {
    "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code", "footnotes", "legacy_attrs",
    "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks",
    "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.blocks.admonition", "pymdownx.blocks.details",
    "pymdownx.blocks.html", "pymdownx.blocks.tab", "pymdownx.caret", "pymdownx.critic", "pymdownx.details",
    "pymdownx.emoji", "pymdownx.escapeall", "pymdownx.extra", "pymdownx.fancylists", "pymdownx.highlight",
    "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.magiclink", "pymdownx.mark", "pymdownx.progressbar",
    "pymdownx.saneheaders", "pymdownx.smartsymbols", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist",
    "pymdownx.tilde", "material.extensions.emoji",
}
_opened: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("notepress_opened", default=None)
_hooked = False


@contextlib.contextmanager
def reading() -> Iterator[list[str]]:
    """The files opened in this block (by any extension: includes), as they are opened."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_record_open)
        _hooked = True
    opened: list[str] = []
    token = _opened.set(opened)
    try:
        yield opened
    finally:
        _opened.reset(token)


def _record_open(event: str, args: tuple) -> None:
    if event == "open":
        opened = _opened.get()
        if opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.fsdecode(args[0]))


@dataclass(frozen=True)
class Field:
    text: str  # what a reader sees: visible text, attribute values, comments (see text.markup_text)
    urls: tuple[str, ...]  # every URL in href, src and the like, entities decoded


@dataclass(frozen=True)
class Rendered:
    fields: dict[str, Field]
    files: tuple[str, ...]  # absolute paths of the files read while rendering (includes)


class PostsFiles:
    """The files of posts/, known by the file itself (device and inode), so that a path, a symbolic
    link or a hard link to one of them, from anywhere, is that file."""

    def __init__(self, posts_dir: Path):
        self.posts_dir = posts_dir
        self._ids: dict[tuple[int, int], str] | None = None

    def which(self, path) -> str | None:
        """The posts/ file (normalised path, as entries are read) that `path` is, or None."""
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        if self._ids is None:
            self._ids = {}
            for folder, _, files in os.walk(self.posts_dir):
                for name in files:
                    file = os.path.join(folder, name)
                    try:
                        info = os.stat(file)
                    except OSError:
                        continue
                    self._ids.setdefault((info.st_dev, info.st_ino), os.path.normcase(os.path.normpath(file)))
        return self._ids.get((st.st_dev, st.st_ino))


class _Urls(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            content = dict(attrs).get("content") or ""  # "0; url=…" sends the reader there
            self.urls += [m.group(1).strip("'\" ") for m in REFRESH_URL.finditer(content)]
        for name, value in attrs:
            if value and name in URL_ATTRIBUTES:
                self.urls += [part.split()[0] for part in value.split(",") if part.strip()] \
                    if name == "srcset" else [value]

    handle_startendtag = handle_starttag


def urls_of(html_text: str) -> tuple[str, ...]:
    if "=" not in html_text:
        return ()
    parser = _Urls()
    parser.feed(html_text)
    parser.close()
    return tuple(parser.urls)


class Renderer:
    """Renders entry fields with the site's Markdown settings (see site.markdown_settings)."""

    def __init__(self, root: Path, extensions: list, configs: dict):
        configs = rooted_snippets(extensions, configs, root)
        self.md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        self.cacheable = all(extension_name(e) in PURE_EXTENSIONS for e in extensions)
        self.key = hashlib.blake2b(repr((extensions, sorted(configs.items(), key=str))).encode(),
                                   digest_size=16).digest()
        self.store = Store("rendered", root, key=self.key)

    def render(self, fields: dict[str, str]) -> Rendered:
        """Render the Markdown of each field (in one pass: fields are separated by a marker paragraph)."""
        names = [n for n, t in fields.items() if t.strip()]
        if self.cacheable and not any(MARKUP.search(fields[n]) for n in names):
            # Nothing for Markdown to change in the words (no markup, entity, link, include or escape):
            # the page shows the source, which is checked as written.
            return Rendered({}, ())
        doc = f"\n\n{SEPARATOR}\n\n".join(fields[n] for n in names)
        key = hashlib.blake2b(doc.encode("utf-8", "surrogatepass") + self.key, digest_size=16).digest()
        hit = self.store.get(key) if self.cacheable else None
        if hit is not None:
            return hit
        with reading() as opened:
            out = self.md.reset().convert(doc)
        parts = out.split(f"<p>{SEPARATOR}</p>")
        if len(parts) != len(names):  # a field's markup swallowed the marker: attribute it all to the body
            parts, names = [out], ["body"]
        result = Rendered({n: Field(markup_text(p), urls_of(p)) for n, p in zip(names, parts)},
                          tuple(dict.fromkeys(os.path.abspath(f) for f in opened)))
        if self.cacheable and not result.files:
            self.store.put(key, result)
        return result

    def save(self) -> None:
        self.store.save()


def extension_name(extension) -> str:
    name = extension if isinstance(extension, str) else type(extension).__module__
    return name.removeprefix("markdown.extensions.")


def rooted_snippets(extensions: list, configs: dict, root: Path) -> dict:
    """Relative include folders are relative to the writing repo (where `mkdocs build` runs)."""
    if "pymdownx.snippets" not in extensions:
        return configs
    snippets = configs.get("pymdownx.snippets", {})
    bases = snippets.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    return {**configs, "pymdownx.snippets": {**snippets, "base_path": [str(root / b) for b in bases]}}


class PageCache:
    """MkDocs' rendering of blog posts, kept across builds in the user's cache folder: a post whose
    Markdown, URL and site (every file's URL, the Markdown settings and the installed packages) are
    the same is not converted again. Only when every extension is one that reads no file, and never
    for a post that opened a file while it was rendered; what MkDocs logged while rendering (broken
    links) is logged again, so warnings and `strict` are the same as without it."""

    def __init__(self, root: Path, config, files):
        extensions = config.markdown_extensions
        self.enabled = all(isinstance(e, str) and extension_name(e) in PURE_EXTENSIONS for e in extensions)
        site = hashlib.blake2b(digest_size=16)
        site.update(repr((list(extensions), sorted((config.mdx_configs or {}).items(), key=str), config.validation,
                          config.use_directory_urls, logging.getLogger("mkdocs").getEffectiveLevel())).encode())
        for file in sorted(files, key=lambda f: f.src_uri):
            site.update(f"{file.src_uri}\0{file.url}\0{file.dest_uri}\n".encode("utf-8", "surrogateescape"))
        self.site = site.digest()
        self.store = Store("pages", root) if self.enabled else None
        self.hits = 0

    def wrap(self, page, config, files) -> None:
        """Make `page.render` use the cache (MkDocs calls it right after on_page_markdown)."""
        if not self.enabled:
            return
        render = page.render

        def cached_render(config, files):
            key = hashlib.blake2b(f"{page.file.src_uri}\0{page.file.url}\0".encode("utf-8", "surrogateescape")
                                  + (page.markdown or "").encode("utf-8", "surrogatepass") + self.site,
                                  digest_size=16).digest()
            hit = self.store.get(key)
            if hit is not None:
                self._restore(page, files, hit)
                self.hits += 1
                return
            with reading() as opened, _logged() as said:
                render(config, files)
            if not opened:
                links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()} \
                    if page.links_to_anchors is not None else None
                self.store.put(key, (page.content, page.toc, page._title_from_render,
                                     set(page.present_anchor_ids or ()), links, said))

        page.render = cached_render

    def wrap_excerpt(self, post) -> None:
        """Make the post's excerpt, rendered on every listing that shows it, use the cache too: by
        the post's Markdown (by then cut to its head, see plugin.excerpt_source), title and URL and
        the listing's URL."""
        excerpt = getattr(post, "excerpt", None)
        if not self.enabled or excerpt is None:
            return
        render = excerpt.render

        def cached_render(page, separator):
            key = hashlib.blake2b(repr(("excerpt", post.file.src_uri, post.url, page.url, separator, post.title,
                                        post._title_from_render)).encode("utf-8", "surrogatepass")
                                  + (post.markdown or "").encode("utf-8", "surrogatepass") + self.site,
                                  digest_size=16).digest()
            hit = self.store.get(key)
            if hit is not None:
                import copy

                excerpt.content, excerpt.more, toc, said = hit
                excerpt.toc = copy.deepcopy(toc)
                for name, level, message in said:
                    logging.getLogger(name).log(level, "%s", message)
                return
            excerpt.more = None
            with reading() as opened, _logged() as said:
                render(page, separator)
            if not opened:
                self.store.put(key, (excerpt.content, excerpt.more, excerpt.toc, said))

        excerpt.render = cached_render

    @staticmethod
    def _restore(page, files, hit: tuple) -> None:
        import copy

        content, toc, title, anchors, links, said = hit
        page.content, page.toc, page._title_from_render = content, copy.deepcopy(toc), title
        page.present_anchor_ids = set(anchors)
        if links is not None:
            page.links_to_anchors = {files.get_file_from_path(uri): dict(v) for uri, v in links.items()
                                     if files.get_file_from_path(uri) is not None}
        for name, level, message in said:
            logging.getLogger(name).log(level, "%s", message)

    def save(self) -> None:
        if self.store is not None:
            self.store.save()


class _Said(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record):
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def _logged() -> Iterator[list[tuple[str, int, str]]]:
    """What MkDocs logs in this block: (logger, level, message)."""
    handler, logger = _Said(), logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
