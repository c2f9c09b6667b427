"""Click commands of the review tools: `next`, `portfolio`, `stats`. Imported at the bottom of cli.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from . import review
from .cli import Failed, directory_option, main, parse_date, plural, root
from .output import write_atomic
from .problems import NotepressError
from .review.stats import DEFAULT_WEEKS

PRIVATE_HELP = "Also include your private entries (for your eyes only; never share the output)."


class OneLine(click.ClickException):
    """A single problem on one line of stderr; exit code 1."""

    exit_code = 1

    def show(self, file=None):
        click.echo(self.message, err=True)


def _step_lines(step: review.OpenStep) -> list[str]:
    status = "overdue" if step.overdue else "open"
    due = f"due {step.due}" if step.due else "no due date"
    return [f"{status:<8} {due:<14}  age {plural(step.age, 'day')}  {step.slug}",
            f"         {step.step}",
            f"         {step.title}",
            f"         {step.source}"]


@main.command("next")
@directory_option
@click.option("--today", callback=parse_date, metavar="DATE", help="Count overdue steps and ages from DATE (default: today).")
@click.option("--done", "done_slug", metavar="SLUG", help="Mark the next step of entry SLUG done.")
@click.option("--on", callback=parse_date, metavar="DATE", help="With --done: the day it was done (default: today).")
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
def next_steps(today, done_slug, on, include_private):
    """Every open next step of your learning entries: overdue first, then by due date, then undated.

    Each shows its due date, its age (days since the entry's date), the step, and the entry's
    title, slug and path. Internal and public entries only, unless --include-private; never drafts.

    --done SLUG sets `next_step_done:` in that entry's front matter and changes nothing else
    in the file.

    \b
    Example:
        notepress next
        notepress next --done demo-review-and-getting-defensive --on 2026-11-10
    """
    if on is not None and done_slug is None:
        raise click.UsageError("--on goes with --done SLUG")
    try:
        if done_slug is not None:
            done = review.mark_done(root(), done_slug, on=on)
            if done.changed:
                click.echo(f"{done.source}: next_step_done: {done.on}")
            else:
                when = f" on {done.on}" if isinstance(done.on, dt.date) else ""
                click.echo(f"{done.source}: already done{when}, left unchanged")
            return
        steps = review.next_steps(root(), today=today, include_private=include_private)
    except review.StepError as e:
        raise OneLine(str(e))
    except NotepressError as e:
        raise Failed(e)
    if not steps:
        click.echo("no open next steps")
        return
    for i, step in enumerate(steps):
        if i:
            click.echo("")
        for line in _step_lines(step):
            click.echo(line)
    overdue = sum(s.overdue for s in steps)
    click.echo("")
    click.echo(f"{plural(len(steps), 'open next step')}, {overdue} overdue")
    click.echo("mark one done: notepress next --done SLUG", err=True)


@main.command()
@directory_option
@click.option("--since", callback=parse_date, metavar="DATE", help="First day (default: the first entry).")
@click.option("--until", callback=parse_date, metavar="DATE", help="Last day (default: the last entry).")
@click.option("--level", metavar="NAME", help="The level whose competencies are listed, gaps included: "
              f"{', '.join(review.DEFAULT_LEVELS)} (default: the whole framework).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default=None,
              help="md or html (default: from -o's extension, else md).")
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of stdout.")
def portfolio(since, until, level, fmt, include_private, output):
    """The evidence for a review or promotion case, by competency, with the gaps of a level.

    For each competency: the learning entries that show it (date, title, the learning, a link:
    the public URL of a public entry, else the source path). Customer insights count as
    evidence of customer and business understanding, by theme. The first line says which
    audiences it contains: internal and public, or also private with --include-private. Never
    drafts. The HTML page is self-contained, with charts as inline SVG.

    \b
    Example:
        notepress portfolio --level Director --since 2026-01-01
        notepress portfolio --format html -o review.html
    """
    if fmt is None:
        fmt = "html" if output is not None and output.suffix.lower() in (".html", ".htm") else "md"
    try:
        text = review.render_portfolio(root(), since=since, until=until, level=level, fmt=fmt,
                                       include_private=include_private)
    except NotepressError as e:
        raise Failed(e)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text.encode("utf-8"))
        except OSError as e:
            raise OneLine(f"{output}: cannot write it ({e.strerror or e})")
        click.echo(output)


@main.command()
@directory_option
@click.option("--since", callback=parse_date, metavar="DATE", help="First day (default: --weeks back).")
@click.option("--until", callback=parse_date, metavar="DATE", help="Last day (default: today).")
@click.option("--weeks", type=click.IntRange(1, 520), default=DEFAULT_WEEKS, show_default=True,
              help="How many weeks back from --until (ignored with --since).")
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
def stats(since, until, weeks, include_private):
    """Writing cadence, insights per theme per week and competency coverage, as a compact table.

    Entries per ISO week and the current streak of weeks with at least one entry (the current
    week counts once it has an entry); insights per theme per week with distinct customers;
    learning entries per competency of the framework. Internal and public entries unless
    --include-private; never drafts.

    \b
    Example:
        notepress stats
        notepress stats --weeks 26
        notepress stats --since 2026-01-01 --until 2026-03-31
    """
    try:
        text = review.stats_table(root(), since=since, until=until, weeks=weeks, include_private=include_private)
    except NotepressError as e:
        raise Failed(e)
    click.echo(text, nl=False)
