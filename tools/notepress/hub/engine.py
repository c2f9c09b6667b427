"""Either site engine renders the hub's pages: its own settings, made from the writer's mkdocs.yml.

The hub takes the writer's theme (name, palette, language, fonts) and Markdown extensions from
mkdocs.yml, and nothing else of it: no plugin (no blog, no RSS, no sitemap for search engines),
no `pymdownx.snippets` (an include could show a file the team may not see), its own navigation
(the five sections as tabs) and its own templates (`templates/hub/theme/main.html`: every page says
it is internal and carries `noindex`). Search is Pagefind's (search.py), so the engines' own is off.

MkDocs renders in this process into a working folder it keeps (`.notepress/team-site/`) and, when
nothing but pages changed since, only the pages whose Markdown changed (its `dirty` build), writing
each file by replacing it (never in place: the published hub holds links to the same files).
Zensical, in a process of its own, renders every page into a fresh folder, from its page cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from ..output import write_atomic, write_if_changed
from ..problems import NotepressError, Problem
from .. import site

THEME = Path(__file__).resolve().parent.parent / "templates" / "hub" / "theme"
SECTIONS = (("Insights", "index.md"), ("Themes", "themes/index.md"), ("Customers", "customers/index.md"),
            ("Newsletter", "newsletter/index.md"), ("Learning log", "learning/index.md"))
SETTINGS = ".notepress-zensical-team.yml"  # Zensical reads its settings from a file in the repo's root
STAMP = ".notepress-hub-settings"  # in the working folder: the settings it was rendered with


def settings(project, docs: Path, out: Path) -> dict:
    """The hub's engine settings (as mkdocs.yml would hold them), for both engines."""
    found = project.settings.data
    theme = found.get("theme") if isinstance(found.get("theme"), dict) else {"name": str(found.get("theme") or "material")}
    extensions = [e for e in (found.get("markdown_extensions") or []) if _extension_name(e) != "pymdownx.snippets"]
    names = {_extension_name(e) for e in extensions}
    extensions += [e for e in ("attr_list", "md_in_html", "tables") if e not in names]
    if "toc" not in names:
        extensions.append({"toc": {"permalink": True}})
    return {
        "site_name": f"{found.get('site_name') or 'Notes'}: team insight hub (internal)",
        "docs_dir": str(docs), "site_dir": str(out), "use_directory_urls": True,
        "theme": {**{k: v for k, v in theme.items() if k in ("name", "palette", "language", "font", "icon", "logo",
                                                              "favicon")},
                  "custom_dir": str(THEME), "features": ["navigation.tabs", "navigation.top", "toc.follow"]},
        "markdown_extensions": extensions,
        "plugins": [],  # none: not even MkDocs' default search (search.py indexes the hub)
        "nav": [{title: page} for title, page in SECTIONS],
        "not_in_nav": "/themes/*\n/customers/*\n/newsletter/*\n/learning/*\n",
        "extra_css": ["hub.css"], "extra_javascript": ["hub.js"],
        "extra": {"generator": False},
    }


def _extension_name(item) -> str:
    return item if isinstance(item, str) else next(iter(item), "") if isinstance(item, dict) else ""


def build(project, engine: str, docs: Path, work: Path, fresh: Path, progress=None) -> tuple[Path, list[Path]]:
    """Render `docs` with `engine`: MkDocs into `work` (kept between builds), Zensical into the empty
    folder `fresh`. Returns the folder rendered into and the installed theme's folders (for the audit)."""
    if engine == "zensical":
        return fresh, _zensical(project, docs, fresh)
    return work, _mkdocs(project, docs, work, progress)


def _mkdocs(project, docs: Path, work: Path, progress) -> list[Path]:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_text = yaml.safe_dump(settings(project, docs, work), allow_unicode=True, sort_keys=False)
    stamp = hashlib.sha256(f"{config_text}\0{_code()}".encode()).hexdigest()
    dirty = (work / STAMP).is_file() and (work / STAMP).read_text() == stamp
    if not dirty:
        shutil.rmtree(work, ignore_errors=True)
    with site._collecting(progress) as handler:
        try:
            config = load_config(config_file=_named(config_text, project.root), site_dir=str(work), docs_dir=str(docs))
            with _replacing_writes():
                mkdocs_build(config, dirty=dirty)
        except (MkDocsException, OSError) as e:
            raise NotepressError(Problem(site.ENGINE_CONFIG, 0, "", f"the team hub's build failed: "
                                         f"{site._one_line(handler.errors() or e)}",
                                         "fix what MkDocs reports, then build again")) from None
    write_atomic(work / STAMP, stamp.encode())
    return site.installed_theme_dirs(config)


def _named(text: str, root: Path):
    import io

    data = io.BytesIO(text.encode("utf-8"))
    data.name = str(root / "mkdocs-team.yml")  # MkDocs resolves relative paths from the file's folder
    return data


def _code() -> str:
    from ..cache import code_digest

    return code_digest()


@contextlib.contextmanager
def _replacing_writes():
    """MkDocs writing each file as a new file (a temporary one renamed over the old), not into the
    old one: the published hub shares the working folder's files (build.py links them), and a page
    rewritten in place would change the published one before its audit. MkDocs 1.6 writes through
    `mkdocs.utils.write_file` and copies through `mkdocs.utils.copy_file`."""
    from mkdocs import utils

    original = utils.write_file, utils.copy_file

    def write_file(content: bytes, output_path: str) -> None:
        write_atomic(Path(output_path), content)

    def copy_file(source_path: str, output_path: str) -> None:
        if os.path.isdir(output_path):
            output_path = os.path.join(output_path, os.path.basename(source_path))
        write_atomic(Path(output_path), Path(source_path).read_bytes())

    utils.write_file, utils.copy_file = write_file, copy_file
    try:
        yield
    finally:
        utils.write_file, utils.copy_file = original


def _zensical(project, docs: Path, fresh: Path) -> list[Path]:
    site._require_zensical()
    data = settings(project, docs, fresh)
    data.pop("not_in_nav")
    data["plugins"] = {"search": {"enabled": False}}
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
    return site.Zensical(project).theme_dirs()
