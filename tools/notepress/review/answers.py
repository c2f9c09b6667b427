"""What a check-in's answers may be: each one checked as it is typed (the CLI asks again when it is
wrong, saying why and what it may be) and all of them again before the entry is written.

    rules = Rules(config, goal_choices(entries), today, earlier)   # earlier: the entry checked in on, or None
    rules.due("next friday")                          # 2026-11-27, or StepError: one problem
    rules.goals("1, speak-at-a-meetup")               # by number, slug or title
    rules.check(answers)                              # every rule, on what will be written

Days are read in the forms people type ("Dec 1", "next friday", "in 2 weeks", "2026-12-01") by
dateparser, relative to the project's `today` (never the machine's clock), in the future.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..audience import Reader
from ..config import Config
from ..model import AUDIENCES, Entry
from ..problems import Problem
from ..scaffold import entry_slug
from .nextsteps import StepError

AHEAD = dt.timedelta(days=365)  # a next step further than a year away is a typo ("Dec 32" is read as 2032)
DAY_FORMS = "write it as YYYY-MM-DD, or as Dec 1, next friday, in 2 weeks"
NONE = ("-", "none")  # what a list answer may say for "none of them"


def problem(option: str, message: str, fix: str = "") -> StepError:
    return StepError(Problem("", 0, option, message, fix))


# A day of the month past 31 beside a month's name, with no year written: a mistyped day, never a year.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_NOT_A_DAY = re.compile(rf"(?i)^\s*(?:{_MONTH}\s+(?:3[2-9]|[4-9]\d)(?:st|nd|rd|th)?|(?:3[2-9]|[4-9]\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH})\s*$")


def parse_day(text: str, today: dt.date) -> dt.date | None:
    """The day `text` says, relative to `today` (a day named without a year is the next one), or None."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    if _NOT_A_DAY.search(text):  # "Dec 32": dateparser reads the 32 as a year (2032)
        return None
    import dateparser  # here: its import and first parse take a tenth of a second, and only a check-in asks

    found = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()), "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False})
    return found.date() if found else None


def split(answer) -> list[str]:
    """The names of a list answer: `a, b` typed, or the values of a repeated option."""
    values = [answer] if isinstance(answer, str) else list(answer)
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def goal_choices(entries: list[Entry]) -> tuple[tuple[str, str], ...]:
    """(slug, title) of every goal, oldest first."""
    return tuple((e.slug, e.title) for e in sorted(entries, key=lambda e: (e.date, e.slug)) if e.goal)


@dataclass(frozen=True)
class Rules:
    config: Config
    goal_choices: tuple[tuple[str, str], ...]  # (slug, title) of every goal (goal_choices)
    today: dt.date
    earlier: Entry | None = None  # the entry whose step is checked in on

    @property
    def competency_choices(self) -> list[tuple[str, str]]:
        return [(name, name.replace("-", " ")) for name in self.config.competencies]

    def text(self, option: str, value: str, required: bool = True) -> str:
        """A text answer, one paragraph; StepError when required and empty, or not text."""
        value = value.strip()
        if required and not value:
            raise problem(option, "is empty", "say it in a sentence: even a step not done teaches something")
        if any(unicodedata.category(c) == "Cs" for c in value):
            raise problem(option, "has bytes that are not text", "type it again")
        return value

    def title(self, value: str) -> str:
        value = " ".join(self.text("--title", value).split())
        if not entry_slug(value):
            raise problem("--title", f"{value!r} has no letters or digits", "write a short title")
        return value

    def due(self, value: str | dt.date) -> dt.date:
        """The day a next step is due: from today on, within a year."""
        day = value if isinstance(value, dt.date) else parse_day(value, self.today)
        if day is None:
            raise problem("--due", f"{value!r} is not a day I can read", DAY_FORMS)
        if day < self.today:
            raise problem("--due", f"{day} is before today ({self.today})", "a next step is due from today on")
        if day - self.today > AHEAD:
            raise problem("--due", f"{day} is more than a year from today ({self.today})",
                          f"a next step is small: choose a nearer day ({DAY_FORMS})")
        return day

    def audience(self, value: str) -> str:
        """Who may see the new entry: no one the earlier entry is hidden from, as the entry links back to it."""
        value = value.strip().lower()
        if value not in AUDIENCES:
            raise problem("--audience", f"{value!r} is not one of {', '.join(AUDIENCES)}",
                          "private is for you only, internal for your team, public for the blog")
        before = self.earlier
        hidden = [r.value for r in (Reader.PUBLIC, Reader.TEAM) if r.admits(value)
                  and (before is not None and (before.draft or not r.admits(before.audience)))]
        if hidden:
            what = "a draft" if before.draft else before.audience
            raise problem("--audience", f"{value}: the new entry links back to {before.slug}, which is {what}, and "
                          f"the {hidden[0]} may not follow that link",
                          f"choose {'private' if before.draft else before.audience}, or make {before.source} "
                          f"{value} first")
        return value

    def goals(self, answer) -> tuple[str, ...]:
        return self._pick("--goal", answer, self.goal_choices, "a goal", "none yet (notepress new goal TITLE)")

    def competencies(self, answer) -> tuple[str, ...]:
        return self._pick("--competency", answer, self.competency_choices, "in the competency framework", "")

    def _pick(self, option: str, answer, choices: list[tuple[str, str]], what: str, empty: str) -> tuple[str, ...]:
        """The values of `choices` an answer names, each by its number (from 1), value or label."""
        names = split(answer)
        if [n.lower() for n in names] in ([n] for n in NONE):
            return ()
        keys = {}
        for i, (value, label) in enumerate(choices, 1):
            for key in (str(i), value, label, label.replace(" ", "-")):
                keys.setdefault(" ".join(key.casefold().split()), value)
        picked = []
        for name in names:
            value = keys.get(" ".join(name.casefold().split()))
            if value is None:
                known = ", ".join(v for v, _ in choices) or empty
                message = f"{name!r} is not a goal" if what == "a goal" else f"{name!r} is not {what}"
                raise problem(option, message, f"use one of: {known}")
            picked.append(value)
        return tuple(dict.fromkeys(picked))

    def check(self, answers) -> None:
        """Every rule on what will be written (answers given as options are checked here); StepError:
        the first problem."""
        for option, value in (("--learning", answers.learning), ("--action", answers.action)):
            self.text(option, value)
        self.title(answers.title)
        if answers.due:
            self.due(answers.due)
        if answers.due and not answers.next_step.strip():
            raise problem("--next-step", "is empty but --due is set", "write the one next step, or leave out --due")
        self.audience(answers.audience)
        self.goals(answers.goals)
        self.competencies(answers.competencies)


SENTENCE_END = re.compile(r"[\s.;:,!?]+$")
CLAUSE = re.compile(r"[,;:.!?](?= )| (?=(?:and|but|to|so|then|before|after|with) )")


def short(text: str, limit: int = 70) -> str:
    """`text` in one line, as a title: whole when it is at most `limit` characters, else its first
    clause that fits (cut before ", ", " and ", " to "...), else its words that fit; never a "…"
    (a title is the writer's words, not a cut of them)."""
    text = " ".join(text.split())
    if len(text) > limit:
        cuts = [m.start() for m in CLAUSE.finditer(text, 0, limit + 1) if m.start() >= limit // 3]
        text = text[:cuts[-1]] if cuts else text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] \
            else text[:limit]
    return SENTENCE_END.sub("", text) or text
