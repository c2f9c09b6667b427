"""One Project per command: each settings file read once, one `today` for every rule."""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest

from e2e_helpers import TODAY, init_entry, run_cli
from notepress import clock
from notepress.project import Project

_opened: list[str] | None = None  # while set, every file this process opens


def _record(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.path.abspath(os.fsdecode(args[0])))


sys.addaudithook(_record)  # hooks stay for the process: this one records only while `_opened` is set


def opened_during(run) -> list[str]:
    global _opened
    _opened = []
    try:
        run()
        return list(_opened)
    finally:
        _opened = None


@pytest.mark.site
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_build_reads_each_settings_file_once(init_copy, engine):
    """What `notepress build` opens in its own process: notepress.yml once, mkdocs.yml once (MkDocs is
    handed the bytes notepress read, and the rules of a public page check that text). Zensical runs
    in a process of its own and reads mkdocs.yml there, through the settings file that inherits it."""
    root = init_copy
    result = {}
    opened = opened_during(lambda: result.setdefault("r", run_cli("-C", str(root), "build", "--engine", engine)))
    assert result["r"].exit_code == 0, result["r"].output
    resolved = root.resolve()
    assert opened.count(str(resolved / "notepress.yml")) == 1, [p for p in opened if p.endswith(".yml")]
    assert opened.count(str(resolved / "mkdocs.yml")) == 1, [p for p in opened if p.endswith(".yml")]


def test_a_command_reads_the_clock_once(init_copy, monkeypatch):
    """A build that runs across midnight gates, validates and audits on one day: the clock is read
    once, when the Project is opened, and a post scheduled for the next day stays unpublished even
    though every later reading of the clock would say it is that day."""
    root = init_copy
    essay = root / init_entry(root, "essays")
    tomorrow = TODAY + dt.timedelta(days=1)
    text = essay.read_text(encoding="utf-8")
    written = next(line for line in text.splitlines() if line.startswith("date:"))
    essay.write_text(text.replace(written, f"date: {tomorrow.isoformat()}", 1), encoding="utf-8")
    days = iter([TODAY])
    calls = []

    def today():
        calls.append(1)
        return next(days, tomorrow)  # midnight passes right after the first reading

    monkeypatch.setattr(clock, "today", today)
    result = run_cli("-C", str(root), "build")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    slug = essay.stem.split("-", 3)[3]
    assert not list((root / "site").rglob(f"{slug}/index.html"))  # scheduled: not published on TODAY


def test_a_project_on_another_day_shares_the_settings_it_read(initialized):
    project = Project.open(initialized, today=TODAY)
    later = project.on(TODAY + dt.timedelta(days=30))
    assert later.today == TODAY + dt.timedelta(days=30) and later.config is project.config
    assert project.on(None) is project and project.on(TODAY) is project
    assert project.require().entries and later.entries  # each reads posts/ for its own day


def test_notepress_today_is_the_one_hook_and_a_wrong_value_is_one_line(initialized, monkeypatch):
    monkeypatch.setenv("NOTEPRESS_TODAY", "2027-02-30")
    result = run_cli("-C", str(initialized), "check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == ("NOTEPRESS_TODAY: '2027-02-30' is not a date (write it as YYYY-MM-DD, "
                                             "or unset NOTEPRESS_TODAY to use today's date)")
    monkeypatch.setenv("NOTEPRESS_TODAY", "2027-03-01")
    assert Project.open(initialized).today == dt.date(2027, 3, 1)
