"""The MkDocs plugin: `mkdocs build` and `mkdocs serve` typed in the repo show the current posts/.

On every build it runs the same generation as `notepress build` (so the gate and its checks run),
builds into a staging folder, audits it, and only then swaps it in for `site/`. While serving it
shows drafts (marked by Material) and watches posts/ and notepress.yml.

    plugins:
      - notepress          # before blog, rss and search
      - blog
"""

from __future__ import annotations

import logging
import re
import shutil
from html import escape
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as MkDocsPluginConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from . import api, site
from .rendered import rooted_snippets
from .audit import audit_site
from .config import CONFIG_FILE
from .output import recover, staging_dir, swap_in
from .problems import NotepressError, Problem

log = logging.getLogger("mkdocs.plugins.notepress")
NO_SITE_URL = ("site_url is not set: feed items have no links, the sitemap lists nothing, newsletter links are "
               "relative (set site_url: https://…/ in notepress.yml)")
# The rss plugin writes <image><url>None</url></image> when no `image:` is set.
EMPTY_FEED_IMAGE = re.compile(r"\s*<image>\s*<url>None</url>.*?</image>", re.S)


def _watch_all_but(server, folder: Path, skip: Path) -> None:
    """Watch `folder` recursively except `skip` (folders created later are seen after a restart)."""
    server.watch(str(folder), recursive=False)
    for child in sorted(p for p in folder.iterdir() if p.is_dir()):
        if child == skip:
            continue
        if skip.is_relative_to(child):
            _watch_all_but(server, child, skip)
        else:
            server.watch(str(child))


class NotepressPluginConfig(MkDocsPluginConfig):
    redact = c.Optional(c.Type(bool))  # default: notepress.yml's `redact`
    strict = c.Type(bool, default=False)  # unknown front matter keys are errors


class NotepressPlugin(BasePlugin[NotepressPluginConfig]):
    def __init__(self):
        super().__init__()
        self.command = "build"
        self.overrides: dict = {}  # set by `notepress build` for its command-line options
        self.progress = log.info
        self.warn = log.warning
        self.project = None
        self.generated = None
        self.findings = []
        self.error: NotepressError | None = None
        self.problems: list[Problem] = []  # what the preview shows on every page
        self.stage: Path | None = None
        self.final: Path | None = None

    def on_startup(self, *, command, dirty):
        self.command = command

    def on_config(self, config):
        self.error, self.findings = None, []
        root = Path(config.config_file_path).resolve().parent
        options = {"redact": self.config.redact, "strict": self.config.strict, **self.overrides}
        serving = self.command == "serve"
        try:
            site.check_folders(root, config)  # `mkdocs build` typed in the repo is refused the same way
            if serving:
                self._preview(root, options)
            else:
                self.project, self.generated = api.generate_blog(root, **options)
        except NotepressError as e:
            self.error = e
            raise PluginError(f"notepress: the blog was not generated:\n{e}")
        for warning in self.project.warnings if self.project else []:
            log.warning(str(warning))
        if self.generated:
            self.progress(f"notepress: {self.generated.summary()}")
        if self.project and self.project.config.site_url:
            config.site_url = self.project.config.site_url
        elif not serving:
            self.warn(NO_SITE_URL)
        # Includes resolve against the writing repo, as the check resolved them, wherever MkDocs runs.
        config.mdx_configs = rooted_snippets(config.markdown_extensions, config.mdx_configs, root)
        if not serving:
            self.final = Path(config.site_dir)
            recover(self.final)
            self.stage = staging_dir(self.final)
            config.site_dir = str(self.stage)
        return config

    def _preview(self, root: Path, options: dict) -> None:
        """Serving: the valid entries are shown and the problems go on every page, instead of stopping
        the preview; when notepress.yml itself has an error, the posts generated last stay."""
        shown = api.preview_blog(root, **options)
        self.problems = shown.problems
        if shown.project is not None:
            self.project, self.generated = shown.project, shown.generated
        else:
            self.generated = None
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
        # Our own writes into docs/blog/posts/ must not trigger a second build after each save.
        docs, owned = Path(config.docs_dir).resolve(), cfg.blog_posts_dir.resolve()
        if owned.is_relative_to(docs):
            server.unwatch(config.docs_dir)
            _watch_all_but(server, docs, owned)
        return server

    def on_post_page(self, output, page, config):
        if self.command != "serve" or not self.problems:
            return output
        return problems_banner(output, self.problems)

    @event_priority(-100)  # after search, rss and sitemap have written their files
    def on_post_build(self, config):
        if self.stage is None:
            return
        stage, final = self.stage, self.final
        self.stage = None
        _drop_empty_feed_image(stage, config.plugins.get("rss"))
        self.findings = audit_site(stage, self.project.entries, self.project.config, label=final.name,
                                   theme_dirs=site.installed_theme_dirs(config), published=self.generated.attachments)
        if self.findings:
            shutil.rmtree(stage, ignore_errors=True)
            self.error = NotepressError([
                Problem(f.file, 0, "", f"{f.kind} \"{f.text}\" of non-public {f.source} is in the built site",
                        "make that entry public or remove the text; the last good site was kept")
                for f in self.findings
            ])
            raise PluginError(f"notepress: leak audit failed, {final.name}/ was not replaced:\n{self.error}")
        self.progress(f"notepress: audited {final.name}/: no content of non-public entries")
        swap_in(stage, final)
        config.site_dir = str(final)

    def on_build_error(self, error):
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None


BANNER_AT = (re.compile(r"<article\b[^>]*>"), re.compile(r"<body\b[^>]*>"))
BANNER_STYLE = "margin:0 0 1em;font-size:.8rem"


def problems_banner(html: str, problems: list[Problem]) -> str:
    """`html` with the problems listed at the top of its content (or of its body), one line each,
    escaped; as it was when it has neither."""
    n = len(problems)
    items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
    banner = (f'<div class="admonition failure notepress-problems" role="alert" style="{BANNER_STYLE}">'
              f'<p class="admonition-title">notepress: {n} problem{"s" if n != 1 else ""} (fix '
              f'{"them" if n != 1 else "it"} and save: this page reloads)</p>'
              f"<ul>{items}</ul></div>")
    for at in BANNER_AT:
        found = at.search(html)
        if found:
            return html[:found.end()] + banner + html[found.end():]
    return html


def _drop_empty_feed_image(site_dir: Path, rss) -> None:
    """Remove the feed image the rss plugin writes as `None` when none is configured."""
    if rss is None:
        return
    names = rss.config.feeds_filenames
    for name in (names.rss_created, names.rss_updated):
        path = site_dir / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            fixed = EMPTY_FEED_IMAGE.sub("", text)
            if fixed != text:
                path.write_bytes(fixed.encode("utf-8"))
