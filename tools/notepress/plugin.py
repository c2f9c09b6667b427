"""MkDocs' end of the publishing pipeline (publish.py): a thin adapter, so that `mkdocs build` and
`mkdocs serve` typed in the repo show the current posts/ behind the same gate.

`mkdocs build`: `publish.stage` before MkDocs renders (read, validate, gate, generate, a staging
folder to build into) and `publish.finish` after (audit, swap in for site/). When `notepress build`
runs the pipeline itself it loads the plugin with `pipeline: false`, and the plugin only adapts
MkDocs. `mkdocs serve`: drafts shown, problems on every page, posts/ and notepress.yml watched.

    plugins:
      - notepress          # before blog, rss and search
      - blog
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkDocsPluginConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from . import lastbuild, panel, publish, site, site_files
from .config import CONFIG_FILE
from .output import BuildLock, is_staging
from .problems import NotepressError, Problem
from .project import Project
from .rendered import PURE_EXTENSIONS, PageCache, extension_name, rooted_snippets

log = logging.getLogger("mkdocs.plugins.notepress")


class NotepressPluginConfig(MkDocsPluginConfig):
    redact = c.Optional(c.Type(bool))  # default: notepress.yml's `redact`
    strict = c.Type(bool, default=False)  # unknown front matter keys are errors
    pipeline = c.Type(bool, default=True)  # false: `notepress build` runs the pipeline around MkDocs
    expose = c.Type(bool, default=False)  # `notepress serve --expose`: the preview may be served beyond this machine


class NotepressPlugin(BasePlugin[NotepressPluginConfig]):
    def __init__(self):
        super().__init__()
        self.command = "build"
        self.project = None  # the project generated last (serving: None while notepress.yml is broken)
        self.staged: publish.Staged | None = None
        self.problems: list[Problem] = []  # what the preview shows on every page
        self.panel = ""  # and how: the problems panel (panel.py)
        self.pages: PageCache | None = None  # the posts rendered by earlier builds
        self.loader = None  # the YAML loader the blog plugin had before this build
        self.parser = None  # and the Markdown parser its excerpts had (see _excerpt_parser)
        self.lock = None  # a typed `mkdocs build` holds the repo's build lock from staging to the swap

    def on_startup(self, *, command, dirty):
        self.command = command
        self.dirty = dirty  # `notepress serve`: only changed posts are rendered again (see on_files)
        self.shown = None  # what every page of the preview was last rendered with
        self.templating = False

    def on_config(self, config):
        from .templates import compiled_envs

        config.theme.get_env = compiled_envs(config.theme.get_env, "theme")  # Material's templates compiled once
        root = Path(config.config_file_path).resolve().parent
        # The posts are written for MkDocs (blog.post_link), whatever engine notepress.yml names.
        options = {"redact": self.config.redact, "strict": self.config.strict, "engine": "mkdocs"}
        self.staged = None
        self.pages = None
        try:
            if self.command == "serve":
                self._loopback(config)
                self._preview(root, config, options)
            elif self.config.pipeline:
                self._stage(root, config, options)
            elif not is_staging(Path(config.site_dir)):  # written in mkdocs.yml: the audit would be skipped
                raise PluginError("notepress: `pipeline: false` is set by `notepress build` only; remove it "
                                  "from mkdocs.yml (a plain mkdocs build must generate, audit and swap)")
        except NotepressError as e:
            raise PluginError(f"notepress: the blog was not generated:\n{e}")
        if self.project and self.project.config.site_url:
            config.site_url = self.project.config.site_url
        # Feed autodiscovery: main.html links the feeds Material's base.html does not (the JSON ones).
        rss = config.plugins.get("rss")
        config.extra["notepress"] = {**(config.extra.get("notepress") or {}), "feeds": [
            f.link() for f in site_files.feed_files(rss.config if rss else None) if f.kind != "rss"]}
        # Includes resolve against the writing repo, as the check resolved them, wherever MkDocs runs.
        config.mdx_configs = rooted_snippets(config.markdown_extensions, config.mdx_configs, root)
        return config

    def _stage(self, root: Path, config, options: dict) -> None:
        """A plain `mkdocs build`: generate behind the gate, and build into a staging folder."""
        project = Project.open(root)
        project.check_folders()
        self.lock = BuildLock(project.config.owned_dir / "build.lock", log.info).__enter__()  # until on_post_build
        try:
            self.staged = publish.stage(project, Path(config.site_dir), **options)
        except BaseException:
            self._unlock()
            raise
        self.project = self.staged.project
        for warning in publish.build_warnings(self.project):
            log.warning(warning.removeprefix("warning: "))
        log.info(f"notepress: {self.staged.generated.summary()}")
        config.site_dir = str(self.staged.stage)
        config.docs_dir = str(self.project.config.engine_docs_dir)  # docs/ as published, and the posts

    def _loopback(self, config) -> None:
        """A preview typed as `mkdocs serve` obeys `notepress serve`'s rule: this machine only, unless
        notepress was told --expose (the preview shows drafts and is not audited)."""
        try:
            site.dev_address(f"{config.dev_addr.host}:{config.dev_addr.port}", expose=self.config.expose,
                             where=("mkdocs.yml", 0, "dev_addr"))
        except NotepressError as e:
            raise PluginError(f"notepress: {e}\nnotepress: or run `notepress serve --dev-addr ADDRESS --expose`")

    def _preview(self, root: Path, config, options: dict) -> None:
        """Serving: the valid entries are shown and the problems go on every page, instead of stopping
        the preview; when notepress.yml itself has an error, the posts generated last stay."""
        shown = publish.preview(root, **options)
        self.problems = shown.problems
        self.panel = panel.render(root, shown.problems)
        self.project = shown.project
        built = (shown.project.config if shown.project else None)
        if built is not None and built.engine_docs(preview=True).is_dir():
            config.docs_dir = str(built.engine_docs(preview=True))
        for problem in self.problems:
            log.error(f"notepress: {problem}")

    def on_serve(self, server, config, builder):
        if self.project is None:  # notepress.yml is broken: watch it, so that fixing it rebuilds
            root = Path(config.config_file_path).resolve().parent
            for path in (root / CONFIG_FILE, root / "posts"):
                if path.exists():
                    server.watch(str(path))
            return server
        cfg = self.project.config
        server.watch(str(cfg.posts_dir))
        if (cfg.root / CONFIG_FILE).exists():
            server.watch(str(cfg.root / CONFIG_FILE))
        # MkDocs watches the folder it builds from, which notepress writes during each build: the
        # writer's docs/ is watched instead (a change there is published through the screen).
        if Path(config.docs_dir).resolve() == cfg.engine_docs(preview=True).resolve():
            server.unwatch(config.docs_dir)
            server.watch(str(cfg.docs_dir))
        return server

    def on_post_page(self, output, page, config):
        if self.command != "serve":
            return output
        return panel.at_top(output, self.panel)

    @event_priority(100)  # before the blog plugin reads the posts
    def on_pre_build(self, config):
        self.loader = _post_loader(_CSafeLoader())
        self.parser = _excerpt_parser(ExcerptParser)

    @event_priority(-100)  # after the blog plugin has resolved its posts
    def on_files(self, files, config):
        _post_loader(self.loader)
        for blog in _blogs(config):
            blog.blog.posts = PageList(blog.blog.posts)
            _index_listings(blog.blog)
        rss = config.plugins.get("rss")
        for feed in site_files.feed_files(rss.config if rss else None):
            if files.get_file_from_path(feed.name) is None:
                files.append(WrittenLater.generated(config, feed.name, content=b""))
        if self.command == "serve" and self.dirty:
            self._render_again(files, config)
        return files

    def _render_again(self, files, config) -> None:
        """A preview writes again only the posts whose generated file changed (MkDocs' dirty
        build): every page is still read and converted (the listings need each post's excerpt;
        unchanged posts come from the page cache), but an unchanged post's page is not templated
        and written again. Every other page (home, listings, tags) shows other pages and is
        always written again; all of them are when what every page shows changed (the problems,
        the settings, the theme)."""
        custom = config.theme.custom_dir
        shown = (tuple(map(str, self.problems)), lastbuild.read(Path(config.config_file_path)),
                 lastbuild.read(Path(config.config_file_path).parent / CONFIG_FILE),
                 lastbuild.tree(Path(custom)) if custom else "")
        everything, self.shown = shown != self.shown, shown
        self.templating = False  # until on_env: pages are read and converted, then templated
        posts = {id(post.file): post.file for blog in _blogs(config) for post in blog.blog.posts}
        for file in {**{id(f): f for f in files.documentation_pages()}, **posts}.values():
            if everything or id(file) not in posts:
                file.is_modified = lambda: True
            else:
                file.is_modified = lambda changed=file.is_modified: not self.templating or changed()

    @event_priority(-100)  # after every plugin has changed the post's Markdown: it is rendered next
    def on_page_markdown(self, markdown, page, config, files):
        if any(page in blog.blog.posts for blog in _blogs(config)):
            if self.pages is None:  # the files' URLs are final once pages are rendered
                self.pages = PageCache(Path(config.config_file_path).resolve().parent, config, files)
            self.pages.wrap(page, config, files)
            self.pages.wrap_excerpt(page)
        return markdown

    def on_env(self, env, config, files):
        """Every page has been read and converted by now; next they are templated (`_render_again`).
        (The environment keeps Material's templates compiled: `on_config`.)"""
        self.templating = True
        return env

    @event_priority(-100)  # after the blog (excerpt, readtime) and rss (description) have read the post
    def on_page_content(self, html, page, config, files):
        """The post is rendered: its excerpts, rendered for every listing that shows the post, only
        need the text above the separator (see `excerpt_source`)."""
        for blog in _blogs(config):
            if page in blog.blog.posts and getattr(page, "excerpt", None) is not None:
                page.markdown = excerpt_source(page.markdown, blog.config.post_excerpt_separator,
                                               config.markdown_extensions, config.mdx_configs)
        return html

    @event_priority(-100)  # after search, rss and sitemap have written their files
    def on_post_build(self, config):
        _excerpt_parser(self.parser)
        if self.pages is not None:
            self.pages.save()
            log.debug(f"notepress: {self.pages.hits} posts rendered by an earlier build")
        staged, self.staged = self.staged, None
        if staged is None:
            return
        try:
            publish.finish(staged, site.installed_theme_dirs(config), progress=log.info)
        except NotepressError as e:
            raise PluginError(f"notepress: leak audit failed, {staged.final.name}/ was not replaced:\n{e}")
        finally:
            self._unlock()
        config.site_dir = str(staged.final)

    def _unlock(self) -> None:
        if self.lock is not None:
            self.lock.__exit__(None, None, None)
            self.lock = None

    def on_build_error(self, error):
        _post_loader(self.loader)
        _excerpt_parser(self.parser)
        if self.staged is not None:
            publish.discard(self.staged)
            self.staged = None
        self._unlock()


class WrittenLater(File):
    """A file of the site that a plugin writes itself after the pages (the rss plugin's feeds, at
    the site's root). Listed in MkDocs' files, so that a page's Markdown link to it from docs/
    (docs/subscribe.md's `[RSS feed](feed_rss_created.xml)`) becomes a link that works on the page,
    wherever the site is mounted, as Zensical makes it; never copied (there is nothing to copy)."""

    def copy_file(self, dirty: bool = False) -> None:
        pass

    def is_modified(self) -> bool:
        return False


def _CSafeLoader():
    import yaml

    return getattr(yaml, "CSafeLoader", None)


def _post_loader(loader):
    """Material's blog reads the front matter of each post with the loader named `SafeLoader` in its
    module: PyYAML's, in pure Python. While the blog plugin reads the posts (on_files) it is given
    libyaml's, which reads the same YAML into the same values several times faster (the posts are
    the ones notepress wrote); the loader it had is put back after. Returns the one it had."""
    return _in_blog_structure("SafeLoader", loader)


def _in_blog_structure(name: str, value):
    """`value` in the place of `name` in Material's blog structure module (when there is one, and
    `value` is not None); returns what was there (None: no blog plugin installed)."""
    try:
        from material.plugins.blog import structure
    except ImportError:
        return None
    had = getattr(structure, name, None)
    if value is not None and had is not None:
        setattr(structure, name, value)
    return had


def _excerpt_parser(parser):
    """Material's blog makes a Markdown parser for the excerpt of every post as it reads the post
    (structure.Excerpt.__init__: `Markdown(extensions=…, extension_configs=…)` and two tree
    processors registered on it), with the name `Markdown` of its structure module. During a build
    that name is ExcerptParser, which makes the parser when the excerpt is first rendered: with the
    page cache (rendered.PageCache.wrap_excerpt) an unchanged post's excerpt never is. The one it
    had is put back after the build. Returns the one it had (None: no blog plugin installed)."""
    had = _in_blog_structure("Markdown", parser)
    if had is ExcerptParser:  # left by a build that ended without either event
        from markdown import Markdown as had
    return had


class ExcerptParser:
    """A Markdown parser made when it is first used (see _excerpt_parser); the tree processors
    registered before are registered on it then. A parser per post cost about 1.3 ms and ~200
    objects that the garbage collector walked again at each full collection for the rest of the
    build: that grew faster than the posts (8,000 posts: 1.7 M objects, 7.5 s of collections)."""

    def __init__(self, **options):
        self._options, self._registered, self._parser = options, [], None

    @property
    def treeprocessors(self):
        return _Registering(self) if self._parser is None else self._parser.treeprocessors

    def __getattr__(self, name):  # anything else: the parser itself, made now
        return getattr(self.made(), name)

    def made(self):
        if self._parser is None:
            from markdown import Markdown

            self._parser = Markdown(**self._options)
            for args, kwargs in self._registered:
                self._parser.treeprocessors.register(*args, **kwargs)
        return self._parser


class _Registering:
    """The tree processors of a parser not made yet: a registration is kept for it, anything else
    makes it."""

    def __init__(self, owner: ExcerptParser):
        self.owner = owner

    def register(self, *args, **kwargs) -> None:
        self.owner._registered.append((args, kwargs))

    def __getattr__(self, name):
        return getattr(self.owner.made().treeprocessors, name)

    def __getitem__(self, key):
        return self.owner.made().treeprocessors[key]


def _blogs(config) -> list:
    """The instances of Material's blog plugin that have resolved their posts."""
    return [p for name, p in config.plugins.items()
            if name.split(" #")[0] == "material/blog" and getattr(p, "blog", None) is not None]


class PageList(list):
    """A list of pages asked `page in pages` for every page built: the blog's posts (Material's blog
    plugin asks it in several events of every page) and a listing's pages (its paginated views:
    Material's nav-item.html asks `page in nav_item.pages` of every listing in the navigation, on
    every page, and the blog plugin `view.pages.index(view)`). A list compares the page with every
    item (Page.__eq__), which made these questions grow with the square of the posts. The same
    answers (`is`, else `==`) from an index by File object: Page.__eq__ holds only for the same
    File, so only the items of the page's file are compared. The index is made at the first question
    and dropped whenever the list is changed."""

    def _by_file(self) -> dict[int, list[tuple[int, object]]]:
        index = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {}
            for at, item in enumerate(self):
                index.setdefault(id(getattr(item, "file", None)), []).append((at, item))
        return index

    def _first(self, page) -> int | None:
        return next((at for at, item in self._by_file().get(id(getattr(page, "file", None)), ())
                     if item is page or item == page), None)

    def __contains__(self, page) -> bool:
        return self._first(page) is not None

    def index(self, page, *bounds) -> int:
        at = self._first(page) if not bounds else None
        return at if at is not None else super().index(page, *bounds)  # (raises ValueError as a list does)


def _dropping_index(name: str):
    change = getattr(list, name)

    def changed(self, *args, **kwargs):
        self.__dict__.pop("_index", None)
        return change(self, *args, **kwargs)

    return changed


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "__setitem__", "__delitem__",
              "__iadd__", "__imul__"):
    setattr(PageList, _name, _dropping_index(_name))


def _index_listings(view) -> None:
    """Each listing's pages (the view and its paginated copies, which share one list: Material's
    `_generate_pages`) as one PageList, for it and its child listings (archive, categories)."""
    pages = PageList(view.pages)
    view.pages = pages
    for page in pages:
        page.pages = pages
    for child in view.views:
        _index_listings(child)


DEFINITION = re.compile(r"^ {0,3}\*?\[[^\]\n]+\]:", re.M)  # a reference link, footnote or abbreviation
MORE_STAND_IN = "…"  # what `excerpt.more` holds (Material's templates only ask whether there is more)
FENCE = re.compile(r"^\s*(```|~~~)|^ {0,3}<", re.M)  # a fence or an HTML block could hold the separator


def excerpt_source(markdown: str, separator: str, extensions: list, configs: dict) -> str:
    """The Markdown of a post's excerpt: what is above the first separator, when that renders to
    exactly the HTML above the separator in the whole post; else the whole post.

    Material renders the whole post again for every listing that shows it and keeps the part above
    the separator. That part is the same from the part of the source above a separator that stands
    as a block of its own, at the top level, when nothing below it defines what above it refers to
    (reference links, footnotes, abbreviations), nothing above it can hold it (a fence, an HTML
    block), the text has no table of contents marker and no extension reads a file (an include)."""
    at = markdown.find(separator)
    marker = (configs.get("toc") or {}).get("marker", "[TOC]") if "toc" in [extension_name(e) for e in extensions] else ""
    head, tail = markdown[:at], markdown[at + len(separator):]
    if (at <= 0 or not head.endswith("\n\n") or not (tail == "" or tail.startswith("\n"))
            or FENCE.search(head) or DEFINITION.search(tail) or (marker and marker in markdown)
            or not all(extension_name(e) in PURE_EXTENSIONS for e in extensions)):
        return markdown
    # Material links "Continue reading" when anything follows the separator (`excerpt.more`): a
    # stand-in paragraph keeps that, without rendering the rest of the post for every listing.
    return head + separator + ("\n\n" + MORE_STAND_IN + "\n" if tail.strip() else "\n")
