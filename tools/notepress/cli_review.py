"""Click commands of the review tools: `next`, `portfolio`, `stats`, `goals`, `checkin` (registered in cli.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from . import api
from .cli_base import command, parse_date, plural, project
from .problems import Problem
from .review import DEFAULT_LEVELS, DEFAULT_WEEKS, Answers, OpenStep

PRIVATE_HELP = "Also include your private entries (for your eyes only; never share the output)."


def _step_lines(step: OpenStep) -> list[str]:
    status = "overdue" if step.overdue else "open"
    due = f"due {step.due}" if step.due else "no due date"
    return [f"{status:<8} {due:<14}  age {plural(step.age, 'day')}  {step.slug}",
            f"         {step.step}",
            f"         {step.title}",
            f"         {step.source}"]


@command("next")
@click.option("--today", callback=parse_date, metavar="DATE", help="Count overdue steps and ages from DATE (default: today).")
@click.option("--done", "done_slug", metavar="SLUG", help="Mark the next step of entry SLUG done.")
@click.option("--on", callback=parse_date, metavar="DATE", help="With --done: the day it was done (default: today).")
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Also write the open steps with a due date to FILE, an iCalendar file for your calendar.")
def next_steps(today, done_slug, on, include_private, ics):
    """Every open next step of your learning entries: overdue first, then by due date, then undated.

    Each shows its due date, its age (days since the entry's date), the step, and the entry's
    title, slug and path. Internal and public entries only, unless --include-private; never drafts.

    --done SLUG sets `next_step_done:` in that entry's front matter and changes nothing else
    in the file (nor its permissions; a read-only entry is refused). --ics FILE writes the dated steps as all-day events on their due dates (import
    it again after a check-in: each step keeps its event). Says when the last check-in is older
    than `cadence_days` (notepress.yml, default 14).

    \b
    Example:
        notepress next
        notepress next --ics next-steps.ics
        notepress next --done demo-review-and-getting-defensive --on 2026-11-10
    """
    if on is not None and done_slug is None:
        raise click.UsageError("--on goes with --done SLUG")
    if ics is not None and done_slug is not None:
        raise click.UsageError("--ics and --done are separate runs")
    if done_slug is not None:
        _done(api.mark_done(project(), done_slug, on=on))
        return
    found = api.next_steps(project(), today=today, include_private=include_private, ics=ics)
    if found.ics is not None:
        left = f" ({plural(found.undated, 'step')} without a due date left out)" if found.undated else ""
        click.echo(f"{found.ics}: {plural(found.dated, 'next step')} as calendar events{left}", err=True)
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
    else:
        when = f" on {done.on}" if isinstance(done.on, dt.date) else ""
        click.echo(f"{done.source}: already done{when}, left unchanged")


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
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of stdout.")
def portfolio(since, until, level, fmt, include_private, output):
    """The evidence for a review or promotion case, by competency, with the gaps of a level.

    For each competency: the learning entries that show it (date, title, the learning, a link:
    the public URL of a public entry, else the source path). Customer insights count as
    evidence of customer and business understanding, by theme. The first line says which
    audiences it contains: internal and public, or also private with --include-private. Never
    drafts. The HTML page is self-contained, with charts as inline SVG; the PDF is the same page
    ready to print, a promotion packet (install the extra: pip install 'notepress[pdf]').

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
    data = api.portfolio(project(), fmt=fmt, since=since, until=until, level=level, include_private=include_private,
                         output=output)
    click.echo(data.decode("utf-8") if output is None else output, nl=output is not None)


@command()
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
    click.echo(api.stats(project(), since=since, until=until, weeks=weeks, include_private=include_private), nl=False)


@command()
@click.option("--today", callback=parse_date, metavar="DATE", help="Count days and staleness from DATE (default: today).")
@click.option("--include-private", is_flag=True, help=PRIVATE_HELP)
def goals(today, include_private):
    """Your goals, each with the actions serving it and how it is going.

    Per goal (entries of `type: goal`; learning entries name the goals they serve in `goals:`):
    its horizon, what you want and why, the success measure; the actions taken and when, their
    outcomes as the evidence against the measure, what you learned, the open next steps and the
    days since the last action. Goals with no action within `cadence_days` (notepress.yml,
    default 14) are listed at the end, with the last check-in when it is older than that.

    \b
    Example:
        notepress goals
        notepress goals --include-private --today 2026-12-01
    """
    click.echo(api.goals(project(), today=today, include_private=include_private), nl=False)


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for raw in values for v in raw.split(",") if v.strip()))


def _show_session(session, chosen) -> None:
    if session.cadence.message():
        click.echo(session.cadence.message()[:1].upper() + session.cadence.message()[1:])
    if not session.steps:
        click.echo("No open next step: this is a first check-in.")
    else:
        click.echo("Open commitments, overdue first:")
    for i, step in enumerate(session.steps, 1):
        mark = "overdue" if step.overdue else "open"
        due = f"due {step.due}" if step.due else "no due date"
        click.echo(f"  {i}. [{mark}, {due}] {step.step}  ({step.slug})")
    if session.goals:
        click.echo("Your goals: " + ", ".join(f"{slug} ({title})" for slug, title in session.goals))
    if chosen is not None:
        click.echo(f"\nChecking in on: {' '.join(chosen.loop.next_step.split())}  ({chosen.slug})")


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


class _Asker:
    """Each value from its option, else from a prompt (with `yes`: the prompt's default, if it has one)."""

    def __init__(self, yes: bool):
        self.yes = yes

    def text(self, value, prompt: str, default: str | None = None, option: str = "") -> str:
        if value is not None:
            return value.strip()
        if self.yes and default is not None:
            return default
        if self.yes:
            raise api.StepError(Problem("", 0, option, "is needed with --yes", f"give {option} TEXT"))
        return click.prompt(prompt, default=default, show_default=bool(default)).strip()

    def confirm(self, value, prompt: str, default: bool) -> bool:
        if value is not None:
            return value
        return default if self.yes else click.confirm(prompt, default=default)

    def date(self, value, prompt: str, default: dt.date):
        if value is not None or self.yes:
            return value or default
        answer = click.prompt(prompt, default=default.isoformat())
        try:
            return parse_date(None, None, answer)
        except click.BadParameter as e:
            raise api.StepError(Problem("", 0, "--due", e.message))


def _answers(o: dict, chosen, ask: _Asker, today: dt.date) -> Answers:
    step = chosen.loop.next_step if chosen else ""
    did = ask.confirm(o["did"], "Did you do it?", True) if chosen else True
    if chosen and did:
        action = o["action"] or " ".join(step.split())
    elif chosen:
        action = o["action"] or f"Did not do it: {' '.join(step.split())}"
    else:
        action = ask.text(o["action"], "What did you do?", option="--action")
    outcome = ask.text(o["outcome"], "What happened?" if did else "What happened instead? (what got in the way)",
                       default="", option="--outcome")
    learning = ask.text(o["learning"], "What did you learn?" if did else "What did you learn from not doing it?",
                        option="--learning")
    carried = False
    if chosen and not did:
        carried = o["carry"] if o["carry"] is not None else (
            " ".join(o["next_step"].split()) == " ".join(step.split()) if o["next_step"] is not None
            else ask.confirm(None, "Carry the step over as your next step?", True))
    next_step = ask.text(o["next_step"], "Your one next step (small, and a stretch)",
                         default=" ".join(step.split()) if carried else None, option="--next-step")
    due = ask.date(o["due"], "Due", today + dt.timedelta(days=7)) if next_step else None
    goals = _names(o["goal"]) or _names((ask.text(None, "The goal it serves (slugs, comma-separated)",
                                                   default=", ".join(chosen.loop.goals if chosen else ())),))
    competencies = _names(o["competency"]) or (chosen.loop.competencies if chosen else ())
    short_title = _short(action, 50) if did else f"Not yet: {_short(step, 40)}"
    title = ask.text(o["title"], "Title", default=short_title, option="--title")
    return Answers(on=chosen.slug if chosen else "", did=did, action=action, outcome=outcome,
                   learning=learning, title=title, next_step=next_step, due=due, goals=goals,
                   competencies=competencies, audience=o["audience"], carried=carried)


@command()
@click.option("--on", "on_slug", metavar="SLUG", help="Check in on entry SLUG's next step (default: the first open one, overdue first).")
@click.option("--did/--did-not", "did", default=None, help="Whether you did it (a step not done teaches too).")
@click.option("--action", metavar="TEXT", help="What you did (default: the step checked in on).")
@click.option("--outcome", metavar="TEXT", help="What happened.")
@click.option("--learning", metavar="TEXT", help="What you learned.")
@click.option("--carry/--no-carry", "carry", default=None, help="With --did-not: the step becomes your next step again.")
@click.option("--next-step", "next_step", metavar="TEXT", help="Your one next step: small, and a stretch.")
@click.option("--due", callback=parse_date, metavar="DATE", help="When the next step is due (default: a week from today).")
@click.option("--goal", multiple=True, metavar="SLUG", help="The goal it serves (repeat for more; default: the earlier entry's).")
@click.option("--competency", multiple=True, metavar="NAME", help="A competency it shows (repeat; default: the earlier entry's).")
@click.option("--title", metavar="TEXT", help="The new entry's title (default: the action).")
@click.option("--audience", type=click.Choice(["private", "internal", "public"]), default="private", show_default=True,
              help="Who may see the new entry.")
@click.option("--today", callback=parse_date, metavar="DATE", help="The day of the check-in (default: today).")
@click.option("-y", "--yes", is_flag=True, help="Take the default of every question not given as an option.")
def checkin(on_slug, today, yes, **options):
    """One coaching session: check in on your last commitment and set the next small step.

    Shows your open commitments (overdue first) and checks in on the first (or --on SLUG): did
    you do it, what happened, what you learned ("I did not do it" is a learning too), then your
    one next step, its due date and the goal it serves. Writes a learning entry linked back to
    the earlier one, and closes the earlier step by editing only its `next_step_done:` line
    (done today, or "carried over"). Every question is also an option, for scripts. Shows your
    private entries too: this is your own session. Interrupted after writing the entry (Ctrl+C, a
    kill), run it again: it closes the step without a second entry. A read-only entry is left as it is.

    \b
    Example:
        notepress checkin
        notepress checkin --did --outcome "Finance agreed" --learning "Ask for the number first" \\
            --next-step "Draft the ACH default proposal" --due 2026-12-04 --goal lead-payments
    """
    repo = project().on(today)

    def answer(session, chosen) -> Answers:
        _show_session(session, chosen)
        return _answers(options, chosen, _Asker(yes), repo.today)

    try:
        done = api.checkin(repo, answer, on=on_slug)
    except KeyboardInterrupt:
        click.echo("\nnotepress: interrupted: run `notepress checkin` again to finish the check-in "
                   "(an entry it wrote is kept, not written twice)", err=True)
        sys.exit(130)
    if done.written.resumed:
        click.echo(f"{done.written.source}: the check-in on {done.chosen.slug} written earlier today, kept "
                   "(it was interrupted before closing the step, closed now)", err=True)
    click.echo(done.written.source)
    if done.written.earlier:
        click.echo(f"{done.written.earlier}: {done.written.done_line}")
    left = len(done.session.steps) - (1 if done.chosen else 0)
    if left:
        click.echo(f"{plural(left, 'more open commitment')}: run `notepress checkin --on SLUG` for each", err=True)
