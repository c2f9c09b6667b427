"""The Click command `notepress checkin`: the guided check-in, asked question by question (registered in cli.py).

Every answer is checked as it is typed (review/answers.py) and asked again when it is wrong; every
answer typed is kept at once in a draft (review/resume.py), so that Ctrl+C, a closed terminal's end
of input or a refusal loses nothing: the next `notepress checkin` offers to resume it.
"""

from __future__ import annotations

import datetime as dt
import sys

import click

from . import api
from .cli_base import command, parse_date, plural, project, show_problems
from .problems import Problem
from .project import Project
from .review import Answers
from .review import resume
from .review.answers import DAY_FORMS, Rules, short, split

ASK_DAY = "Due (2026-12-01, Dec 1, next friday, in 2 weeks)"


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


def _checked(rule):
    """A click value_proc: the rule's value, or BadParameter (click says it and asks again). A message
    without a subject ("is empty") names the answer it is about: "the learning is empty"."""
    def run(value):
        try:
            return rule(value)
        except api.StepError as e:
            p = e.problems[0]
            said = f"the {p.field.lstrip('-').replace('-', ' ')} {p.message}" \
                if p.field and p.message.startswith(("is ", "has ")) else p.message
            raise click.BadParameter(f"{said} ({p.fix})" if p.fix else said)
    return run


class Asker:
    """Each answer from its option (checked by its rule: a wrong one stops the command), else asked,
    the answer kept (resumed) as its default, checked as typed and asked again when wrong. With
    `yes`, the default of every question not given as an option. Every answer is kept in `self.kept`
    and saved (`self.save`) as soon as it is typed."""

    def __init__(self, yes: bool, kept: dict, save):
        self.yes, self.kept, self.save, self.typed = yes, dict(kept), save, False

    def _keep(self, key: str, value, typed: bool):
        """Keep `value`; save every answer kept once one was typed (a script's options make no draft)."""
        self.kept[key] = value
        self.typed = self.typed or typed
        if self.typed:
            self.save(self.kept)
        return value

    def ask(self, key: str, value, prompt: str, rule, default=None, shown=str, back=None):
        """`rule(option value or typed text)`; `default` (or the answer kept) shown by `shown`; the
        answer, typed, given as an option or taken by --yes, shown back by `back`, when given."""
        def said(answer):
            if back is not None:
                click.echo(back(answer))
            return answer

        if value is not None:
            return said(self._keep(key, rule(value), typed=False))
        default = self.kept.get(key, default)
        if self.yes and default is not None:
            return said(rule(default))
        if self.yes:
            raise api.StepError(Problem("", 0, f"--{key.replace('_', '-')}", "is needed with --yes",
                                        f"give --{key.replace('_', '-')} TEXT"))
        answer = click.prompt(prompt, default="" if default is None else shown(default),  # "": the rule says why
                              show_default=default not in (None, ""), value_proc=_checked(rule))
        return self._keep(key, said(answer), typed=True)

    def confirm(self, key: str, value, prompt: str, default: bool) -> bool:
        if value is not None:
            return self._keep(key, value, typed=False)
        default = self.kept.get(key, default)
        if self.yes:
            return default
        shown = "Y/n" if default else "y/N"
        answer = click.prompt(f"{prompt} [{shown}]", default="", show_default=False, value_proc=_yes_or_no(default))
        return self._keep(key, answer, typed=True)


def _yes_or_no(default: bool):
    """A click value_proc for a yes/no question: y, yes, n, no (any case), or Enter for `default`;
    anything else is said and asked again."""
    def run(value: str) -> bool:
        word = value.strip().lower()
        if not word:
            return default
        if word in ("y", "yes", "n", "no"):
            return word.startswith("y")
        raise click.BadParameter(f"{value.strip()!r} is not yes or no (answer y or n, or Enter for "
                                 f"{'yes' if default else 'no'})")
    return run


def _listed(values) -> str:
    return ", ".join(values) if values else "-"


def _choices(what: str, choices, titled: bool = False) -> None:
    """The valid answers, numbered (a number is an answer too); with `titled`, each with its title."""
    click.echo(f"{what}: " + "  ".join(f"{i}. {value}" + (f" ({label})" if titled else "")
                                       for i, (value, label) in enumerate(choices, 1)))


def _loop(o: dict, chosen, ask: Asker, rules: Rules) -> tuple:
    """did, action, outcome, learning, carried: what happened to the step checked in on."""
    step = " ".join(chosen.loop.next_step.split()) if chosen else ""
    did = ask.confirm("did", o["did"], "Did you do it?", True) if chosen else True
    text = rules.text
    if chosen:
        action = o["action"] or (step if did else f"Did not do it: {step}")
    else:
        action = ask.ask("action", o["action"], "What did you do?", lambda v: text("--action", v))
    outcome = ask.ask("outcome", o["outcome"], "What happened?" if did else "What happened instead? "
                      "(what got in the way)", lambda v: text("--outcome", v, required=False), default="")
    learning = ask.ask("learning", o["learning"], "What did you learn?" if did else
                       "What did you learn from not doing it?", lambda v: text("--learning", v))
    carried = False
    if chosen and not did:
        carried = o["carry"] if o["carry"] is not None else (
            " ".join(o["next_step"].split()) == step if o["next_step"] is not None
            else ask.confirm("carried", None, "Carry the step over as your next step?", True))
    return did, action, outcome, learning, carried


def _next(o: dict, chosen, ask: Asker, rules: Rules, carried: bool) -> tuple:
    """next_step, due, goals, competencies: the one next step and what it serves."""
    step = " ".join(chosen.loop.next_step.split()) if chosen else ""
    next_step = ask.ask("next_step", o["next_step"], "Your one next step (small, and a stretch)",
                        lambda v: rules.text("--next-step", v), default=step if carried else None)
    due = None
    if next_step:
        due = ask.ask("due", o["due"], ASK_DAY, rules.due, default=rules.today + dt.timedelta(days=7),
                      shown=lambda d: d.isoformat() if isinstance(d, dt.date) else d,
                      back=lambda d: f"  due {d.isoformat()} ({d:%A})")
    goals = ()
    if rules.goal_choices or o["goal"]:
        if o["goal"] is None and not ask.yes:
            _choices("Goals", rules.goal_choices, titled=True)
        goals = ask.ask("goals", o["goal"], "The goals it serves (numbers or slugs; - for none)", rules.goals,
                        default=list(chosen.loop.goals) if chosen else [], shown=_listed)
    if o["competency"] is None and not ask.yes:
        _choices("Competencies", rules.competency_choices)
    competencies = ask.ask("competencies", o["competency"], "The competencies it shows (numbers or names; "
                           "- for none)", rules.competencies, shown=_listed,
                           default=list(chosen.loop.competencies) if chosen else [])
    return next_step, due, goals, competencies


def _answers(o: dict, chosen, ask: Asker, rules: Rules) -> Answers:
    did, action, outcome, learning, carried = _loop(o, chosen, ask, rules)
    next_step, due, goals, competencies = _next(o, chosen, ask, rules, carried)
    audience = ask.ask("audience", o["audience"], "Who may see it: private (you), internal (your team) or "
                       "public (the blog)", rules.audience, default="private")
    step = " ".join(chosen.loop.next_step.split()) if chosen else ""
    title = ask.ask("title", o["title"], "Title", rules.title,
                    default=short(action) if did else f"Not yet: {short(step, 60)}")
    return Answers(on=chosen.slug if chosen else "", did=did, action=action, outcome=outcome,
                   learning=learning, title=title, next_step=next_step, due=due, goals=tuple(goals),
                   competencies=tuple(competencies), audience=audience, carried=carried)


def _elsewhere(kept: resume.Kept) -> api.StepError:
    """The refusal of a check-in on another step while one stopped is kept: one at a time, nothing dropped."""
    return api.StepError(Problem(resume.FILE.as_posix(), 0, "", "holds the answers of a check-in on "
                                 f"{kept.on or 'your first step'} that was stopped",
                                 "run `notepress checkin` without --on to resume it, or delete the file to drop them"))


def _resumed(repo, yes: bool, on: str | None) -> resume.Kept | None:
    """The answers a stopped check-in kept, when the writer resumes them (asked; with --yes, always)."""
    kept = resume.load(repo.root)
    if kept is None:
        return None
    if on is not None and on != kept.on:
        raise _elsewhere(kept)
    where = resume.FILE.as_posix()
    on = f" on {kept.on}" if kept.on else ""
    click.echo(f"A check-in{on} started {kept.started} was stopped; its answers are kept in {where}.")
    if yes or click.prompt("Resume it? [Y/n]", default="", show_default=False, value_proc=_yes_or_no(True)):
        if not yes:
            click.echo("Each question shows its kept answer as the default: press Enter to keep it.")
        return kept
    aside = resume.set_aside(repo.root).relative_to(repo.root).as_posix()
    click.echo(f"Started again: its answers are set aside in {aside} (delete it once you no longer need them).")
    return None


def _options(o: dict, rules: Rules) -> None:
    """The answers given as options, checked before any question is asked (StepError: the first wrong one)."""
    for key, rule in (("due", rules.due), ("goal", rules.goals), ("competency", rules.competencies),
                      ("audience", rules.audience), ("title", rules.title)):
        if o[key] is not None:
            rule(o[key])


def _stopped(repo, ctrl_c: bool) -> None:
    if resume.where(repo.root).exists():
        click.echo(f"\nnotepress: check-in stopped; your answers are kept in {resume.FILE.as_posix()}: run "
                   "`notepress checkin` again to resume it", err=True)
    elif ctrl_c:
        click.echo("\nnotepress: interrupted: run `notepress checkin` again to finish the check-in "
                   "(an entry it wrote is kept, not written twice)", err=True)
    else:
        click.echo("\nnotepress: the input ended before the first answer: answer the questions in a terminal, "
                   "or give them as options with --yes (notepress checkin --help)", err=True)
    sys.exit(130 if ctrl_c else 1)


@command()
@click.option("--on", "on_slug", metavar="SLUG", help="Check in on entry SLUG's next step (default: the first open one, overdue first).")
@click.option("--did/--did-not", "did", default=None, help="Whether you did it (a step not done teaches too).")
@click.option("--action", metavar="TEXT", help="What you did (default: the step checked in on).")
@click.option("--outcome", metavar="TEXT", help="What happened.")
@click.option("--learning", metavar="TEXT", help="What you learned.")
@click.option("--carry/--no-carry", "carry", default=None, help="With --did-not: the step becomes your next step again.")
@click.option("--next-step", "next_step", metavar="TEXT", help="Your one next step: small, and a stretch.")
@click.option("--due", metavar="DAY", help=f"When the next step is due: {DAY_FORMS} (default: a week from today).")
@click.option("--goal", multiple=True, metavar="SLUG", help="The goal it serves (repeat for more; default: the earlier entry's).")
@click.option("--competency", multiple=True, metavar="NAME", help="A competency it shows (repeat; default: the earlier entry's).")
@click.option("--title", metavar="TEXT", help="The new entry's title (default: the action).")
@click.option("--audience", metavar="WHO", help="Who may see the new entry: private, internal or public (default: private).")
@click.option("--today", callback=parse_date, metavar="DATE", help="The day of the check-in (default: today).")
@click.option("-y", "--yes", is_flag=True, help="Take the default of every question not given as an option.")
def checkin(on_slug, today, yes, **options):
    """One coaching session: check in on your last commitment and set the next small step.

    Shows your open commitments (overdue first) and checks in on the first (or --on SLUG): did
    you do it, what happened, what you learned ("I did not do it" is a learning too), then your
    one next step, its due date (typed as you would say it: "Dec 1", "next friday", "in 2 weeks",
    shown back as YYYY-MM-DD), the goals it serves and the competencies it shows (from lists to
    pick by number or name), who may see it and a title. A wrong answer is asked again, saying why.

    Writes a learning entry linked back to the earlier one, and closes the earlier step with one
    line: `next_step_done: DAY` when you did it; when you did not, `next_step_carried: NEW-SLUG`
    (the step is your next step again) or `next_step_dropped: NEW-SLUG` (you chose another): a
    step not done is never shown as done. Every question is also an option, for scripts.

    Nothing typed is lost: stopped (Ctrl+C, or the input ends), the answers so far are kept in
    .notepress/checkin.json and the next `notepress checkin` offers to resume them (started again
    instead, they are set aside in .notepress/checkin-DAY.json, never deleted). Interrupted
    after writing the entry, run it again: it closes the step without a second entry. Shows your
    private entries too: this is your own session. A read-only entry is left as it is.

    \b
    Example:
        notepress checkin
        notepress checkin --did --outcome "Finance agreed" --learning "Ask for the number first" \\
            --next-step "Draft the ACH default proposal" --due "next friday" --goal lead-payments
        notepress checkin --did-not --carry --learning "A step needs a slot in my calendar" --yes
    """
    repo = project().on(today)
    options["goal"] = split(options["goal"]) or None
    options["competency"] = split(options["competency"]) or None
    try:  # from "Resume it?" on, a Ctrl+C or the end of the input keeps the answers and says where
        done, kept = _session(repo, on_slug, yes, options)
    except click.Abort as e:  # a prompt's Ctrl+C, or the end of the input
        _stopped(repo, isinstance(e.__context__, KeyboardInterrupt))
    except KeyboardInterrupt:
        _stopped(repo, True)
    if kept is None or kept.on == (done.chosen.slug if done.chosen else ""):  # else another's, kept
        resume.discard(repo.root)
    _written(done)
    _problems_of(repo, done.written.source)


def _problems_of(repo, source: str) -> None:
    """What `check` says of the entry just written (a customer's name in a public check-in, say): it
    is written as typed, and said before the commit refuses it."""
    written = Project.open(repo.root, today=repo.today)  # read again: the check-in changed two entries
    found = [p for p in api.check(written).problems if p.path == source]
    for p in found:
        click.echo(str(p), err=True)
    if any(p.severity == "error" for p in found):
        click.echo(f"notepress: the check-in is written as you typed it; fix {source} before you commit it", err=True)


def _session(repo, on_slug: str | None, yes: bool, options: dict):
    """(what api.checkin did, the answers resumed or None): the answers kept offered, the questions asked."""
    kept = _resumed(repo, yes, on_slug)

    def answer(session, chosen) -> Answers:
        show_problems(repo)  # an entry with errors is left out of the session, named here
        _show_session(session, chosen)
        rules = Rules(repo.config, session.goals, repo.today, chosen)
        _options(options, rules)
        on = chosen.slug if chosen else ""
        if kept is not None and kept.on != on:
            raise _elsewhere(kept)
        asker = Asker(yes, kept.answers if kept else {},
                      lambda answers: resume.save(repo.root, resume.Kept(on, repo.today, answers)))
        return _answers(options, chosen, asker, rules)

    return api.checkin(repo, answer, on=on_slug or (kept.on if kept else None) or None), kept


def _written(done) -> None:
    if done.written.resumed:
        click.echo(f"{done.written.source}: the check-in on {done.chosen.slug} written earlier today, kept "
                   "(it was interrupted before closing the step, closed now)", err=True)
    click.echo(done.written.source)
    if done.written.earlier:
        click.echo(f"{done.written.earlier}: {done.written.done_line}")
    left = len(done.session.steps) - (1 if done.chosen else 0)
    if left:
        click.echo(f"{plural(left, 'more open commitment')}: run `notepress checkin --on SLUG` for each", err=True)
