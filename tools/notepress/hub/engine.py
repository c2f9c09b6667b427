"""Either site engine renders the hub's pages: its own settings, made from the writer's mkdocs.yml.

The hub takes the writer's theme (name, palette, language, fonts) and Markdown extensions from
mkdocs.yml, and nothing else of it: no plugin (no blog, no RSS, no sitemap for search engines),
of its extensions only those that read no file (rendered.PURE_EXTENSIONS; `pymdownx.snippets`
includes one and `pymdownx.b64` embeds one: a file of posts/ the team may not see), its own navigation
(the five sections as tabs) and its own templates (`templates/hub/theme/main.html`: every page says
it is internal and carries `noindex`). Search is Pagefind's (search.py), so the engines' own is off.

Both render into the hub built before the last one (build.py keeps it beside the hub), and when
nothing but pages changed since, only the pages whose Markdown changed; the others are left out of
the build altogether, as excluded pages that links still resolve to. MkDocs does it in this process
(its `dirty` build); Zensical in a process of its own, into a new folder (it empties the folder it
renders into) whose files are then moved into the hub before the last one: at 8,300 pages it
rendered all in 37 s of CPU, a few in under 1 s.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from ..cache import Store
from ..output import staging_dir, write_if_changed
from ..problems import NotepressError, Problem
from ..rendered import PURE_EXTENSIONS
from ..templates import compiled_envs
from .. import site

THEME = Path(__file__).resolve().parent.parent / "templates" / "hub" / "theme"
SECTIONS = (("Insights", "index.md"), ("Themes", "themes/index.md"), ("Customers", "customers/index.md"),
            ("Newsletter", "newsletter/index.md"), ("Learning log", "learning/index.md"))
SETTINGS = ".notepress-zensical-team.yml"  # Zensical reads its settings from a file in the repo's root


def settings(project, docs: Path, out: Path) -> dict:
    """The hub's engine settings (as mkdocs.yml would hold them), for both engines: of the writer's
    theme, its name, palette, language, fonts and icons (a logo or favicon file is in docs/, which the
    hub is not built from: it would be a broken image on every page)."""
    found = project.settings.data
    theme = found.get("theme") if isinstance(found.get("theme"), dict) else {"name": str(found.get("theme") or "material")}
    extensions = [e for e in (found.get("markdown_extensions") or []) if _module(e) in PURE_EXTENSIONS]
    names = {_module(e) for e in extensions}
    extensions += [e for e in ("attr_list", "md_in_html", "tables") if e not in names]
    if "toc" not in names:
        extensions.append({"toc": {"permalink": True}})
    return {
        "site_name": f"{found.get('site_name') or 'Notes'}: team insight hub (internal)",
        "docs_dir": str(docs), "site_dir": str(out), "use_directory_urls": True,
        "theme": {**{k: v for k, v in theme.items() if k in ("name", "palette", "language", "font", "icon")},
                  "custom_dir": str(THEME), "features": ["navigation.tabs", "navigation.top", "toc.follow"]},
        "markdown_extensions": extensions,
        "plugins": [],  # none: not even MkDocs' default search (search.py indexes the hub)
        "nav": [{title: page} for title, page in SECTIONS],
        "not_in_nav": "/themes/*\n/customers/*\n/customers-by-name/*\n/newsletter/*\n/learning/*\n",
        "extra_css": ["hub.css"], "extra_javascript": ["hub.js"],
        "extra": {"generator": False},
    }


def _extension_name(item) -> str:
    return item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""


def _module(item) -> str:
    """An extension's module as rendered.PURE_EXTENSIONS names it, however mkdocs.yml writes it
    (`markdown.extensions.toc`, `pymdownx.snippets:SnippetExtension`, which Markdown accepts)."""
    return _extension_name(item).partition(":")[0].removeprefix("markdown.extensions.")


def build(project, engine: str, docs: Path, folder: Path, hub: Path, progress=None) -> list[Path]:
    """Render `docs` with `engine` into `folder` (the hub before `hub`, the last one): only the pages
    whose Markdown is newer than their page there, when the folder was rendered with these same
    settings and code. Returns the installed theme's folders (for the audit)."""
    if engine == "zensical":
        return _zensical(project, docs, folder, hub)
    return _mkdocs(project, docs, folder, progress)


def _mkdocs(project, docs: Path, work: Path, progress) -> list[Path]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_text = yaml.safe_dump(settings(project, docs, work), allow_unicode=True, sort_keys=False)
    rendered = _Rendered(project)
    stamp = hashlib.sha256(config_text.encode()).hexdigest()
    dirty = rendered.get(work) == stamp
    if not dirty:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    rendered.set(work, None)  # until this build ends well: an interrupted one starts clean
    quiet = _Without("A 'dirty' build is being performed")  # MkDocs' warning to its users of --dirty: the
    logger = logging.getLogger("mkdocs.commands.build")       # hub's navigation is the same on every page
    logger.addFilter(quiet)
    links = _Without("Doc file ", "which is excluded from the built site")  # a link to a page left as it is
    logging.getLogger("mkdocs.structure.pages").addFilter(links)
    with site._collecting(progress) as handler:
        try:
            config = load_config(config_file=_named(config_text, project.root), site_dir=str(work), docs_dir=str(docs))
            config.theme.static_templates.discard("sitemap.xml")  # nothing of the hub is for search engines
            config.theme.get_env = compiled_envs(config.theme.get_env, "hub-theme")  # its own: filters are
            # looked up as a template compiles
            if dirty:
                config.plugins["notepress-hub-unchanged"] = _unchanged_left_out()
            mkdocs_build(config, dirty=dirty)
        except (MkDocsException, OSError) as e:
            raise NotepressError(Problem(site.ENGINE_CONFIG, 0, "", f"the team hub's build failed: "
                                         f"{site._one_line(handler.errors() or e)}",
                                         "fix what MkDocs reports, then build again")) from None
        finally:
            logger.removeFilter(quiet)
            logging.getLogger("mkdocs.structure.pages").removeFilter(links)
    rendered.set(work, stamp)
    return site.installed_theme_dirs(config)


def _unchanged_left_out():
    """A plugin for MkDocs' dirty build of the hub: a page whose Markdown is not newer than its page in
    the folder (MkDocs' own test of a dirty build) is left out of the build as excluded, so MkDocs
    makes no page, navigation entry or check for the 8,000 that did not change; links to it still
    resolve (to its page, there from before). The navigation's five pages always take part."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import InclusionLevel

    class Unchanged(BasePlugin):
        def on_files(self, files, config):
            sections = {page for _, page in SECTIONS}
            for file in files.documentation_pages():
                if file.src_uri not in sections and not file.is_modified():
                    file.inclusion = InclusionLevel.EXCLUDED
            return files

    return Unchanged()


class _Without(logging.Filter):
    def __init__(self, start: str, end: str = ""):
        super().__init__()
        self.start, self.end = start, end

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith(self.start) and message.endswith(self.end))


def twin(project, hub: Path, work: Path) -> None:
    """A copy of the hub just rendered, for the next build to render into (on the first build there
    is no hub before it to keep): files with their times, the settings they were rendered with and
    the pages they are."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(hub, work)
    rendered = _Rendered(project)
    rendered.set(work, rendered.get(hub), rendered.pages(hub))


def pages_in(project, folder: Path) -> frozenset[str] | None:
    """The pages (index.html, customers/x/index.html, ...) the hub's `folder` held when a build last
    completed it (`holds`), or None when not known. An engine renders into the folder again only
    the pages that changed: a page no longer made is still there."""
    return _Rendered(project).pages(folder)


def holds(project, folder: Path, pages: frozenset[str]) -> None:
    rendered = _Rendered(project)
    rendered.set(folder, rendered.get(folder), pages)


class _Rendered:
    """Which settings each of the hub's two folders was rendered with, and the pages it holds, by the
    folder's inode (the two swap places: output.exchange_in), in cache.py's store (keyed by the code too)."""

    def __init__(self, project):
        self.store = Store("hub-rendered", project.root)
        self.folders: dict[int, tuple[str, frozenset[str] | None]] = dict(self.store.get("folders") or {})

    def get(self, folder: Path) -> str | None:
        return self.folders.get(folder.stat().st_ino, (None, None))[0] if folder.is_dir() else None

    def pages(self, folder: Path) -> frozenset[str] | None:
        return self.folders.get(folder.stat().st_ino, (None, None))[1] if folder.is_dir() else None

    def set(self, folder: Path, stamp: str | None, pages: frozenset[str] | None = None) -> None:
        """`folder` rendered with `stamp`, holding `pages` (None: not known, as while a build renders
        into it: neither is)."""
        if stamp is None:
            self.folders.pop(folder.stat().st_ino, None)
        else:
            self.folders[folder.stat().st_ino] = (stamp, pages)
        self.store.put("folders", dict(self.folders))
        self.store.save()


def _named(text: str, root: Path):
    import io

    data = io.BytesIO(text.encode("utf-8"))
    data.name = str(root / "mkdocs-team.yml")  # MkDocs resolves relative paths from the file's folder
    return data


def _zensical(project, docs: Path, work: Path, hub: Path) -> list[Path]:
    """Zensical renders into a new folder (it empties the one it renders into) beside `hub`: when
    `work` was rendered with these same settings and code, only the pages whose Markdown is newer
    than their page in `work` (MkDocs' test of a dirty build), the others left out as excluded
    (links to them still resolve), and what it rendered is moved into `work`; else every page, and
    the new folder becomes `work`."""
    site._require_zensical()
    data = settings(project, docs, work)
    data.pop("not_in_nav")
    data["plugins"] = {"search": {"enabled": False}}
    rendered = _Rendered(project)
    stamp = hashlib.sha256(json.dumps(["zensical", data], sort_keys=True).encode()).hexdigest()
    changed = _changed(docs, work) if rendered.get(work) == stamp else None  # None: every page
    if work.is_dir():
        rendered.set(work, None)  # until this build ends well: an interrupted one renders every page
    fresh = staging_dir(hub)
    try:
        data["site_dir"] = str(fresh)
        if changed is not None:  # every page but these is left out: a pattern each, as gitignore reads them
            data["exclude_docs"] = "*.md\n" + "".join(f"!/{_literal(rel)}\n" for rel in sorted(changed))
            # links to pages left out are resolved all the same; Zensical's warning for each of them
            # (1.8 MB of output for six pages at 10,000 insights) doubled its time
            data["validation"] = {"invalid_links": False, "invalid_link_anchors": False}
        _run_zensical(project, data, fresh)
        if changed is None:
            shutil.rmtree(work, ignore_errors=True)
            os.replace(fresh, work)
        else:
            _move_into(fresh, work)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    rendered.set(work, stamp)
    return site.Zensical(project).theme_dirs()


def _changed(docs: Path, work: Path) -> set[str]:
    """The pages of `docs` (by their path inside it) whose Markdown is newer than their page in
    `work`, or that have none there; and the navigation's five, which every build renders."""
    changed = {page for _, page in SECTIONS}
    for rel in files_in(docs):
        if not rel.endswith(".md"):
            continue
        try:
            if os.stat(os.path.join(docs, rel)).st_mtime_ns <= os.stat(os.path.join(work, output(rel))).st_mtime_ns:
                continue
        except FileNotFoundError:
            pass
        changed.add(rel)
    return changed


def files_in(folder: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Every file under `folder`, by its path inside it (`customers/x/index.html`), but in its
    top-level folders named in `skip`."""
    found = []
    for top, dirs, files in os.walk(folder):
        inner = os.path.relpath(top, folder).replace(os.sep, "/")
        if inner == ".":
            dirs[:] = [d for d in dirs if d not in skip]
        found += [name if inner == "." else f"{inner}/{name}" for name in files]
    return found


def output(rel: str) -> str:
    """Where an engine writes the page of `rel` (directory URLs): themes/x.md -> themes/x/index.html."""
    stem = rel.removesuffix(".md")
    return "index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html"


def _literal(rel: str) -> str:
    """A path as a gitignore pattern that matches only it."""
    return re.sub(r"([\\*?\[\]!# ])", r"\\\1", rel)


def _move_into(fresh: Path, work: Path) -> None:
    """Every file of `fresh` into the same place in `work`, replacing what is there."""
    for top, dirs, files in os.walk(fresh):
        target = work / os.path.relpath(top, fresh)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.replace(os.path.join(top, name), target / name)


def _run_zensical(project, data: dict, fresh: Path) -> None:
    for key in ("docs_dir", "site_dir"):
        data[key] = os.path.relpath(data[key], project.root)
    data["theme"]["custom_dir"] = os.path.relpath(THEME, project.root)
    path = project.root / SETTINGS
    write_if_changed(path, ("# Written by notepress for one Zensical run of the team hub (removed after it).\n" +
                            json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    try:
        done = subprocess.run([*site.Zensical(project)._command("build", "-f", SETTINGS)], cwd=project.root,
                              capture_output=True, text=True, preexec_fn=site.die_with_parent)
    finally:
        path.unlink(missing_ok=True)
    if done.returncode != 0 or not (fresh / "index.html").exists():
        said = (done.stdout + done.stderr).strip()
        raise NotepressError(Problem(site.ENGINE_CONFIG, 0, "", "the team hub's Zensical build failed: "
                                     f"{' '.join(said.splitlines()[-3:]) or done.returncode}",
                                     "fix what Zensical reports, then build again"))
