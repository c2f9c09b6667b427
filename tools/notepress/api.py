"""The importable API: one function per command. Nothing here prints or exits.

    from notepress import api
    report = api.check("path/to/repo")          # every problem at once
    result = api.build("path/to/repo")          # the pipeline of publish.py: posts -> … -> site/
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from . import publish, site
from .audience import Reader, gate
from .screen import screen_public
from .config import load_config, read_config
from .entries import read_entries
from .problems import NotepressError, Report


# The publishing pipeline's steps, under the names the commands and tests know.
Project, Preview = publish.Project, publish.Preview
load, generate_blog, preview_blog, audit = publish.read, publish.generate, publish.preview, publish.audit


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


def build(root: Path | str, *, engine: str | None = None, redact: bool | None = None, strict: bool = False,
          progress=None) -> publish.Published:
    """Generate the posts, build the site with the engine (notepress.yml's unless given) into a
    staging folder, audit it, swap it into place."""
    return publish.publish(root, engine=engine, redact=redact, strict=strict, progress=progress)


def serve(root: Path | str, *, engine: str | None = None, dev_addr: str | None = None, expose: bool = False,
          open_browser: bool = False, redact: bool | None = None, warn=None, progress=None) -> None:
    """Live preview on 127.0.0.1, drafts shown, never written into site/; another machine's address
    needs `expose` (see site.dev_address). Entries with errors are left out and their problems shown."""
    root = Path(root).resolve()
    address = site.preview_address(root, dev_addr, expose=expose)  # refused before anything is written
    if address.exposed and warn:
        warn(f"warning: the preview at {address} can be reached from other machines; it shows drafts and "
             "is not audited for content of non-public entries")
    name = engine or read_config(root, Report(root)).engine
    site.engine(root, name).serve(address, redact=redact, open_browser=open_browser, progress=progress)


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
    from .newsletter.send import missing_sender, send_issue

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


def share(root: Path | str, slug: str, *, redact: bool | None = None):
    """The ready-to-post text of public entry `slug` (see share.py). Raises NotepressError for an
    entry that is not public, a public page that breaks a rule, or a confidential term in the text."""
    from .share import share_text

    project = load(root)
    screened = screen_public(project.entries, project.config, redact=redact)
    mine = [p for p in screened.problems if any(e.slug == slug and e.source == p.path for e in project.entries)]
    if mine:
        raise NotepressError(mine)
    return share_text(screened.view, project.entries, slug)
