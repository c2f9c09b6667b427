"""A step not done is never shown as done (issue 21): from `notepress init`, a check-in that did not
do init's learning entry's step carries it over to a public entry, and a second one carries that
on to an internal entry. `next`, `goals`, the portfolio, the newsletter draft and the built public
pages say "carried over", never "done"; the public page links the later entry only when it is
public, and never names the internal one. An entry written with the old comment form reads the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from e2e_helpers import TODAY, init_entry, output, run_cli

EARLIER = "five-support-calls-in-one-week"  # init's public learning entry, its next step open
PUBLIC, INTERNAL = "not-yet-the-setup-theme", "still-not-the-setup-theme"
DONE = re.compile(r"\bdone\s+(?:\d{4}-\d\d-\d\d|[A-Z][a-z]{2} \d+, \d{4})")  # a step said done, on a day


def ok(*args: str):
    """The command's result, which succeeded."""
    result = run_cli(*args)
    assert result.exit_code == 0, output(result)
    return result


@pytest.fixture(scope="module")
def carried(initialized, tmp_path_factory) -> Path:
    """init's repo after two check-ins that did not do the step and carried it over: to a public entry,
    then to an internal one."""
    import shutil

    repo = Path(shutil.copytree(initialized, tmp_path_factory.mktemp("carried") / "notes"))
    first = ok("-C", str(repo), "checkin", "--on", EARLIER, "--did-not", "--carry", "--learning",
               "Planning was cancelled", "--audience", "public", "--title", "Not yet: the setup theme", "--yes")
    assert first.stdout.splitlines()[-1].endswith(f": next_step_carried: {PUBLIC}")
    ok("-C", str(repo), "checkin", "--on", PUBLIC, "--did-not", "--carry", "--learning", "The theme needs data first",
       "--audience", "internal", "--title", "Still not: the setup theme", "--yes")
    return repo


def test_the_step_is_carried_over_in_the_files_never_done(carried):
    earlier = earlier_path(carried).read_text(encoding="utf-8")
    public = next(carried.glob(f"posts/learning/{TODAY}-{PUBLIC}.md")).read_text(encoding="utf-8")

    assert f"\nnext_step_carried: {PUBLIC}\n" in earlier and "\nnext_step_done:" not in earlier
    assert f"\nnext_step_carried: {INTERNAL}\n" in public and "\nnext_step_done:" not in public
    assert "I have not yet done what I set out to do in “[[five-support-calls-in-one-week]]”: it is my next step " \
           "again." in public
    assert ok("-C", str(carried), "check").stderr == ""


def test_next_goals_and_the_portfolio_say_carried_over(carried):
    steps = ok("-C", str(carried), "next").stdout
    goals = ok("-C", str(carried), "goals").stdout
    portfolio = ok("-C", str(carried), "portfolio").stdout

    assert f"carried over (not done) from {PUBLIC}" in steps
    assert f"[{EARLIER}]  (next step carried over to [{PUBLIC}])" in goals
    assert f"[{PUBLIC}]  (not done)  (next step carried over to [{INTERNAL}])" in goals  # a check-in not done
    assert f"[{INTERNAL}]  (carried over from [{PUBLIC}])" in goals  # the open step, where it came from
    assert "carried over to “Not yet: the setup theme”)" in portfolio
    assert "carried over to “Still not: the setup theme”)" in portfolio
    assert not DONE.search(steps + goals + portfolio)


def test_the_newsletter_draft_says_carried_over(carried, tmp_path):
    import shutil

    repo = Path(shutil.copytree(carried, tmp_path / "notes"))
    drafted = ok("-C", str(repo), "newsletter", "draft")

    page = repo / next(line for line in drafted.stdout.splitlines() if line.endswith("index.html"))
    text = page.with_name("email.txt").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    assert "carried over to “Not yet: the setup theme”" in flat  # the team sees both later entries
    assert "carried over to “Still not: the setup theme”" in flat
    assert "carried over to" in page.read_text(encoding="utf-8")
    assert not DONE.search(flat)


def test_the_public_page_links_a_public_later_entry_and_never_names_another(carried, tmp_path):
    import shutil

    repo = Path(shutil.copytree(carried, tmp_path / "notes"))
    ok("-C", str(repo), "build", "--engine", "zensical")  # one build: the engines share the generated posts

    day = earlier_path(repo).name[:10].replace("-", "/")
    first = (repo / f"site/blog/{day}/{EARLIER}/index.html").read_text(encoding="utf-8")
    second = (repo / f"site/blog/{TODAY:%Y/%m/%d}/{PUBLIC}/index.html").read_text(encoding="utf-8")
    assert re.search(r"carried over to <a href=\"[^\"]*/not-yet-the-setup-theme/\">Not yet: the setup theme</a>",
                     first), first
    assert "carried over to a later entry)" in second  # the internal entry: not named, not linked
    site = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in (repo / "site").rglob("*")
                     if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt"))
    assert INTERNAL not in site and "Still not" not in site
    assert not DONE.search(first + second)


def earlier_path(repo: Path) -> Path:
    [path] = repo.glob(f"posts/learning/*-{EARLIER}.md")
    return path


def test_an_entry_written_with_the_old_comment_reads_as_carried_over(init_copy):
    path = init_copy / init_entry(init_copy, "learning")
    text = path.read_text(encoding="utf-8")
    old = f"next_step_done: {TODAY}  # carried over to [[a-later-entry]]"
    path.write_text(text.replace("# next_step_done: YYYY-MM-DD", old, 1), encoding="utf-8")
    line = text[:text.index("# next_step_done:")].count("\n") + 1

    checked = run_cli("-C", str(init_copy), "check")
    goals = ok("-C", str(init_copy), "goals").stdout

    assert checked.exit_code == 0, output(checked)  # warnings only
    rel = path.relative_to(init_copy).as_posix()
    assert f"{rel}:{line}: warning: next_step_done: says `# carried over to [[a-later-entry]]`, so the step is read " \
           f"as not done (write `next_step_carried: a-later-entry` in place of this line)" in checked.stderr
    assert f"[{EARLIER}]  (next step carried over to a later entry)" in goals
    assert not DONE.search(goals)
