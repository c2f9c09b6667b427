"""The importable API: one function per command. Nothing here prints or exits.

    from notepress import api
    report = api.check("path/to/repo")          # every problem at once
    result = api.build("path/to/repo")          # posts -> docs/blog/posts -> site/ -> audit
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import blog, site
from .audience import Reader, gate
from .screen import screen_public
from .audit import Finding, audit_site
from .config import Config, load_config, read_config
from .entries import read_entries
from .gitdates import last_changed
from .model import Entry
from .problems import NotepressError, Problem, Report


@dataclass(frozen=True)
class Project:
    config: Config
    entries: list[Entry]
    warnings: list[Problem]


def check(root: Path | str, *, strict: bool = False) -> Report:
    """Validate every entry and the rules of public pages. Problems are returned, not raised;
    with `strict`, warnings are errors."""
    report = Report(Path(root).resolve())
    config = read_config(root, report)
    entries, report = read_entries(config, report)
    report.problems.extend(screen_public(entries, config).problems)
    if strict:
        report.problems = [dataclasses.replace(p, severity="error") for p in report.problems]
    return report


def load(root: Path | str, *, strict: bool = False) -> Project:
    """Config and valid entries; raises NotepressError with every problem if any entry is invalid."""
    config = load_config(root, strict=strict)
    entries, report = read_entries(config)
    report.raise_if_errors(strict)
    return Project(config, entries, [*config.warnings, *report.warnings])


def generate_blog(root: Path | str, *, drafts: bool = False, redact: bool | None = None,
                  strict: bool = False) -> tuple[Project, blog.Generated]:
    """Validate, pass the public entries through the gate, write them as Material posts."""
    project = load(root, strict=strict)
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
    """What `serve` shows: `project` and `generated` are None when notepress.yml itself has an error
    (the posts generated last are kept); `problems` are the errors the page shows."""
    project: Project | None
    generated: blog.Generated | None
    problems: list[Problem]


def preview_blog(root: Path | str, *, redact: bool | None = None, strict: bool = False) -> Preview:
    """Like `generate_blog` with drafts, but problems are returned, not raised: the entries that are
    valid are written, so that a preview can show them with every problem on the page. Never for a
    build: an invalid entry is left out here, and a build must refuse instead."""
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


def audit(root: Path | str, site_dir: Path | str | None = None) -> list[Finding]:
    """Scan a built site for content of non-public entries."""
    project = load(root)
    folder = project.config.root / site_dir if site_dir else project.config.site_dir  # relative to the repo
    if not folder.is_dir():
        raise NotepressError(f"{folder}: no built site here (run `notepress build` first)")
    published = {rel for files in screen_public(project.entries, project.config).view.attachments.values()
                 for _, rel in files}
    return audit_site(folder, project.entries, project.config, label=str(site_dir or folder.name),
                      theme_dirs=site.theme_dirs(project.config.root), published=published)


def build(root: Path | str, *, redact: bool | None = None, strict: bool = False, progress=None) -> site.Built:
    """Generate the posts, build the site with the site engine, audit it, swap it into place."""
    return site.build(Path(root).resolve(), redact=redact, strict=strict, progress=progress)


def serve(root: Path | str, *, dev_addr: str | None = None, expose: bool = False, open_browser: bool = False,
          redact: bool | None = None, warn=None, progress=None) -> None:
    """Live preview on 127.0.0.1; another machine's address needs `expose` (see site.dev_address).
    Entries with errors are left out and their problems shown on every page (see `preview_blog`)."""
    site.serve(Path(root).resolve(), dev_addr=dev_addr, expose=expose, open_browser=open_browser, redact=redact,
               warn=warn, progress=progress)


def new_entry(root: Path | str, etype: str, title: str, *, today: dt.date | None = None) -> Path:
    from .scaffold import new_entry as _new

    return _new(load_config(root), etype, title, today=today or dt.date.today())


def new_checkin(root: Path | str, from_slug: str, title: str, *, today: dt.date | None = None) -> Path:
    """A learning entry that starts from another entry's next step and links back to it."""
    from .review.checkin import new_checkin as _checkin

    return _checkin(load_config(root), from_slug, title, today or dt.date.today())


def newsletter_draft(root: Path | str, *, since: dt.date | None = None, until: dt.date | None = None,
                     today: dt.date | None = None):
    """Compose the next issue (or re-draft the unsent one) into the archive; returns its record."""
    from .newsletter.draft import draft

    project = load(root)
    return draft(gate(project.entries, project.config, Reader.TEAM), since=since, until=until, today=today)


def newsletter_issues(root: Path | str):
    """Every archived issue with its send log: [(record, log)]."""
    from .newsletter import archive

    config = load_config(root)
    return [(r, archive.read_log(r.folder)) for r in archive.issues(config.archive_dir)]


def newsletter_issue(root: Path | str, number: int | None = None):
    from .newsletter import archive

    return archive.find(load_config(root).archive_dir, number)


def newsletter_send(root: Path | str, number: int | None = None, *, dry_run: bool = False,
                    test_address: str | None = None, recipients_csv: Path | None = None, force: bool = False,
                    retry_failed: bool = False, progress=None):
    """Send an archived issue over SMTP (see newsletter.send)."""
    from .newsletter.recipients import load_recipients
    from .newsletter.message import missing_sender
    from .newsletter.send import send_issue

    project = load(root)  # the entries as they are now: the issue is checked against them
    config = project.config
    problems = [p for p in [missing_sender(config)] if p]  # every missing setting at once
    try:
        recipients = None if test_address else load_recipients(config, recipients_csv)
    except NotepressError as e:
        problems, recipients = problems + e.problems, []
    if problems:
        raise NotepressError(problems)
    return send_issue(config, number, team=gate(project.entries, config, Reader.TEAM), recipients=recipients,
                      dry_run=dry_run, test_address=test_address, force=force, retry_failed=retry_failed,
                      progress=progress)
