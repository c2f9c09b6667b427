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
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import blog, lastbuild, site
from .audit import Finding, audit_site
from .config import Config, load_config, read_config
from .entries import read_entries
from .gitdates import last_changed
from .model import Entry
from .output import recover, staging_dir, swap_in
from .problems import NotepressError, Problem, Report
from .screen import screen_public

NO_SITE_URL = ("site_url is not set: feed items have no links, the sitemap lists nothing, newsletter links are "
               "relative (set site_url: https://…/ in notepress.yml)")


@dataclass(frozen=True)
class Project:
    config: Config
    entries: list[Entry]
    warnings: list[Problem]


# -- read, validate, gate, generate ------------------------------------------------------------------

def read(root: Path | str, *, strict: bool = False) -> Project:
    """Config and valid entries; raises NotepressError with every problem if any entry is invalid."""
    config = load_config(root, strict=strict)
    entries, report = read_entries(config)
    report.raise_if_errors(strict)
    return Project(config, entries, [*config.warnings, *report.warnings])


def generate(root: Path | str, *, drafts: bool = False, redact: bool | None = None,
             strict: bool = False) -> tuple[Project, blog.Generated]:
    """Validate, pass the public entries through the gate, write them as Material posts."""
    project = read(root, strict=strict)
    screened = screen_public(project.entries, project.config, drafts=drafts, redact=redact)
    if screened.problems:
        raise NotepressError(screened.problems)
    return project, _write_posts(screened)


def _write_posts(screened) -> blog.Generated:
    """The screened public view as posts, each with when its source last changed (from git)."""
    config = screened.view.config
    return blog.generate(screened.view, last_changed(config.root, config.posts_dir, [e.path for e in screened.view]))


@dataclass(frozen=True)
class Preview:
    """What a preview shows: `project` and `generated` are None when notepress.yml itself has an
    error (the posts generated last are kept); `problems` are the errors the page shows."""
    project: Project | None
    generated: blog.Generated | None
    problems: list[Problem]


def preview(root: Path | str, *, redact: bool | None = None, strict: bool = False) -> Preview:
    """Like `generate` with drafts, but problems are returned, not raised: the entries that are
    valid are written, so that a preview can show them with every problem. Never for a build: an
    invalid entry is left out here, and a build must refuse instead."""
    report = Report(Path(root).resolve())
    config = read_config(root, report)
    if _failing(report.problems, strict):
        return Preview(None, None, _failing(report.problems, strict))
    entries, report = read_entries(config, report)
    screened = screen_public(entries, config, drafts=True, redact=redact)
    problems = _failing([*report.problems, *screened.problems], strict)
    try:
        generated = _write_posts(screened)
    except NotepressError as e:
        return Preview(None, None, sorted([*problems, *e.problems]))
    return Preview(Project(config, entries, report.warnings if not strict else []), generated, sorted(problems))


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


def stage(root: Path | str, site_dir: Path, *, redact: bool | None = None, strict: bool = False) -> Staged:
    """Read, validate, gate and generate; then a fresh staging folder beside `site_dir` (an
    interrupted swap of an earlier run is put right first)."""
    project, generated = generate(root, redact=redact, strict=strict)
    recover(site_dir)
    return Staged(project, generated, staging_dir(site_dir), site_dir)


def finish(staged: Staged, theme_dirs: list[Path], progress=None) -> None:
    """Audit the staged site for content of non-public entries; swap it in only when there is none.
    On a finding the staged site is deleted and the published one is left as it was."""
    findings = audit_site(staged.stage, staged.project.entries, staged.project.config, label=staged.final.name,
                          theme_dirs=theme_dirs, published=staged.generated.attachments)
    if findings:
        discard(staged)
        raise NotepressError(leak_problems(findings))
    if progress:
        progress(f"notepress: audited {staged.final.name}/: no content of non-public entries")
    swap_in(staged.stage, staged.final)


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.stage, ignore_errors=True)


def leak_problems(findings: list[Finding]) -> list[Problem]:
    return [Problem(f.file, 0, "", f"{f.kind} \"{f.text}\" of non-public {f.source} is in the built site",
                    "make that entry public or remove the text; the last good site was kept") for f in findings]


# -- the whole of it -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Published:
    site_dir: Path
    engine: str
    posts: str  # the generation summary
    seconds: float


def publish(root: Path | str, *, engine: str | None = None, redact: bool | None = None, strict: bool = False,
            progress=None) -> Published:
    """Read, validate, gate, generate, build with the engine into a staging folder, audit, swap in.
    When nothing the build reads has changed since the last one and its outputs are untouched
    (lastbuild.py), the site is left as it is: it is the one built and audited from these inputs."""
    start, root = time.perf_counter(), Path(root).resolve()
    found = site.settings(root)
    site.check_folders(root, found)  # before anything is written
    say = progress or (lambda message: None)
    inputs, outputs = _inputs(root, found, engine, (redact, strict))
    last = lastbuild.unchanged(root, inputs, outputs) if inputs else None
    if last is not None:
        for message in last.get("warnings", []):
            say(message)
        say(f"notepress: nothing changed since the last build: {found.site_dir.name}/ is the site it built and "
            "audited from these same sources, left as it is")
        return Published(found.site_dir, str(last.get("engine")), str(last.get("posts")),
                         time.perf_counter() - start)
    lastbuild.forget(root)
    said: list[str] = []

    def tell(message: str) -> None:
        said.append(message)
        say(message)

    staged = stage(root, found.site_dir, redact=redact, strict=strict)
    config = staged.project.config
    builder = site.engine(root, engine or config.engine)
    for warning in staged.project.warnings:
        tell(str(warning))  # "file:line: warning: …"
    if not config.site_url:
        tell(f"warning: {NO_SITE_URL}")
    say(f"notepress: {staged.generated.summary()}")
    say(f"Building the site with {builder.name} into {staged.final.name}/ …")
    try:
        theme_dirs = builder.build(staged.stage, site_url=config.site_url, posts=staged.generated.listing,
                                   progress=tell)
    except BaseException:
        discard(staged)
        raise
    finish(staged, theme_dirs, progress)
    if inputs:
        lastbuild.remember(root, inputs, outputs, {
            "engine": builder.name, "posts": f"{staged.generated.total} posts, nothing changed",
            "warnings": [m for m in said if "warning" in m.lower()]})
    return Published(staged.final, builder.name, staged.generated.summary(), time.perf_counter() - start)


def _inputs(root: Path, found: site.Settings, engine: str | None, options: tuple) -> tuple[str, list[Path]]:
    """The fingerprint of everything a build reads, and the outputs it writes; no fingerprint
    ("") when notepress.yml has problems (the build reports them)."""
    report = Report(root)
    config = read_config(root, report)
    if report.errors:
        return "", []
    custom = (found.data.get("theme") or {}).get("custom_dir") if isinstance(found.data.get("theme"), dict) else None
    inputs = lastbuild.fingerprint(root, config, engine=engine or config.engine, options=options,
                                   custom_dir=(root / str(custom)).resolve() if custom else None,
                                   engine_config=root / site.ENGINE_CONFIG)
    return inputs, [found.site_dir, config.blog_posts_dir]


def audit(root: Path | str, site_dir: Path | str | None = None, *, engine: str | None = None) -> list[Finding]:
    """Scan a built site for content of non-public entries."""
    project = read(root)
    folder = project.config.root / site_dir if site_dir else project.config.site_dir  # relative to the repo
    if not folder.is_dir():
        raise NotepressError(Problem(str(folder), 0, "", "no built site here", "run `notepress build` first"))
    published = screen_public(project.entries, project.config).view.published_files
    builder = site.engine(project.config.root, engine or project.config.engine)
    return audit_site(folder, project.entries, project.config, label=str(site_dir or folder.name),
                      theme_dirs=builder.theme_dirs(), published=published)
