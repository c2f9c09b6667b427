"""The importable API: one function per command. Nothing here prints or exits.

    from notepress import api
    report = api.check("path/to/repo")          # every problem at once
    result = api.build("path/to/repo")          # the pipeline of publish.py: posts -> … -> site/

Each function takes a repo's path, or the `Project` a command opened (project.py): the CLI opens
one per command, so settings are read once and every rule uses its one `today`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import publish, review, site
from .audience import Reader
from .config import CONFIG_FILE
from .model import Entry
from .names import path_limits
from .output import write_atomic
from .problems import NotepressError, Problem, Report
from .project import Repo, opened
from .review import StepError  # noqa: F401 - a refusal about one entry's step, shown as one line

# The publishing pipeline's steps, under the names the commands and tests know.
Preview, Interrupted = publish.Preview, publish.Interrupted
load, generate_blog, preview_blog, audit = publish.read, publish.generate, publish.preview, publish.audit


def check(repo: Repo, *, strict: bool = False, staged: bool = False) -> Report:
    """Validate every entry, the rules of public pages and the team's rule of links (team.py). Problems
    are returned, not raised (a file that stops the check, such as a broken mkdocs.yml, is one of
    them); with `strict`, warnings are errors. With `staged`, the problems a commit of what is staged
    in git is judged by, and one warning counting the other entries with errors (see staged.py)."""
    from .audience import gate
    from .staged import judged
    from .team import team_links

    project = opened(repo)
    report = project.report()
    public: frozenset[str] = frozenset()  # the entries whose links the public's rule held (a narrower view)
    try:
        screened = project.screen(entries=project.entries)
        report.problems.extend(screened.problems)
        public = screened.view.public
        report.problems.extend(publish.engine_warnings(project, project.config.engine))
    except NotepressError as e:
        report.problems.extend(e.problems)
    team = gate(project.entries, project.config, Reader.TEAM, today=project.today)
    report.problems.extend(team_links(team, [*project.held_entries, *project.entries], checked=public))
    if staged:
        report = judged(project, report)
    if strict:
        report.problems = [dataclasses.replace(p, severity="error") for p in report.problems]
    return report


def build(repo: Repo, *, engine: str | None = None, redact: bool | None = None, strict: bool = False,
          progress=None) -> publish.Published:
    """Generate the posts, build the site with the engine (notepress.yml's unless given) into a
    staging folder, audit it, swap it into place."""
    return publish.publish(repo, engine=engine, redact=redact, strict=strict, progress=progress)


def build_team(repo: Repo, *, engine: str | None = None, site_dir: Path | str | None = None, progress=None):
    """The team's insight hub (hub/): the team's view built with the engine into `site_dir`
    (default site-team/), indexed for search, audited against private entries and drafts, swapped in."""
    from .hub import build_hub

    return build_hub(repo, engine=engine, site_dir=site_dir, progress=progress)


def serve_team(repo: Repo, *, engine: str | None = None, dev_addr: str | None = None, expose: bool = False,
               site_dir: Path | str | None = None, progress=None, ready=None) -> None:
    """The hub built as `build_team` does and served from its folder on 127.0.0.1:8001 (another
    machine's address needs `expose`), built again when posts/ or notepress.yml change."""
    from .hub.serve import DEFAULT_ADDRESS, serve_hub

    project = opened(repo)
    address = site.dev_address(dev_addr or DEFAULT_ADDRESS, expose=expose,
                               reason="the team's hub shows your customers' names to whoever reaches it")
    serve_hub(project.root, address, engine=engine, site_dir=site_dir, progress=progress, ready=ready)


def serve(repo: Repo, *, engine: str | None = None, dev_addr: str | None = None, expose: bool = False,
          open_browser: bool = False, redact: bool | None = None, warn=None, progress=None) -> None:
    """Live preview on 127.0.0.1, drafts shown, never written into site/; another machine's address
    needs `expose` (see site.dev_address). Entries with errors are left out and their problems shown."""
    project = opened(repo)
    address = site.dev_address(dev_addr, expose=expose) if dev_addr else \
        site.preview_address(project.settings, expose=expose)
    if address.exposed and warn:
        warn(f"warning: the preview at {address} can be reached from other machines; it shows drafts and "
             "is not audited for content of non-public entries")
    project.engine(engine).serve(address, redact=redact, open_browser=open_browser, progress=progress)


def new(repo: Repo, etype: str, title: str, *, from_slug: str | None = None, today: dt.date | None = None) -> Path:
    """`notepress new`: an entry of `etype` from its template, or with `from_slug` a check-in on
    that learning entry's next step (`new_from`). Returns its path; never overwrites. A path too long
    for the file system (the title makes a short name: the folders above it) is a problem naming it."""
    if from_slug is not None:
        return new_from(repo, from_slug, title, today=today).path
    project = opened(repo, today)
    writing_repo(project.root)
    project.require_config()
    with path_limits(project.root, LONG_FOLDERS):
        from .scaffold import new_entry

        return new_entry(project, etype, title)


def new_from(repo: Repo, from_slug: str, title: str, *, today: dt.date | None = None) -> review.Written:
    """`notepress new learning TITLE --from SLUG`: a check-in by hand on SLUG's step, done: the new
    entry (its action the step, SLUG's goals and competencies, its first sentence linking back), and
    SLUG's step closed as done today, as `checkin --did` closes it (review.checkin.new_checkin)."""
    project = opened(repo, today)
    writing_repo(project.root)
    project.require_config()
    with path_limits(project.root, LONG_FOLDERS):
        return review.new_checkin(project, from_slug, title)


LONG_FOLDERS = "shorten the folder names above it: paths.posts in notepress.yml, or where the repo is"


def writing_repo(root: Path) -> None:
    """A command that writes an entry runs in a writing repo (its notepress.yml says so), never
    making posts/ in whatever folder it was started in: NotepressError naming how to start one."""
    if (root / CONFIG_FILE).is_file():
        return
    above = next((p for p in root.parents if (p / CONFIG_FILE).is_file()), None)
    fix = (f"run it in the writing repo {above} (notepress -C {above} ...)" if above else
           "start one with `notepress init FOLDER`, or run it in your writing repo or with -C FOLDER")
    raise NotepressError(Problem(CONFIG_FILE, 0, "", f"not found in {root}: this folder is not a writing repo", fix))


def newsletter_draft(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
                     today: dt.date | None = None):
    """Compose the next issue (or re-draft the unsent one) into the archive; returns its record."""
    from .newsletter.draft import draft

    project = opened(repo, today)
    return draft(project.team(valid=True), since=since, until=until, today=project.today,
                 markdown_settings=project.markdown)


def newsletter_issues(repo: Repo):
    """Every archived issue with its send log: [(record, log)]."""
    from .newsletter import archive

    config = opened(repo).require_config()
    return [(r, archive.read_log(r.folder)) for r in archive.issues(config.archive_dir)]


def newsletter_issue(repo: Repo, number: int | None = None):
    """An archived issue (the newest by default), rendered again first if the writer edited its
    issue.md since (see newsletter.draft.refresh); its `warnings` say what was not rendered."""
    from .newsletter import archive
    from .newsletter.draft import refresh, stale

    project = opened(repo)
    record = archive.find(project.require_config().archive_dir, number)
    if not stale(record):
        return record
    return refresh(project.team(valid=True), record, markdown_settings=project.markdown)


def newsletter_send(repo: Repo, number: int | None = None, *, dry_run: bool = False,
                    test_address: str | None = None, recipients_csv: Path | None = None, force: bool = False,
                    retry_failed: bool = False, progress=None, going_on=None):
    """Send an archived issue over SMTP (see newsletter.send). An error in notepress.yml or in an entry
    the issue shows refuses it (a dry run and a test copy too); the other entries' problems do not:
    `going_on(project)` is called to show them, once nothing refuses the issue before it is rendered."""
    from .newsletter import archive
    from .newsletter.draft import refresh
    from .newsletter.recipients import load_recipients
    from .newsletter.message import missing_sender
    from .newsletter.send import send_issue, shown, unfixed

    project = opened(repo)
    team = project.team(valid=True)  # the entries as they are now: the issue is checked against them
    config = project.config
    record = archive.find(config.archive_dir, number)
    problems = unfixed(record, project.errors_of(shown(record)))
    problems += [p for p in [missing_sender(config)] if p]  # every missing setting at once
    try:
        recipients = None if test_address else load_recipients(config, recipients_csv)
    except NotepressError as e:
        problems, recipients = problems + e.problems, []
    if problems:
        raise NotepressError(problems)
    if going_on is not None:
        going_on(project)
    record = refresh(team, record, sending=True, markdown_settings=project.markdown)
    return send_issue(config, record.number, team=team, recipients=recipients, dry_run=dry_run,
                      test_address=test_address, force=force, retry_failed=retry_failed, progress=progress)


def share(repo: Repo, slug: str, *, redact: bool | None = None):
    """The ready-to-post text of public entry `slug` (see share.py). Raises NotepressError for an
    entry that is not public, a public page that breaks a rule, or a confidential term in the text."""
    from .share import share_text

    project = opened(repo)
    entries = project.require().entries
    screened = project.screen(redact=redact)
    mine = [p for p in screened.problems if any(e.slug == slug and e.source == p.path for e in entries)]
    if mine:
        raise NotepressError(mine)
    return share_text(screened.view, entries, slug)


def init(path: Path | str, *, name: str | None = None, author: str | None = None, site_url: str = "",
         install_from: str | None = None, progress=None) -> list[Path]:
    """A new writing repo in `path` (see scaffold_repo.init_repo); returns the files written."""
    from .scaffold_repo import init_repo

    with path_limits(Path.cwd(), "choose a shorter folder name"):
        return init_repo(path, name=name, author=author, site_url=site_url, install_from=install_from,
                         progress=progress)


# -- the review tools: what each command shows, read once through the audience gate ----------------------

@dataclass(frozen=True)
class NextSteps:
    """What `notepress next` shows: the open steps (overdue first), the cadence reminder ("" when
    the last check-in is recent enough) and, when asked for, the calendar file written."""
    steps: list[review.OpenStep]
    late: str
    ics: Path | None = None
    dated: int = 0  # steps in the calendar
    undated: int = 0  # left out of it, having no due date
    unshared: int = 0  # shown, but left out of the calendar (a file: the team's view, see review.reader_for)


def next_steps(repo: Repo, *, today: dt.date | None = None, audience: str | None = None,
               ics: Path | None = None) -> NextSteps:
    """Every open next step the reader sees (review.reader_for: by default the writer, private
    entries included), and with `ics` the dated ones written to that iCalendar file (by default the
    team's view: a calendar may be shared)."""
    from .review.calendar import calendar
    from .review.goals import cadence
    from .review.nextsteps import open_steps

    project, reader = opened(repo, today), review.reader_for(audience)
    entries = list(project.view(reader, valid=True))
    steps = open_steps(entries, project.today)
    found = NextSteps(steps, cadence(entries, project.config.cadence_days, project.today).message())
    if ics is None:
        return found
    shared = review.reader_for(audience, to_file=True)
    listed = steps if shared is reader else open_steps(list(project.view(shared, valid=True)), project.today)
    dated = sum(s.due is not None for s in listed)
    _write(ics, calendar(listed, review.contains(shared)))
    return dataclasses.replace(found, ics=ics, dated=dated, undated=len(listed) - dated,
                               unshared=len(steps) - len(listed))


def mark_done(repo: Repo, slug: str, *, on: dt.date | None = None) -> review.Done:
    """`notepress next --done SLUG`: set that entry's `next_step_done:` (see review.mark_done)."""
    return review.mark_done(repo, slug, on=on)


def portfolio(repo: Repo, *, fmt: str = "md", since: dt.date | None = None, until: dt.date | None = None,
              level: str | None = None, audience: str | None = None, output: Path | None = None) -> bytes:
    """The portfolio as Markdown, HTML or PDF bytes; written (atomically) to `output` when given.
    Printed, it shows every entry of the writer; a file (the PDF packet, -o) is the team's view,
    unless `audience` chooses (review.reader_for)."""
    reader = review.reader_for(audience, to_file=output is not None or fmt == "pdf")
    options = dict(since=since, until=until, level=level, reader=reader)
    if fmt == "pdf":
        data = review.portfolio_pdf(repo, **options)
    else:
        data = review.render_portfolio(repo, fmt=fmt, **options).encode("utf-8")
    if output is not None:
        _write(output, data)
    return data


def stats(repo: Repo, *, since: dt.date | None = None, until: dt.date | None = None,
          weeks: int = review.DEFAULT_WEEKS, audience: str | None = None) -> str:
    """The writing statistics as the terminal table `notepress stats` prints."""
    return review.stats_table(repo, since=since, until=until, weeks=weeks, reader=review.reader_for(audience))


def goals(repo: Repo, *, today: dt.date | None = None, audience: str | None = None) -> str:
    """Every goal and how it is going, as the table `notepress goals` prints."""
    return review.goals_table(repo, today=today, reader=review.reader_for(audience))


@dataclass(frozen=True)
class CheckIn:
    session: review.Session  # what was shown: the open commitments, the goals, the cadence
    chosen: Entry | None  # the entry checked in on; None for a first check-in
    written: review.Written


def checkin(repo: Repo, answer, *, on: str | None = None, today: dt.date | None = None) -> CheckIn:
    """One coaching session: the writer's open commitments; the one checked in on (`on`, else the
    first open one, overdue first); `answer(session, chosen)` returns the review.Answers (the CLI
    asks for them); then the new entry is written and the earlier step closed (see review.session).
    A check-in interrupted between those two writes comes first and is finished without a question."""
    from .review.session import earlier, finish, interrupted

    project = opened(repo, today)
    writing_repo(project.root)
    with path_limits(project.root, LONG_FOLDERS):
        session, entries = review.start_checkin(project)
        pending = interrupted(entries, project.today)
        first = next(iter(pending), None) or (session.steps[0].slug if session.steps else None)
        slug = on if on is not None else first
        chosen = earlier(entries, slug) if slug is not None else None
        written = finish(project.config, entries, chosen, project.today) if chosen else None
        if written is None:
            written = review.checkin(project, answer(session, chosen))
    return CheckIn(session, chosen, written)


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as e:
        raise NotepressError(Problem(str(path), 0, "", f"cannot write it ({e.strerror or e})"))
