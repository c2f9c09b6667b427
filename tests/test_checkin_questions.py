"""The guided check-in cannot lose work (issue 21), from `notepress init`, driven through stdin and a
pseudo-terminal: a wrong answer (a day it cannot read, one more than a year away, an unknown goal,
competency or audience, an empty learning) is said and asked again; days are typed as people say
them and shown back as YYYY-MM-DD; Ctrl+C keeps the answers in .notepress/checkin.json and the next
check-in resumes them; the entry reads like the writer's words.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import pty
import select
import signal
import stat
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from e2e_helpers import TODAY, output
from notepress.cli import main
from notepress.review.answers import parse_day

EARLIER = "five-support-calls-in-one-week"  # init's public learning entry, its step open (due TODAY + 7)
STEP = "Turn each call into an insight note and bring the setup-step theme to the next planning session."
DRAFT = Path(".notepress/checkin.json")
NOTEPRESS = Path(sys.executable).parent / "notepress"


def earlier_of(repo: Path) -> Path:
    [path] = repo.glob(f"posts/learning/*-{EARLIER}.md")
    return path


def checkin(repo: Path, answers, *args: str):
    """`notepress checkin` in-process, the answers typed one a line (or a stream that stops)."""
    stdin = answers if hasattr(answers, "read") else "".join(f"{a}\n" for a in answers)
    return CliRunner().invoke(main, ["-C", str(repo), "checkin", *args], input=stdin)


@pytest.mark.parametrize("typed, day", [
    ("Dec 1", dt.date(2026, 12, 1)), ("next friday", dt.date(2026, 11, 27)), ("in 2 weeks", dt.date(2026, 12, 7)),
    ("2026-12-01", dt.date(2026, 12, 1)), ("tomorrow", dt.date(2026, 11, 24)), ("banana", None),
    ("Dec 32", None), ("32nd of December", None), ("in 45 days", dt.date(2027, 1, 7)),  # not the year 2032
])
def test_days_are_read_as_people_type_them_relative_to_the_projects_today(typed, day):
    assert TODAY == dt.date(2026, 11, 23)  # a Monday: the days above are counted from it
    assert parse_day(typed, TODAY) == day


def test_a_wrong_answer_is_said_and_asked_again_and_the_entry_reads_like_the_writer(init_copy):
    before = earlier_of(init_copy).read_text(encoding="utf-8")
    answers = ["maybe", "y", "Planning took the theme", "", "Bring one call, not a chart", "Ask support to tag setup calls",
               "Dec 32", "banana", "Dec 1", "onboarding", "1", "charm", "execution, customer relationships",
               "everyone", "internal", ""]

    result = checkin(init_copy, answers)

    assert result.exit_code == 0, output(result)
    said = [line.split("Error: ", 1)[1] for line in result.output.splitlines() if "Error: " in line]
    assert said == [
        "'maybe' is not yes or no (answer y or n, or Enter for yes)",
        "the learning is empty (say it in a sentence: even a step not done teaches something)",  # names the answer
        "'Dec 32' is not a day I can read (write it as YYYY-MM-DD, or as Dec 1, next friday, in 2 weeks)",
        "'banana' is not a day I can read (write it as YYYY-MM-DD, or as Dec 1, next friday, in 2 weeks)",
        "'onboarding' is not a goal (use one of: understand-onboarding)",
        "'charm' is not in the competency framework (use one of: business-acumen, strategic-thinking, leadership, "
        "execution, stakeholder-relationships, customer-relationships, financial-literacy, people-sense, mentoring, "
        "product-sense, market-insight, business-vision)",
        "'everyone' is not one of public, internal, private (private is for you only, internal for your team, "
        "public for the blog)"]
    assert "  due 2026-12-01 (Tuesday)" in result.output  # shown back as YYYY-MM-DD
    assert "Goals: 1. understand-onboarding (Understand onboarding end to end)" in result.output
    assert "Competencies: 1. business-acumen  2. strategic-thinking" in result.output
    new = init_copy / f"posts/learning/{TODAY}-turn-each-call-into-an-insight-note-and-bring-the-setup-step-theme.md"
    assert new.read_text(encoding="utf-8") == f"""---
title: Turn each call into an insight note and bring the setup-step theme
date: {TODAY}
type: learning
audience: internal
slug: turn-each-call-into-an-insight-note-and-bring-the-setup-step-theme
goals: [understand-onboarding]
competencies: [execution, customer-relationships]
action: {STEP}
outcome: Planning took the theme
learning: Bring one call, not a chart
next_step: Ask support to tag setup calls
next_step_due: 2026-12-01
---

I did what I set out to do in “[[{EARLIER}]]”.
"""
    assert earlier_of(init_copy).read_text(encoding="utf-8") == before.replace(
        "\n# next_step_done:", f"\nnext_step_done: {TODAY}\n# next_step_done:", 1)
    assert not (init_copy / DRAFT).exists()  # written: nothing left to resume


class CtrlC(io.RawIOBase):
    """Standard input that gives `lines`, then Ctrl+C (KeyboardInterrupt) as the next one is read."""

    def __init__(self, lines: list[str]):
        self.data = "".join(f"{line}\n" for line in lines).encode()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.data and len(buffer):  # read(0), which click's runner does first, reads nothing
            raise KeyboardInterrupt
        n = min(len(buffer), len(self.data))
        buffer[:n], self.data = self.data[:n], self.data[n:]
        return n


def test_ctrl_c_keeps_the_answers_and_the_next_checkin_resumes_them(init_copy):
    before = sorted(init_copy.rglob("*.md"))
    earlier = earlier_of(init_copy).read_bytes()

    stopped = checkin(init_copy, CtrlC(["n", "The quarter close took the week", "A step needs a slot in my calendar"]))

    assert stopped.exit_code == 130, output(stopped)
    assert stopped.stderr.endswith("notepress: check-in stopped; your answers are kept in .notepress/checkin.json: "
                                   "run `notepress checkin` again to resume it\n")
    assert sorted(init_copy.rglob("*.md")) == before and earlier_of(init_copy).read_bytes() == earlier
    assert stat.S_IMODE((init_copy / DRAFT).stat().st_mode) == 0o600  # private notes: its owner's only

    # A check-in on another step is refused while these answers are kept: one at a time, none dropped.
    other = checkin(init_copy, [], "--on", "another-step")
    assert (other.exit_code, other.stderr) == (1, ".notepress/checkin.json: holds the answers of a check-in on "
                                               f"{EARLIER} that was stopped (run `notepress checkin` without --on "
                                               "to resume it, or delete the file to drop them)\n")

    # Resumed: every answer kept is the default of its question (Enter keeps it); the due day is new.
    resumed = checkin(init_copy, ["", "", "", "", "", "", "in 2 weeks", "", "", "", ""])

    assert resumed.exit_code == 0, output(resumed)
    assert resumed.output.startswith(f"A check-in on {EARLIER} started {TODAY} was stopped; its answers are kept in "
                                     ".notepress/checkin.json.\nResume it? [Y/n]: \nEach question shows its kept "
                                     "answer as the default: press Enter to keep it.\n")
    assert "What happened instead? (what got in the way) [The quarter close took the week]: " in resumed.output
    [new] = init_copy.glob(f"posts/learning/{TODAY}-not-yet-*.md")
    text = new.read_text(encoding="utf-8")
    assert "\noutcome: The quarter close took the week\nlearning: A step needs a slot in my calendar\n" in text
    assert f"\nnext_step: {STEP}\nnext_step_due: 2026-12-07\n" in text
    assert "title: 'Not yet: Turn each call into an insight note'\n" in text  # no "…"
    assert f"\nnext_step_carried: {new.stem.removeprefix(f'{TODAY}-')}\n" in earlier_of(init_copy).read_text()
    assert not (init_copy / DRAFT).exists()


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 20) -> None:
    """Read the terminal into `seen` until `wanted` is in it (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{wanted!r} never came: {bytes(seen)!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            assert chunk, f"the check-in ended before {wanted!r}: {bytes(seen)!r}"
            seen += chunk


def waiting_for_input(pid: int, timeout: float = 20) -> None:
    """Until the process sleeps (in its read of the terminal, having written the question): a SIGINT in
    the moment between the question and the read would only be seen at the next key, as in CPython."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "S":
        assert time.monotonic() < deadline, "the check-in never waited for the answer"


def test_ctrl_c_in_a_terminal_keeps_the_answers_typed(init_copy):
    """A real terminal: the answers typed, then Ctrl+C (the terminal sends SIGINT) at the next question."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: notepress in the terminal, Ctrl+C as a terminal gives it (see as_in_a_terminal)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.execv(NOTEPRESS, [str(NOTEPRESS), "-C", str(init_copy), "checkin"])
    seen, status = bytearray(), None
    try:
        for question, answer in ((b"Did you do it?", b"n"), (b"What happened instead?", b"Calls ran over"),
                                 (b"What did you learn", b"Book the slot first")):
            read_until(fd, question, seen)
            os.write(fd, answer + b"\n")
        read_until(fd, b"Carry the step over as your next step? [Y/n]: ", seen)
        waiting_for_input(pid)
        os.write(fd, b"\x03")  # Ctrl+C
        read_until(fd, b"to resume it", seen)
        _, status = os.waitpid(pid, 0)
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)

    assert os.waitstatus_to_exitcode(status) == 130, bytes(seen)
    assert b"Traceback" not in seen
    kept = (init_copy / DRAFT).read_text(encoding="utf-8")
    assert '"did": false' in kept and '"outcome": "Calls ran over"' in kept and '"learning": "Book the slot first"' in kept
