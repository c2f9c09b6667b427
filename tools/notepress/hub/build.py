"""`notepress build --for team`: read, gate (the team's view), generate, build, index, audit, swap.

    built = build_hub(project, engine="mkdocs", site_dir=None, progress=print)

The hub goes into its own folder (`site-team/` by default), never inside a folder the public site
is built from or into, and is swapped in whole only after its audit: no page, search chunk or file
name of it may hold a private entry's or a draft's text or slug, a customer or contact that only
those name, or a file of posts/ (the hub publishes no attachment). The hub is never uploaded by the
publish workflow (it uploads site/ only) and ships a robots.txt that disallows everything.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .. import lastbuild
from ..audience import Reader
from ..cache import Store
from ..audit import audit_site
from ..newsletter import archive
from ..output import BuildLock, exchange_in, leftovers, recover, write_atomic, write_if_changed
from ..problems import NotepressError, Problem
from ..project import Project, opened
from ..publish import audited, leak_problems, os_problem
from ..templates import PACKAGED
from . import engine as engines
from . import pages, search

DEFAULT = "site-team"
LAST = "lastbuild-team"  # the store (cache.py) of what the last hub was built from
DOCS, SEARCH = "team-docs", "team-search"  # in .notepress/: the generated pages, the search index's parts
WORK = ".work"  # .site-team.work/ beside the hub: the hub before it, which MkDocs renders the next one into
STATIC = ("hub.css", "hub.js")
ROBOTS = "# The team's insight hub (notepress): internal, for no search engine.\nUser-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class TeamBuild:
    site_dir: Path
    engine: str
    summary: str
    seconds: float
    warnings: tuple[str, ...] = ()


def build_hub(where: Project | Path | str, *, engine: str | None = None, site_dir: Path | str | None = None,
              progress=None) -> TeamBuild:
    """Build the team's hub into `site_dir` (default: site-team/ in the repo) with `engine`."""
    start, project = time.perf_counter(), opened(where)
    say = progress or (lambda message: None)
    config = project.require_config()
    name = engine or config.engine
    out = target(project, site_dir)
    warnings = tuple(str(p) for p in project.go_on())  # an entry with an error is left out, as the review tools do
    try:
        with BuildLock(config.owned_dir / "team-build.lock", say):  # one build of the hub at a time
            summary = _built(project, name, out, say)
    except OSError as e:
        raise NotepressError(os_problem(e, project.root)) from None
    return TeamBuild(out, name, summary, time.perf_counter() - start, warnings)


def _built(project: Project, name: str, out: Path, say) -> str:
    """The hub built into `out` unless nothing changed since the last one; what it holds."""
    config = project.config
    inputs, outputs = _inputs(project, name, out), [out, config.owned_dir / DOCS]
    last = lastbuild.unchanged(project.root, inputs, outputs, kind=LAST) if inputs else None
    if last is not None:
        say(f"notepress: nothing changed since the last build: {out.name}/ is the hub it built and audited from "
            "these same sources, left as it is")
        return str(last.get("summary"))
    lastbuild.forget(project.root, kind=LAST)
    team = project.team(valid=True)
    docs, store = config.owned_dir / DOCS, Store("hub-pages", project.root)  # by this code (cache.py)
    known = {page: made for page, made in (store.get("made") or {}).items() if (docs / page).is_file()}
    made = pages.hub(team, issues(project), project.today, str(project.settings.data.get("site_name") or "Notes"),
                     known, store.get("kept"))
    _write_pages(docs, made.pages)
    store.put("made", made.made)
    store.put("kept", made.kept)
    store.save()
    recover(out)
    for left in leftovers(out):
        shutil.rmtree(left, ignore_errors=True)
    say(f"Building the team hub with {name} into {out.name}/ …")
    _build(project, name, docs, made, out, say)
    say(f"notepress: audited {out.name}/: nothing of a private entry or a draft")
    summary = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in (
        (sum(1 for e in team if e.insight), "insight", "insights"),
        (sum(1 for e in team if e.loop), "learning entry", "learning entries"),
        (len(made.pages), "page", "pages"), (len(made.records), "search record", "search records")))
    if inputs:
        lastbuild.remember(project.root, inputs, outputs, {"summary": f"{summary}, nothing changed"}, kind=LAST)
    return summary


def _inputs(project: Project, engine: str, out: Path) -> str:
    """Everything the hub is built from (lastbuild.fingerprint: posts/, the settings, templates/, the
    day, the code) and the newsletter's archive; none ("") while notepress.yml has an error."""
    if any(p.severity == "error" for p in project.config_problems):
        return ""
    archive_dir = project.config.root / project.config.newsletter.archive
    return lastbuild.fingerprint(project, engine=engine, options=("team", str(out))) + \
        (lastbuild.tree(archive_dir) if archive_dir.is_dir() else "")


def _build(project: Project, engine: str, docs: Path, made: pages.Hub, out: Path, say) -> None:
    """Render, complete, audit, swap in. Either engine renders into the hub built before the last
    one (`out`'s twin, kept by output.exchange_in), again only the pages whose Markdown changed
    since it was made (engine.py)."""
    folder = out.parent / f".{out.name}{WORK}"
    held = engines.pages_in(project, folder)  # what the folder holds before this build
    theme_dirs = engines.build(project, engine, docs, folder, out, say)
    pages = _complete(folder, made, project.config.owned_dir / SEARCH, project.today, held)
    engines.holds(project, folder, pages)
    _audit(project, folder, out, theme_dirs)
    if not exchange_in(folder, out):  # the first hub: nothing before it was kept
        engines.twin(project, out, folder)


def target(project: Project, site_dir: Path | str | None) -> Path:
    """The hub's folder: refused inside (or around) posts/, docs/, the public site or notepress's own."""
    config = project.config
    out = (project.root / (site_dir or DEFAULT)).resolve()
    public = {"site_dir": project.settings.site_dir, "docs_dir": project.settings.docs_dir,
              "posts": config.posts_dir, ".notepress": config.owned_dir, "the writing repo": project.root}
    for what, folder in public.items():
        folder = folder.resolve()
        around = out == folder or out in folder.parents  # the swap would replace it
        if around or (what != "the writing repo" and folder in out.parents):
            raise NotepressError(Problem(str(site_dir or DEFAULT), 0, "", f"the team hub cannot be built in or around "
                                         f"{what} ({_shown(folder, project.root)}): it would be published with it, "
                                         "or replace it", f"build it into a folder of its own: --site-dir {DEFAULT}"))
    return out


def _shown(path: Path, root: Path) -> str:
    return f"{path.relative_to(root).as_posix()}/" if path != root and root in path.parents else str(path)


def issues(project: Project) -> list[pages.Issue]:
    """The newsletter's archived issues, as the hub shows them."""
    return [pages.Issue(r.number, r.subject, r.since, r.until, r.entries)
            for r in archive.issues(project.config.root / project.config.newsletter.archive)]


def _write_pages(docs: Path, files: dict[str, str | None]) -> None:
    """The pages into `docs`, each written only when it changed (MkDocs renders again only those);
    a page no longer made is removed."""
    wanted = {**{rel: None if text is None else text.encode("utf-8") for rel, text in files.items()},
              **{name: (PACKAGED / "hub" / name).read_bytes() for name in STATIC}}
    for rel, data in wanted.items():
        if data is None:  # the same as before (pages.hub's `known`): the file there is it
            continue
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(docs / rel, data)
    for rel in engines.files_in(docs):
        if rel not in wanted:
            (docs / rel).unlink()


def _complete(rendered: Path, made: pages.Hub, kept: Path, today: dt.date, held: frozenset[str] | None) -> frozenset[str]:
    """What every hub has whatever the engine: no page of a page no longer made (MkDocs keeps what it
    built before: `held`, the pages the folder held, or all of them looked for) nor its folder
    (customers/x/ names a customer), no sitemap (nothing is for search engines), a robots.txt
    refusing them all, and the search index. Returns the pages it holds."""
    wanted = frozenset({engines.output(rel) for rel in made.pages} | {"404.html"})
    for rel in ((held if held is not None else _pages(rendered)) - wanted):
        (rendered / rel).unlink(missing_ok=True)
        folder = (rendered / rel).parent
        while folder != rendered and folder.is_dir() and not os.listdir(folder):  # and its folders left empty
            folder.rmdir()
            folder = folder.parent
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        (rendered / name).unlink(missing_ok=True)
    write_atomic(rendered / "robots.txt", ROBOTS.encode())
    search.write_index(made.records, rendered, kept, today)
    return wanted


def _pages(rendered: Path) -> frozenset[str]:
    """Every page of `rendered` (in its pages' folders, not the theme's nor the index's)."""
    return frozenset(rel for rel in engines.files_in(rendered, ("assets", search.BUNDLE)) if rel.endswith(".html"))


def _audit(project: Project, rendered: Path, out: Path, theme_dirs: list[Path]) -> None:
    findings = audit_site(rendered, audited(project), project.config, label=out.name, theme_dirs=theme_dirs,
                          today=project.today, reader=Reader.TEAM)
    if findings:
        raise NotepressError(leak_problems(findings, "remove the text from what the team sees (an internal entry, a "
                                           "newsletter subject, templates/hub/), or make that entry internal; the "
                                           "last good hub was kept"))
