"""The publishing pipeline, in one place: read and validate, gate, generate, build, audit, swap.

    publish(root)                          # what `notepress build` runs, on the configured engine
    staged = stage(root, site_dir)         # read, validate, gate, generate; a staging folder
    finish(staged, theme_dirs)             # audit the staged site, then swap it in for site/

The engine (`site.py`) only renders the generated docs/ into the staging folder: the gate runs
before it and the audit after it, so the boundary never depends on an engine's plugins or hooks.
The MkDocs plugin runs `stage` and `finish` around a plain `mkdocs build` typed in the repo.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import blog, lastbuild, site_files
from .audit import Finding, audit_site
from .gitdates import last_changed, shallow_warning
from .output import BuildLock, leftovers, recover, staging_dir, swap_in
from .problems import NotepressError, Problem
from .project import Project, opened

NO_SITE_URL = ("site_url is not set: feed items have no links, the sitemap lists nothing, robots.txt names no "
               "sitemap, newsletter links are relative (set site_url: https://…/ in notepress.yml)")


# -- read, validate, gate, generate ------------------------------------------------------------------

def read(where: Project | Path | str, *, strict: bool = False) -> Project:
    """The project, its entries read; raises NotepressError with every problem if notepress.yml or
    an entry that could reach the public has an error (with `strict`, any warning too): an error of
    a private or internal entry is a warning, and the build goes on without it (Project.build_report)."""
    project = opened(where)
    project.require(strict=strict, build=True)
    return project


def generate(where: Project | Path | str, *, drafts: bool = False, redact: bool | None = None,
             strict: bool = False, engine: str | None = None) -> tuple[Project, blog.Generated]:
    """Validate, pass the public entries through the gate, write them as Material posts for
    `engine` (by default the configured one: see blog.post_link)."""
    project = read(where, strict=strict)
    screened = project.screen(drafts=drafts, redact=redact, entries=project.entries)
    if screened.problems:
        raise NotepressError(screened.problems)
    return project, _write_posts(project, screened, engine)


def build_warnings(project: Project, engine: str = "mkdocs") -> list[str]:
    """What a build with `engine` warns of before it builds: notepress.yml's and the entries' warnings
    ("file:line: warning: …"), the errors of private and internal entries it goes on without, the
    links of docs/'s pages the engine would get wrong, a missing site_url, and a shallow clone (its
    posts' dates would be wrong)."""
    said = [str(w) for w in [*project.build_report().warnings, *engine_warnings(project, engine)]]
    if not project.config.site_url:
        said.append(f"warning: {NO_SITE_URL}")
    shallow = shallow_warning(project.root)
    return said + ([shallow] if shallow else [])


def engine_warnings(project: Project, engine: str) -> list[Problem]:
    """The links of docs/'s pages that `engine` would get wrong: on Zensical, one to a feed written
    from the page's address (see site_files.feed_links_zensical_misses)."""
    found = project.engine_settings if engine == "zensical" else None
    return site_files.feed_links_zensical_misses(project.config, site_files.rss_options(found.data)) if found else []


def _write_posts(project: Project, screened, engine: str | None) -> blog.Generated:
    """The screened public view as posts for `engine` (None: the configured one), each with when its
    source last changed (from git; a file changed since, its file time), never after the project's day."""
    config = project.config
    changed = last_changed(project.root, config.posts_dir, [e.path for e in screened.view])
    return blog.generate(screened.view, {path: min(day, project.today) for path, day in changed.items()},
                         engine or config.engine)


@dataclass(frozen=True)
class Preview:
    """What a preview shows: `project` and `generated` are None when notepress.yml itself has an
    error (the posts generated last are kept); `problems` are the errors the page shows."""
    project: Project | None
    generated: blog.Generated | None
    problems: list[Problem]


def preview(where: Project | Path | str, *, redact: bool | None = None, strict: bool = False,
            engine: str | None = None) -> Preview:
    """Like `generate` with drafts, but problems are returned, not raised: the entries that are
    valid are written, so that a preview can show them with every problem. Never for a build: an
    invalid entry is left out here, and a build must refuse instead."""
    project = opened(where)
    if _failing(list(project.config_problems), strict):
        return Preview(None, None, _failing(list(project.config_problems), strict))
    screened = project.screen(drafts=True, redact=redact, entries=project.entries)
    problems = _failing([*project.report().problems, *screened.problems], strict)
    try:
        generated = _write_posts(project, screened, engine)
    except NotepressError as e:
        return Preview(None, None, sorted([*problems, *e.problems]))
    return Preview(project, generated, sorted(problems))


def _failing(problems: list[Problem], strict: bool) -> list[Problem]:
    """The problems that stop a build, as errors: every one with `strict`, else the errors."""
    return [dataclasses.replace(p, severity="error") for p in problems if strict or p.severity == "error"]


# -- stage, audit, swap --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Staged:
    """Generated posts and the empty folder the engine builds into, beside the published site."""
    project: Project
    generated: blog.Generated
    stage: Path
    final: Path


def stage(where: Project | Path | str, site_dir: Path, *, redact: bool | None = None,
          strict: bool = False, engine: str | None = None) -> Staged:
    """Read, validate, gate and generate for `engine`; then a fresh staging folder beside `site_dir`
    (an interrupted swap of an earlier run is put right first)."""
    project, generated = generate(where, redact=redact, strict=strict, engine=engine)
    recover(site_dir)
    return Staged(project, generated, staging_dir(site_dir), site_dir)


def finish(staged: Staged, theme_dirs: list[Path], progress=None) -> None:
    """Put the feeds, sitemap and robots.txt right (site_files.py: the same on either engine), then
    audit the staged site for content of non-public entries; swap it in only when there is none.
    On a finding the staged site is deleted and the published one is left as it was."""
    project = staged.project
    site_files.complete(staged.stage, project.config.site_url, staged.generated,
                        site_files.rss_options(project.settings.data))
    findings = audit_site(staged.stage, audited(project), project.config, label=staged.final.name,
                          theme_dirs=theme_dirs, published=staged.generated.attachments, today=project.today)
    if findings:
        discard(staged)
        raise NotepressError(leak_problems(findings))
    if progress:
        progress(f"notepress: audited {staged.final.name}/: no content of non-public entries")
    swap_in(staged.stage, staged.final)


def audited(project: Project) -> list:
    """The entries a built site is audited against: the valid ones, and what could be read of those
    the build went on without (their text and their customers' names are looked for too)."""
    return [*project.entries, *project.held_entries]


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.stage, ignore_errors=True)


def leak_problems(findings: list[Finding], fix: str = "make that entry public or remove the text; the last good "
                  "site was kept") -> list[Problem]:
    return [Problem(f.file, 0, "", f"{f.what} is in the built site", fix) for f in findings]


# -- the whole of it -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    site_dir: Path
    engine: str
    posts: str  # the generation summary
    seconds: float


def publish(where: Project | Path | str, *, engine: str | None = None, redact: bool | None = None,
            strict: bool = False, progress=None) -> Published:
    """Read, validate, gate, generate, build with the engine into a staging folder, audit, swap in;
    one build at a time per repo (`output.BuildLock`; the second waits). When nothing the build
    reads has changed since the last one and its outputs are untouched (lastbuild.py), the site is
    left as it is: it is the one built and audited from these inputs. Ctrl+C stops it with
    `Interrupted`, saying which site is in place; any other OS error is one problem."""
    start, project = time.perf_counter(), opened(where)
    site_dir = project.settings.site_dir
    project.check_folders()  # before anything is written
    say = progress or (lambda message: None)
    before = _identity(site_dir)
    try:
        writable(project, site_dir)
        with BuildLock(project.config.owned_dir / "build.lock", say):
            recover(site_dir)  # first: a site set aside by an interrupted two-step swap is the last good one
            for left in leftovers(site_dir):
                shutil.rmtree(left, ignore_errors=True)
                say(f"notepress: removed {left.name}/, left by an interrupted build")
            return _publish(project, site_dir, engine, (redact, strict), say, start)
    except OSError as e:
        raise NotepressError(os_problem(e, project.root)) from None
    except KeyboardInterrupt:
        state = "was left as it was (the last good site)" if _identity(site_dir) == before else \
            "is the new site, built and audited"
        raise Interrupted(Problem(_shown(site_dir, project.root), 0, "", f"interrupted: {site_dir.name}/ {state}",
                                  "run notepress build again to finish")) from None


def _publish(project: Project, site_dir: Path, engine: str | None, options: tuple, say, start: float) -> Published:
    inputs = _inputs(project, engine, options)
    outputs = [site_dir, project.config.engine_docs_dir]
    last = lastbuild.unchanged(project.root, inputs, outputs) if inputs else None
    if last is not None:
        for message in last.get("warnings", []):
            say(message)
        say(f"notepress: nothing changed since the last build: {site_dir.name}/ is the site it built and "
            "audited from these same sources, left as it is")
        return Published(site_dir, str(last.get("engine")), str(last.get("posts")), time.perf_counter() - start)
    lastbuild.forget(project.root)
    said: list[str] = []

    def tell(message: str) -> None:
        said.append(message)
        say(message)

    redact, strict = options
    staged = stage(project, site_dir, redact=redact, strict=strict, engine=engine)
    builder = project.engine(engine)
    for warning in build_warnings(project, builder.name):
        tell(warning)
    say(f"notepress: {staged.generated.summary()}")
    say(f"Building the site with {builder.name} into {staged.final.name}/ …")
    try:
        theme_dirs = builder.build(staged.stage, site_url=project.config.site_url, posts=staged.generated.listing,
                                   progress=tell)
        finish(staged, theme_dirs, say)
    except BaseException:
        discard(staged)
        raise
    if inputs:
        lastbuild.remember(project.root, inputs, outputs, {
            "engine": builder.name, "posts": f"{staged.generated.total} posts, nothing changed",
            "warnings": [m for m in said if "warning" in m.lower()]})
    return Published(staged.final, builder.name, staged.generated.summary(), time.perf_counter() - start)


class Interrupted(NotepressError):
    """A build stopped by Ctrl+C (or SIGTERM), saying what state the site is in."""


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = folder.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def writable(project: Project, site_dir: Path) -> None:
    """Refuse, before any work, a site folder or repo a build could not write: a read-only file
    system or folder, where the build would otherwise run to the end and fail."""
    mounted = site_dir.is_dir() and os.path.ismount(site_dir)
    for folder, what in ((project.root, "the writing repo (notepress writes .notepress/ in it)"),
                         (site_dir if mounted else site_dir.parent, f"the folder {site_dir.name}/ is written in")):
        reason = _not_writable(folder)
        if reason:
            raise NotepressError(Problem(_shown(folder, project.root), 0, "", f"{what} {reason}",
                                         "build in a writable copy of the repo, or set site_dir in mkdocs.yml to a "
                                         "writable folder"))


def _not_writable(folder: Path) -> str:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is on a read-only file system"
    except OSError:
        return ""
    return "" if os.access(folder, os.W_OK | os.X_OK) else "is not writable"


def os_problem(e: OSError, root: Path) -> Problem:
    """An operating system's refusal as one problem: the path, why, and what to do."""
    fixes = {errno.ENOSPC: "free some disk space and build again; the last good site was kept",
             errno.EDQUOT: "free some of your disk quota and build again; the last good site was kept",
             errno.EROFS: "build in a writable copy of the repo",
             errno.EACCES: "make it writable (chmod u+w), or build in a writable copy",
             errno.EPERM: "make it writable (chmod u+w), or build in a writable copy",
             errno.EBUSY: "something holds it open or it is a mount point: close that, or build elsewhere"}
    path = e.filename or ""
    return Problem(_shown(Path(path), root) if path else "", 0, "", f"cannot write it: {e.strerror or e}",
                   fixes.get(e.errno, "fix the file system's problem and build again; the last good site was kept"))


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)


def _inputs(project: Project, engine: str | None, options: tuple) -> str:
    """The fingerprint of everything a build reads; none ("") when notepress.yml has errors (the
    build reports them)."""
    if any(p.severity == "error" for p in project.config_problems):
        return ""
    return lastbuild.fingerprint(project, engine=engine or project.config.engine, options=options)


def audit(where: Project | Path | str, site_dir: Path | str | None = None, *, engine: str | None = None) -> list[Finding]:
    """Scan a built site for content of non-public entries."""
    project = read(where)
    folder = project.root / site_dir if site_dir else project.config.site_dir  # relative to the repo
    if not folder.is_dir():
        raise NotepressError(Problem(str(folder), 0, "", "no built site here", "run `notepress build` first"))
    published = project.screen(entries=project.entries).view.published_files
    return audit_site(folder, audited(project), project.config, label=str(site_dir or folder.name),
                      theme_dirs=project.engine(engine).theme_dirs(), published=published, today=project.today)
