"""Click commands of the review tools: `next`, `portfolio`, `stats`, `goals` (registered in cli.py; `checkin`
is cli_checkin.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from . import api, review
from .audience import Reader
from .cli_base import command, going_on, parse_date, plural
from .model import AUDIENCES
from .review import DEFAULT_LEVELS, DEFAULT_WEEKS, OpenStep

def audience_options(default: str = "private: every entry you wrote"):
    """--audience, and --include-private (deprecated: the same as --audience private), of a review tool."""
    def decorate(f):
        f = click.option("--include-private", is_flag=True,
                         help="Deprecated, kept for scripts: the same as --audience private "
                              "(private entries are shown by default now).")(f)
        return click.option("--audience", type=click.Choice(AUDIENCES), default=None,
                            help="Who the output is for: private (you), internal (your team: internal and public "
                                 f"entries) or public (default: {default}).")(f)
    return decorate


def _audience(audience: str | None, include_private: bool) -> str | None:
    if include_private and audience not in (None, "private"):
        raise click.UsageError(f"--include-private is --audience private: give --audience {audience} alone")
    return "private" if include_private else audience


def _scope(audience: str | None) -> None:
    """One line, when a printed output shows every entry by default (review.reader_for), saying so."""
    if audience is None and review.reader_for() is Reader.SELF:
        click.echo("notepress: showing every entry you wrote, private ones included (--audience internal: "
                   "only what your team may see)", err=True)


def _step_lines(step: OpenStep) -> list[str]:
    status = "overdue" if step.overdue else "open"
    due = f"due {step.due}" if step.due else "no due date"
    carried = [f"         carried over (not done) from {', '.join(step.carried_from)}"] if step.carried_from else []
    return [f"{status:<8} {due:<14}  age {plural(step.age, 'day')}  {step.slug}",
            f"         {step.step}",
            *carried,
            f"         {step.title}",
            f"         {step.source}"]


@command("next")
@click.option("--today", callback=parse_date, metavar="DATE", help="Count overdue steps and ages from DATE (default: today).")
@click.option("--done", "done_slug", metavar="SLUG", help="Mark the next step of entry SLUG done.")
@click.option("--on", callback=parse_date, metavar="DATE", help="With --done: the day it was done (default: today).")
@audience_options("private: every entry you wrote; internal for the --ics file")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Also write the open steps with a due date to FILE, an iCalendar file for your calendar.")
def next_steps(today, done_slug, on, audience, include_private, ics):
    """Every open next step of your learning entries: overdue first, then by due date, then undated.

    Each shows its due date, its age (days since the entry's date), the step, the earlier entry
    it was carried over from (not done there), and the entry's title, slug and path. Printed, it
    shows every entry you wrote, private ones included; --audience internal shows only what your
    team may see. Never drafts.

    --done SLUG sets `next_step_done:` in that entry's front matter and changes nothing else
    in the file (nor its permissions; a read-only entry is refused). --ics FILE writes the dated
    steps as all-day events on their due dates (import it again after a check-in: each step keeps
    its event); a calendar may be shared, so it holds the steps of internal and public entries
    unless --audience private. Says when the last check-in is older than `cadence_days`
    (notepress.yml, default 14). An entry with errors is left out, its problems listed first.

    \b
    Example:
        notepress next
        notepress next --ics next-steps.ics
        notepress next --audience internal
        notepress next --done demo-review-and-getting-defensive --on 2026-11-10
    """
    if on is not None and done_slug is None:
        raise click.UsageError("--on goes with --done SLUG")
    if ics is not None and done_slug is not None:
        raise click.UsageError("--ics and --done are separate runs")
    audience = _audience(audience, include_private)
    repo = going_on(today)
    if done_slug is not None:
        _done(api.mark_done(repo, done_slug, on=on))
        return
    found = api.next_steps(repo, audience=audience, ics=ics)
    _scope(audience)
    if found.ics is not None:
        _calendar(found)
    if not found.steps:
        click.echo("no open next steps")
        _late(found.late)
        return
    for i, step in enumerate(found.steps):
        if i:
            click.echo("")
        for line in _step_lines(step):
            click.echo(line)
    overdue = sum(s.overdue for s in found.steps)
    click.echo("")
    click.echo(f"{plural(len(found.steps), 'open next step')}, {overdue} overdue")
    _late(found.late)
    click.echo("mark one done: notepress next --done SLUG", err=True)


def _done(done) -> None:
    if done.changed:
        click.echo(f"{done.source}: next_step_done: {done.on}")
    elif done.on:
        when = f" on {done.on}" if isinstance(done.on, dt.date) else ""
        click.echo(f"{done.source}: already done{when}, left unchanged")
    else:  # not done: carried over to a later entry, or dropped
        click.echo(f"{done.source}: {done.state}, left unchanged")


def _calendar(found) -> None:
    left = f" ({plural(found.undated, 'step')} without a due date left out)" if found.undated else ""
    click.echo(f"{found.ics}: {plural(found.dated, 'next step')} as calendar events{left}", err=True)
    if found.unshared:
        click.echo(f"{found.ics}: {plural(found.unshared, 'private step')} left out (a calendar may be shared): "
                   f"add --audience private to include {'it' if found.unshared == 1 else 'them'}", err=True)


def _late(message: str) -> None:
    if message:
        click.echo(message[:1].upper() + message[1:])


@command()
@click.option("--since", callback=parse_date, metavar="DATE", help="First day (default: the first entry).")
@click.option("--until", callback=parse_date, metavar="DATE", help="Last day (default: the last entry).")
@click.option("--level", metavar="NAME", help="The level whose competencies are listed, gaps included: "
              f"{', '.join(DEFAULT_LEVELS)} (default: the whole framework).")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "pdf"]), default=None,
              help="md, html or pdf (default: from -o's extension, else md). pdf needs -o and the pdf extra.")
@audience_options("private when printed; internal for a file, -o")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of stdout.")
def portfolio(since, until, level, fmt, audience, include_private, output):
    """The evidence for a review or promotion case, by competency, with the gaps of a level.

    For each competency: the learning entries that show it (date, title, the learning, a link:
    the public URL of a public entry, else the source path). Customer insights count as
    evidence of customer and business understanding, by theme. The first line says which
    audiences it contains. Printed, it shows every entry you wrote, private ones included; a file
    (-o, the PDF packet: made to be shared) holds internal and public entries only, unless
    --audience private. Never drafts. The HTML page is self-contained, with charts as inline SVG;
    the PDF is the same page ready to print, a promotion packet (install the extra: pip install
    'notepress[pdf]'). An entry with errors is left out, its problems listed first.

    Each piece of evidence shows its action, outcome and learning, and the goals it served; then
    the goals, the customer insights (distinct customers, themes) and your visibility (public
    posts, newsletter issues sent and their recipients).

    \b
    Example:
        notepress portfolio --level Director --since 2026-01-01
        notepress portfolio --format html -o review.html
        notepress portfolio --level Director -o packet.pdf
    """
    suffix = output.suffix.lower() if output is not None else ""
    if fmt is None:
        fmt = {".html": "html", ".htm": "html", ".pdf": "pdf"}.get(suffix, "md")
    if fmt == "pdf" and output is None:
        raise click.UsageError("--format pdf writes a file: add -o packet.pdf")
    audience = _audience(audience, include_private)
    data = api.portfolio(going_on(), fmt=fmt, since=since, until=until, level=level, audience=audience,
                         output=output)
    if output is None:
        _scope(audience)
    click.echo(data.decode("utf-8") if output is None else output, nl=output is not None)


@command()
@click.option("--since", callback=parse_date, metavar="DATE",
              help="First day (default: --weeks back, or the week of your first entry if later).")
@click.option("--until", callback=parse_date, metavar="DATE", help="Last day (default: today).")
@click.option("--weeks", type=click.IntRange(1, 520), default=DEFAULT_WEEKS, show_default=True,
              help="How many weeks back from --until, never before your first entry (ignored with --since).")
@audience_options()
def stats(since, until, weeks, audience, include_private):
    """Writing cadence, insights per theme per week and competency coverage, as a compact table.

    Entries per ISO week, from the week of your first entry at the earliest, and the current
    streak of weeks with at least one entry (the current week counts once it has an entry);
    insights per theme per week with distinct customers; learning entries per competency of the
    framework. Printed, it shows every entry you wrote, private ones included; --audience
    internal shows only what your team may see. Never drafts. An entry with errors is left out,
    its problems listed first.

    \b
    Example:
        notepress stats
        notepress stats --weeks 26
        notepress stats --since 2026-01-01 --until 2026-03-31 --audience internal
    """
    audience = _audience(audience, include_private)
    text = api.stats(going_on(), since=since, until=until, weeks=weeks, audience=audience)
    _scope(audience)
    click.echo(text, nl=False)


@command()
@click.option("--today", callback=parse_date, metavar="DATE", help="Count days and staleness from DATE (default: today).")
@audience_options()
def goals(today, audience, include_private):
    """Your goals, each with the actions serving it and how it is going.

    Per goal (entries of `type: goal`; learning entries name the goals they serve in `goals:`):
    its horizon, what you want and why, the success measure; the actions taken and when (and what
    became of each one's next step: done, or carried over to a later entry), their
    outcomes as the evidence against the measure, what you learned, the open next steps and the
    days since the last action. Goals with no action within `cadence_days` (notepress.yml,
    default 14) are listed at the end, with the last check-in when it is older than that.
    Printed, it shows every entry you wrote, private ones included; --audience internal shows
    only what your team may see. Never drafts. An entry with errors is left out, its problems
    listed first.

    \b
    Example:
        notepress goals
        notepress goals --audience internal --today 2026-12-01
    """
    audience = _audience(audience, include_private)
    text = api.goals(going_on(today), audience=audience)
    _scope(audience)
    click.echo(text, nl=False)
