"""Goals and the actions that serve them; the cadence of check-ins.

A goal is an entry of type `goal`; a learning entry serves the goals it names in `goals:`. For each
goal: the actions taken and when, what happened (the evidence against the success measure), what
was learned, the open next steps, the days since the last action, and whether that is longer than
the cadence (`cadence_days` in notepress.yml, default 14: "at least twice a month"). A check-in on
a step not done (model.steps_not_done) is listed as "(not done)" and what it learned is kept, but
it is no action: not counted, not evidence, and it does not keep a goal on track. Entries come
already through the audience gate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from ..audience import View
from ..model import Entry, steps_not_done
from .nextsteps import OpenStep, open_steps


@dataclass(frozen=True)
class Action:
    date: dt.date
    slug: str
    title: str
    action: str
    outcome: str
    learning: str
    step_end: str = ""  # what became of its next step, once closed: "done 2026-03-20", "carried over to [slug]"
    not_done: bool = False  # a check-in on a step not done: a learning, not an action taken


@dataclass(frozen=True)
class GoalProgress:
    slug: str
    title: str
    source: str
    audience: str
    want: str
    why: str
    success: str
    measure: str
    horizon: dt.date
    competencies: tuple[str, ...]
    actions: tuple[Action, ...]  # oldest first, the check-ins on a step not done among them
    steps: tuple[OpenStep, ...]  # open next steps of the entries serving it, overdue first
    days_since: int | None  # since the last action done (None: none yet)
    stale: bool  # no action done within the cadence

    @property
    def done(self) -> tuple[Action, ...]:
        """The actions taken: without the check-ins on a step not done."""
        return tuple(a for a in self.actions if not a.not_done)

    @property
    def last(self) -> dt.date | None:
        return self.done[-1].date if self.done else None


@dataclass(frozen=True)
class Cadence:
    """When the writer last checked in (their newest learning entry) against `cadence_days`."""

    today: dt.date
    days: int  # cadence_days
    last: dt.date | None

    @property
    def since(self) -> int | None:
        return (self.today - self.last).days if self.last else None

    @property
    def stale(self) -> bool:
        return self.last is None or self.since > self.days

    def message(self) -> str:
        """One line, or "" when the last check-in is recent enough."""
        if not self.stale:
            return ""
        if self.last is None:
            return "no check-in yet: run `notepress checkin` to set your first next step"
        return (f"last check-in {self.last}, {self.since} days ago: older than the cadence of {self.days} days "
                "(run `notepress checkin`)")


@dataclass(frozen=True)
class Goals:
    contains: str
    today: dt.date
    goals: tuple[GoalProgress, ...]  # nearest horizon first
    cadence: Cadence

    @property
    def stale(self) -> tuple[GoalProgress, ...]:
        return tuple(g for g in self.goals if g.stale)


def cadence(entries: list[Entry], days: int, today: dt.date) -> Cadence:
    dates = [e.date for e in entries if e.loop and e.date <= today]
    return Cadence(today, days, max(dates) if dates else None)


def _action(e: Entry, view: View, missed: frozenset[str]) -> Action:
    one = " ".join
    ended = dataclasses.replace(e.loop, next_step_due=None) if e.loop.next_step and e.loop.closed else None
    end = ended.step_state_as(dt.date.isoformat, later=lambda slug: f"[{slug}]" if view.get(slug) else "") \
        if ended else ""
    return Action(e.date, e.slug, e.title, one(e.loop.action.split()), one(e.loop.outcome.split()),
                  one(e.loop.learning.split()), end, e.slug in missed)


def progress(view: View, *, contains: str, today: dt.date) -> Goals:
    """Every goal of the view with the learning entries (of the view) that serve it."""
    entries, days = list(view), view.config.cadence_days
    missed = steps_not_done(entries)
    out = []
    for goal in (e for e in entries if e.goal):
        serving = sorted((e for e in entries if e.loop and goal.slug in e.loop.goals and e.date <= today),
                         key=lambda e: (e.date, e.slug))
        done = [e for e in serving if e.slug not in missed]
        since = (today - done[-1].date).days if done else None
        g = goal.goal
        out.append(GoalProgress(
            slug=goal.slug, title=goal.title, source=goal.source, audience=goal.audience, want=g.want, why=g.why,
            success=g.success, measure=g.measure, horizon=g.horizon, competencies=g.competencies,
            actions=tuple(_action(e, view, missed) for e in serving), steps=tuple(open_steps(serving, today)),
            days_since=since, stale=since is None or since > days))
    out.sort(key=lambda g: (g.horizon, g.slug))
    return Goals(contains, today, tuple(out), cadence(entries, days, today))


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _goal_lines(g: GoalProgress, today: dt.date, days: int) -> list[str]:
    left = (g.horizon - today).days
    horizon = f"{_days(left)} left" if left >= 0 else f"passed {_days(-left)} ago"
    out = [f"{g.title} [{g.slug}] ({g.audience})", f"  horizon   {g.horizon} ({horizon})",
           f"  want      {g.want}", f"  why       {g.why}", f"  success   {g.success}", f"  measure   {g.measure}"]
    if g.competencies:
        out.append(f"  grows     {', '.join(g.competencies)}")
    out += _action_lines(g, days)
    evidence = [a for a in g.done if a.outcome]
    out.append(f"  evidence against the measure: {len(evidence)} outcome{'s' if len(evidence) != 1 else ''}")
    out += [f"    {a.date}  {a.outcome}" for a in evidence]
    learned = [a for a in g.actions if a.learning]
    if learned:
        out.append("  learned")
        out += [f"    {a.date}  {a.learning}" for a in learned]
    if g.steps:
        out.append("  open next step" + ("s" if len(g.steps) > 1 else ""))
        for s in g.steps:
            when = f"overdue, due {s.due}" if s.overdue else f"due {s.due}" if s.due else "no due date"
            again = f"  (carried over from {', '.join(f'[{c}]' for c in s.carried_from)})" if s.carried_from else ""
            out.append(f"    {when}: {s.step}  [{s.slug}]{again}")
    else:
        out.append("  open next step: none (set one with `notepress checkin`)")
    return out


def _action_lines(g: GoalProgress, days: int) -> list[str]:
    """How many actions were taken, the last and whether that is on track; then each, the check-ins
    on a step not done marked "(not done)" and not counted."""
    missed = len(g.actions) - len(g.done)
    also = f" (and {missed} step{'s' if missed != 1 else ''} not done)" if missed else ""
    if g.done:
        state = f"stale: no action in {_days(days)}" if g.stale else "on track"
        out = [f"  actions   {len(g.done)}{also}, the last {g.last} ({_days(g.days_since)} ago): {state}"]
    elif g.actions:
        out = [f"  actions   none done yet{also}: stale"]
    else:
        return ["  actions   none yet: stale (name this goal in a learning entry's `goals:`)"]
    return out + [f"    {a.date}  {a.action}  [{a.slug}]" + ("  (not done)" if a.not_done else "")
                  + (f"  (next step {a.step_end})" if a.step_end else "") for a in g.actions]


def table(goals: Goals) -> str:
    """The terminal view of `goals`."""
    days = goals.cadence.days
    out = [goals.contains, f"Goals on {goals.today} (cadence: an action every {_days(days)})", ""]
    if not goals.goals:
        out += ["no goals yet: notepress new goal \"What I want by next year\"", ""]
    for g in goals.goals:
        out += [*_goal_lines(g, goals.today, days), ""]
    if goals.stale:
        out.append(f"No action in {_days(days)}: {', '.join(g.slug for g in goals.stale)}")
    elif goals.goals:
        out.append(f"Every goal had an action in the last {_days(days)}")
    message = goals.cadence.message()
    if message:
        out.append(message[:1].upper() + message[1:])
    return "\n".join(out) + "\n"
