"""Click commands only: parse options, call one API function. Every command is registered at the
bottom of this file, and every NotepressError is shown in one place, the group's `invoke`."""

from __future__ import annotations

from .interrupts import loading

with loading():  # Ctrl+C while the commands load: "Aborted!", not a traceback of the imports
    import json
    import signal
    import sys
    from pathlib import Path

    import click

    from . import api, cli_checkin, cli_review, cli_workflow
    from .cli_base import (Failed, command, directory_option, going_on, parse_date, plural, progress, project, root,
                           show_problems)
    from .names import path_problem, too_long
    from .problems import NotepressError


NEXT_STEP = {  # what `new` suggests once the entry exists
    "learning": "notepress check (and notepress next to see your open next steps)",
    "insight": "notepress check; it goes into the next `notepress newsletter draft`",
    "essay": "notepress serve to preview it; remove `draft: true` to publish",
    "goal": "notepress check; name it in your learning entries' `goals:`, and see it in notepress goals",
}


class Notepress(click.Group):
    """The `notepress` group: a NotepressError from any command (or subcommand) is shown here, once."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except api.StepError as e:  # a refusal about one step or one check-in answer: its line alone
            raise Failed(e.problems, count=False)
        except NotepressError as e:
            raise Failed(e.problems)
        except OSError as e:  # a path too long for the file system, in a command that does not expect one
            if not too_long(e):
                raise
            raise Failed([path_problem(str(e.filename or ""), root().absolute(), "shorten the names in this path")])


@click.group(cls=Notepress, context_settings={"help_option_names": ["-h", "--help"]})
@directory_option
@click.version_option(package_name="notepress")
def main():
    """notepress: learning entries, customer insights and essays in git, published safely.

    Entries are Markdown files with YAML front matter in posts/. Only entries whose own front
    matter says `audience: public` (and that are not drafts) reach the public blog.

    \b
    Example:
        notepress check
        notepress -C ~/notes build
    """


@command(config_warnings=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a machine-readable report on stdout.")
@click.option("--strict", is_flag=True, help="Treat warnings (unknown keys, missing audience) as errors.")
@click.option("--staged", is_flag=True,
              help="Judge what `git commit` would record (the pre-commit hook): the staged entries, notepress.yml "
                   "and the entries that link to them; the other entries' errors are one warning.")
def check(fmt, strict, staged):
    """Validate every entry and the rules of public pages; report every problem at once.

    Exit code 1 when there is an error (or a warning, with --strict). With --staged, an error
    in an entry that is not part of the commit (a half-written one, untracked) is counted in one
    warning line, and does not stop it.

    \b
    Example:
        notepress check
        notepress check --format json --strict
        notepress check --staged
    """
    report = api.check(project(), strict=strict, staged=staged)
    failing = report.errors
    if fmt == "json":
        click.echo(json.dumps({
            "ok": not failing,
            "errors": [p.as_dict() for p in report.errors],
            "warnings": [p.as_dict() for p in report.warnings],
        }, indent=2))
    else:
        for p in sorted(report.problems, key=lambda p: (staged and not p.path, p)):  # --staged: its count last
            click.echo(str(p), err=True)
        count = plural(report.files_read, 'entry', 'entries') + (" for this commit" if staged else "")
        if failing:
            click.echo(f"notepress: {plural(len(failing), 'problem')}, checked {count} (fix them and run again)",
                       err=True)
        else:
            click.echo(f"checked {count}: no errors"
                       + (f", {plural(len(report.warnings), 'warning')}" if report.warnings else ""))
    sys.exit(1 if failing else 0)


ENGINE_OPTION = click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default=None,
                             help="Site engine (default: notepress.yml's `engine`, else mkdocs).")


FOR_OPTION = click.option("--for", "reader", type=click.Choice(["public", "team"]), default="public", show_default=True,
                          help="public: the blog, into site/. team: the team's internal insight hub, into site-team/.")
SITE_DIR_OPTION = click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                               help="With --for team: the hub's folder (default site-team/, never inside site/, "
                                    "docs/ or posts/).")


@command(config_warnings=False)
@FOR_OPTION
@ENGINE_OPTION
@click.option("--redact/--no-redact", default=None,
              help="Replace confidential terms on public pages with `redact_with` instead of failing.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@SITE_DIR_OPTION
def build(reader, engine, redact, strict, site_dir):
    """Validate, write the public posts into docs/blog/posts/, build the site, audit it.

    The engine (MkDocs + Material, or Zensical) builds into a staging folder; site/ is replaced
    only when the build and the leak audit succeed. An error in an entry that is public, or whose
    audience cannot be read, stops the build; an error in a private or internal entry is a warning
    naming it, and the build goes on without it (--strict: every warning stops it). Write
    `draft: true` in an entry you are still writing to keep it out until it is ready.

    \b
    Example:
        notepress build
        notepress build --engine zensical
        notepress -C ~/notes build --redact
        notepress build --for team       # the internal insight hub, into site-team/

    With --for team it builds the team's insight hub instead: every internal and public insight by
    theme and customer, the newsletter's issues, the learning log, and search, audited against
    private entries and drafts. It is internal: never upload it with the blog (see the README).
    """
    signal.signal(signal.SIGTERM, _interrupted)  # `kill` stops it as Ctrl+C does: the site's state is said
    if reader == "team":
        return _build_team(engine, redact, strict, site_dir)
    if site_dir is not None:
        raise click.UsageError("--site-dir is for --for team; the blog's folder is site_dir in mkdocs.yml")
    try:
        built = api.build(project(), engine=engine, redact=redact, strict=strict, progress=progress)
    except api.Interrupted as e:
        click.echo(str(e), err=True)
        sys.exit(130)
    click.echo(f"built {built.site_dir} with {built.engine} in {built.seconds:.1f} s ({built.posts})")


def _build_team(engine, redact, strict, site_dir) -> None:
    if redact is not None:
        raise click.UsageError("--redact is for the public site: the team's hub shows customers' names")
    repo = project()
    if strict:
        repo.require(strict=True)
    going_on()
    built = api.build_team(repo, engine=engine, site_dir=site_dir, progress=progress)
    click.echo(f"built the team hub {built.site_dir} with {built.engine} in {built.seconds:.1f} s ({built.summary}); "
               "internal: do not upload it with the blog")


def _interrupted(signum, frame):
    raise KeyboardInterrupt


@command()
@click.option("-a", "--dev-addr", metavar="IP:PORT", default=None,
              help="Address to serve on (default 127.0.0.1:8000, or dev_addr in mkdocs.yml).")
@click.option("--expose", is_flag=True,
              help="Allow an address other machines can reach, such as 0.0.0.0:8000.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@ENGINE_OPTION
@click.option("--redact/--no-redact", default=None,
              help="Replace confidential terms on public pages with `redact_with`, as build --redact does.")
@FOR_OPTION
@SITE_DIR_OPTION
def serve(dev_addr, expose, open_browser, engine, redact, reader, site_dir):
    """Live preview of the blog, drafts shown and marked; rebuilds when posts/ changes.

    Entries with errors are left out and every problem is listed at the top of each page until
    you fix it and save. Only this machine can see it: the preview shows drafts and is not
    audited for leaks, so an address others can reach is refused without --expose.

    \b
    Example:
        notepress serve --open
        notepress serve --redact
        notepress serve --engine zensical
        notepress serve --dev-addr 0.0.0.0:8000 --expose
        notepress serve --for team       # the team's hub, built, audited and served on 127.0.0.1:8001

    With --for team it builds the team's insight hub as `build --for team` does, serves it from its
    folder and builds it again when posts/ changes (it shows no drafts and is audited).
    """
    signal.signal(signal.SIGTERM, _interrupted)  # `kill` stops it as Ctrl+C does: the preview's files are removed
    if reader == "team":
        if redact is not None or open_browser:
            raise click.UsageError("--redact and --open are for the blog's preview")
        return api.serve_team(project(), engine=engine, dev_addr=dev_addr, expose=expose, site_dir=site_dir,
                              progress=progress)
    api.serve(project(), engine=engine, dev_addr=dev_addr, expose=expose, open_browser=open_browser, redact=redact,
              warn=progress, progress=click.echo)


@command()
@click.argument("site_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
def audit(site_dir):
    """Scan a built site for content of non-public entries; exit 1 listing each finding.

    Looks in every file (pages, search index, feeds, sitemap, assets) for customer names,
    confidential terms, titles, distinctive sentences and slugs of entries that are not public.

    \b
    Example:
        notepress audit
        notepress audit site/
    """
    findings = api.audit(project(), site_dir)
    for f in findings:
        click.echo(str(f), err=True)
    if findings:
        click.echo(f"notepress: {plural(len(findings), 'finding')} (make those entries public, or remove the text "
                   "from public entries, then rebuild)", err=True)
        sys.exit(1)
    click.echo("audit: no content of non-public entries found")


@command()
@click.argument("etype", metavar="TYPE", type=click.Choice(["learning", "insight", "essay", "goal"]))
@click.argument("title")
@click.option("--from", "from_slug", metavar="SLUG",
              help="Check in on learning entry SLUG's step, done: it becomes the action (SLUG's goals and "
                   "competencies too), the body links back to it, and SLUG's step is closed as done today.")
@click.option("--edit", is_flag=True, help="Open the new entry in $VISUAL or $EDITOR.")
def new(etype, title, from_slug, edit):
    """Create an entry from the TYPE's template with today's date, and print its path.

    Audience is set explicitly: private for learning and goal, internal for insight, public +
    draft for essay. Never overwrites an existing file. Runs in a writing repo (the folder
    with notepress.yml or any folder in it, or -C FOLDER); anywhere else it writes nothing and
    says how to start one: notepress init FOLDER.

    With --from SLUG, a check-in by hand on a step you did: SLUG's step is closed as done today
    (as `notepress checkin --did` closes it); for a step not done, use `notepress checkin --did-not`.

    \b
    Example:
        notepress new learning "Asked finance how we recognise revenue"
        notepress new insight "Northwind cannot reconcile partial payments"
        notepress new learning "Finance signed off the calculator" --from reading-the-payments-pnl
        notepress new essay "Why we count customers" --edit
        notepress new goal "Lead a product area by next autumn"
    """
    if from_slug is not None and etype != "learning":
        raise click.UsageError("--from goes with `new learning` (a check-in is a learning entry)")
    written = api.new_from(project(), from_slug, title) if from_slug is not None else None
    path = written.path if written else api.new(project(), etype, title)
    shown = path.relative_to(project().root).as_posix()
    click.echo(shown)
    if written:
        click.echo(f"{written.earlier}: {written.done_line}")  # the step closed, as checkin says it
    if edit:
        click.edit(filename=str(path))
    click.echo(f"next: {'' if edit else f'fill in {shown}, then '}{NEXT_STEP[etype]}", err=True)


@click.group()
def newsletter():
    """The internal customer-insight newsletter: draft, edit, preview, list, send.

    `draft` writes the issue's issue.md for you to edit (subject, intro, featured, order, left out);
    preview and send use your edits.

    \b
    Example:
        notepress newsletter draft
        $EDITOR newsletters/003-2026-11-23/issue.md
        notepress newsletter preview 3 --open
        notepress newsletter send 3 --dry-run
    """


@command("draft")
@click.option("--since", callback=parse_date, metavar="DATE", help="First day (default: after the last sent issue).")
@click.option("--until", callback=parse_date, metavar="DATE", help="Last day (default: today).")
def newsletter_draft(since, until):
    """Compose the next issue into the archive, with an issue.md for you to edit.

    Internal and public entries of the period: customer insights by theme, what I learned,
    new on the blog. Never private entries, never drafts. An entry with errors is left out, its
    problems listed first; send refuses while an entry the issue shows has one.

    In issue.md: `subject:` (notepress proposes one; write your own), the intro (in place of
    the comment below the front matter; the comment is never sent), `featured:` (insights
    shown first, highlighted) and `insights:` by theme, in the order shown (move lines to
    reorder; delete a line, or put # before it, to leave an insight out). Drafting the unsent
    issue again keeps every edit and adds the period's new insights, marked "# new"; one you
    left out stays out.

    \b
    Example:
        notepress newsletter draft
        notepress newsletter draft --since 2026-11-01 --until 2026-11-14

    \b
    issue.md, edited:
        subject: "Customer notes #3: ACH fees, and what we do next"
        featured: [2026-11-20-harborview-setup-needs-a-call]
        insights:
          ach:
            - 2026-11-18-kestrel-fee-cap
          # - 2026-11-19-oakridge-sap   (left out)
    """
    record = api.newsletter_draft(going_on(), since=since, until=until)
    folder = record.folder.relative_to(project().root).as_posix()
    click.echo(f"issue #{record.number} ({record.period}): {record.subject}")
    click.echo(f"{folder}/issue.md")
    click.echo(f"{folder}/index.html")
    for problem in record.warnings:
        click.echo(str(problem), err=True)
    if record.added:
        click.echo(f"{folder}/issue.md: added {plural(len(record.added), 'new insight')}, marked # new", err=True)
    click.echo(f"next: edit {folder}/issue.md (subject, intro, featured, order), then "
               f"notepress newsletter send {record.number} --dry-run", err=True)


@command("preview")
@click.argument("number", type=int, required=False)
@click.option("--open", "open_browser", is_flag=True, help="Open it in the default browser.")
def newsletter_preview(number, open_browser):
    """Print the path of an issue's web page (the newest by default), or open it.

    An issue whose issue.md you edited since it was drafted is rendered again first.

    \b
    Example:
        notepress newsletter preview --open
        notepress newsletter preview 3
    """
    record = api.newsletter_issue(project(), number)
    for problem in record.warnings:
        click.echo(str(problem), err=True)
    page = record.folder / "index.html"
    click.echo(page)
    if open_browser:
        click.launch(page.as_uri())


@command("list")
def newsletter_list():
    """The archive: each issue with its period, status and recipients served.

    \b
    Example:
        notepress newsletter list
    """
    rows = api.newsletter_issues(project())
    if not rows:
        click.echo("no issues yet (run: notepress newsletter draft)")
        return
    for record, log in rows:
        sent = sum(1 for r in log.values() if r.get("status") == "sent")
        failed = sum(1 for r in log.values() if r.get("status") == "failed")
        status = "draft" if not sent else "sent"
        extra = f", {failed} failed" if failed else ""
        click.echo(f"#{record.number:<4} {record.since} to {record.until}  {status:<5}  "
                   f"{sent} served{extra}  {record.subject}")


@command("send")
@click.argument("number", type=int)
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@click.option("--test", "test_address", metavar="ADDRESS", help="Send one copy marked [TEST]; not recorded.")
@click.option("--recipients", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV file with an `email` column (default: from notepress.yml).")
@click.option("--force", is_flag=True, help="Send again to everyone, even if already sent.")
@click.option("--retry-failed", is_flag=True, help="Also retry recipients that failed permanently.")
def newsletter_send(number, dry_run, test_address, recipients, force, retry_failed):
    """Send issue NUMBER over SMTP, one message per recipient; resumable, never twice.

    The password comes only from NOTEPRESS_SMTP_PASSWORD. Every recipient's result is logged as
    it happens, so running the same command again serves only those not yet served. An issue
    whose issue.md you edited since it was drafted is rendered again first (a dry run too); an
    issue showing nothing, an entry the team may no longer see, or an entry with errors is
    refused. The problems of entries the issue does not show are listed, and the send goes on.

    \b
    Example:
        notepress newsletter send 3 --dry-run
        notepress newsletter send 3 --test me@example.com
        NOTEPRESS_SMTP_PASSWORD=... notepress newsletter send 3
    """
    report = api.newsletter_send(project(), number, dry_run=dry_run, test_address=test_address,
                                 recipients_csv=recipients, force=force, retry_failed=retry_failed,
                                 progress=progress, going_on=show_problems)
    if report.dry_run and not report.test:
        for line in report.plan():
            click.echo(f"  {line}")
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


# -- every command, registered in one place --------------------------------------------------------------

for _command in (check, build, serve, audit, new, newsletter, cli_review.next_steps, cli_review.portfolio,
                 cli_review.stats, cli_review.goals, cli_checkin.checkin, cli_workflow.init, cli_workflow.share):
    main.add_command(_command)
for _command in (newsletter_draft, newsletter_preview, newsletter_list, newsletter_send):
    newsletter.add_command(_command)
