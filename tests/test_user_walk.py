"""What a user walk of issue 21 found, each fixed at its cause and tested from `notepress init`:
a theme is one whatever its case in stats, the portfolio and related posts as in the newsletter; a
check-in on a step not done is listed "(not done)" and is no action and no evidence; `new --from`
closes the step it says was done; an issue with no insight has no learning entry's title as its
subject; the check-in shows a due day given as an option, keeps its answers at a Ctrl+C or a "no"
to "Resume it?", and names an empty answer's field; a command run inside a writing repo's folders
finds the repo upward, as git does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from e2e_helpers import TODAY, init_entry, output, run_cli
from notepress.cli import main
from notepress.connections import related
from notepress.model import Entry, Insight

EARLIER = "five-support-calls-in-one-week"  # init's public learning entry, its next step open
GOAL = "understand-onboarding"  # init's example goal, which the earlier entry serves


def ok(*args: str):
    result = run_cli(*args)
    assert result.exit_code == 0, output(result)
    return result


def insight(root: Path, slug: str, customer: str, themes: str, day: dt.date = TODAY) -> None:
    (root / "posts/insights" / f"{day}-{slug}.md").write_text(
        f"---\ntitle: {slug}\ndate: {day}\ntype: insight\naudience: internal\nslug: {slug}\n"
        f"customer: {customer}\nsource: call\nthemes: {themes}\nquote: They said so.\n---\n", encoding="utf-8")


# -- a theme is one whatever its case, everywhere themes are grouped or counted ---------------------------

def test_stats_and_the_portfolio_count_ach_and_ACH_as_one_theme_spelled_as_written_most(init_copy):
    insight(init_copy, "kestrel", "Kestrel Freight", "[ach, fees]")
    insight(init_copy, "oakridge", "Oakridge Dental", "[reconciliation, ach]")
    insight(init_copy, "bluewater", "Bluewater Coffee", "[ACH]")

    stats = ok("-C", str(init_copy), "stats").stdout
    portfolio = ok("-C", str(init_copy), "portfolio").stdout

    rows = stats.split("Insights per theme per week\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [row.split()[0] for row in rows] == ["ach", "fees", "onboarding", "reconciliation"]
    assert rows[0].split()[-2:] == ["3", "3"]  # 3 insights, 3 customers
    assert "### ach: 3 customers, 3 insights\n" in portfolio and "### ACH" not in portfolio
    assert "(4 customers, 4 themes)" in portfolio


def test_related_posts_share_a_theme_whatever_its_case():
    def public(slug: str, theme: str) -> Entry:
        return Entry(Path(f"/r/{slug}.md"), f"{slug}.md", slug, "insight", slug, TODAY, "public", False, "", 1,
                     insight=Insight("Someone", "call", (theme,)))

    assert [e.slug for e in related([public("a", "ACH"), public("b", "ach")])["a"]] == ["b"]


# -- a check-in on a step not done is listed as not done, and is no action and no evidence ---------------

def test_a_checkin_on_a_step_not_done_is_no_action_no_evidence_and_listed_as_not_done(init_copy):
    def coverage() -> str:
        return ok("-C", str(init_copy), "stats").stdout.split("Competency coverage", 1)[1]

    before = coverage()
    ok("-C", str(init_copy), "checkin", "--on", EARLIER, "--did-not", "--carry", "--outcome", "Sales week ate it",
       "--learning", "A step needs a slot", "--title", "Not yet: the setup theme", "--yes")
    later = "not-yet-the-setup-theme"

    goals = ok("-C", str(init_copy), "goals").stdout
    portfolio = ok("-C", str(init_copy), "portfolio").stdout

    assert "  actions   1 (and 1 step not done), the last " in goals
    assert f"[{later}]  (not done)" in goals
    evidence = goals.split("  evidence against the measure: ", 1)[1].split("\n  learned", 1)[0]
    assert evidence.startswith("1 outcome\n") and "Sales week ate it" not in evidence
    assert "A step needs a slot" in goals.split("\n  learned\n", 1)[1]  # not doing it taught something
    competencies = portfolio.split("## Committed to and not done", 1)[0]
    assert f"- {TODAY} Not yet" not in competencies and "Evidence: 1 learning entry and" in portfolio
    assert f"- {TODAY} Not yet: the setup theme (`posts/learning/{TODAY}-{later}.md`) (not done)" in portfolio
    assert "1 action in the period" in portfolio.split("## Goals served", 1)[1]
    assert coverage() == before  # stats' competency coverage counts it as no evidence either
    page = ok("-C", str(init_copy), "portfolio", "--format", "html").stdout
    assert "<h2>Committed to and not done</h2>" in page and "Not yet: the setup theme <code>" in page


# -- `new --from` does what its first sentence says --------------------------------------------------------

def test_new_from_closes_the_step_it_says_was_done_and_carries_its_goals_and_competencies(init_copy):
    earlier = init_entry(init_copy, "learning")
    made = ok("-C", str(init_copy), "new", "learning", "Turned the calls into notes", "--from", EARLIER)

    [path, closed] = made.stdout.splitlines()
    assert closed == f"{earlier}: next_step_done: {TODAY}"
    assert f"\nnext_step_done: {TODAY}\n" in (init_copy / earlier).read_text(encoding="utf-8")
    text = (init_copy / path).read_text(encoding="utf-8")
    assert f"\ngoals: [{GOAL}]  #" in text and "\ncompetencies: [customer-relationships, execution]  #" in text
    assert f"I did what I set out to do in “[[{EARLIER}]]”." in text
    assert EARLIER not in ok("-C", str(init_copy), "next").stdout
    again = run_cli("-C", str(init_copy), "new", "learning", "Turned them again", "--from", EARLIER)
    assert again.exit_code == 1 and "that step is closed already" in again.stderr
    assert not list(init_copy.glob("posts/learning/*-turned-them-again.md"))


# -- an issue with no insight has no learning entry's title as its subject ----------------------------------

def test_an_issue_with_no_insight_proposes_the_newsletters_title_and_number_as_its_subject(init_copy):
    day = init_entry(init_copy, "learning").split("/")[-1][:10]  # init's learning entry alone in the period
    drafted = ok("-C", str(init_copy), "newsletter", "draft", "--since", day, "--until", day)

    assert drafted.stdout.splitlines()[0] == f"issue #1 ({day} to {day}): Customer notes #1"
    issue = init_copy / drafted.stdout.splitlines()[1]
    assert "\nsubject: 'Customer notes #1'  #" in issue.read_text(encoding="utf-8")


# -- the check-in: a due day given as an option shown back; kept answers never lost; an empty answer named --

def test_a_due_day_given_as_an_option_is_shown_back_as_when_typed(init_copy):
    done = ok("-C", str(init_copy), "checkin", "--on", EARLIER, "--did", "--learning", "Quotes beat charts",
              "--next-step", "Run the kickoff", "--due", "in 2 weeks", "--yes")

    due = TODAY + dt.timedelta(days=14)
    assert f"\n  due {due} ({due:%A})\n" in done.stdout


def kept(root: Path) -> Path:
    """Answers a stopped check-in on init's step kept (as `checkin` writes them)."""
    from notepress.review import resume

    return resume.save(root, resume.Kept(EARLIER, TODAY, {"did": False, "outcome": "The quarter close took it"}))


def test_ctrl_c_or_the_end_of_input_at_resume_it_keeps_the_answers_and_says_where(init_copy):
    from test_checkin_questions import CtrlC

    draft = kept(init_copy)
    answers = draft.read_bytes()
    stopped = CliRunner().invoke(main, ["-C", str(init_copy), "checkin"], input=CtrlC([]))
    ended = CliRunner().invoke(main, ["-C", str(init_copy), "checkin"], input="")

    assert stopped.exit_code == 130 and ended.exit_code == 1
    for result in (stopped, ended):
        assert "Aborted!" not in result.output
        assert result.stderr.endswith("notepress: check-in stopped; your answers are kept in .notepress/checkin.json: "
                                      "run `notepress checkin` again to resume it\n")
    assert draft.read_bytes() == answers


def test_starting_again_sets_the_kept_answers_aside_never_deletes_them(init_copy):
    answers = kept(init_copy).read_bytes()

    again = CliRunner().invoke(main, ["-C", str(init_copy), "checkin"], input="n\n")  # then the input ends

    aside = init_copy / f".notepress/checkin-{TODAY}.json"
    assert f"Started again: its answers are set aside in .notepress/checkin-{TODAY}.json" in again.stdout
    assert aside.read_bytes() == answers


def test_an_empty_answer_asked_again_names_what_is_empty(init_copy):
    asked = CliRunner().invoke(main, ["-C", str(init_copy), "checkin", "--did"], input="Planned it\n\nQuotes work\n")

    assert "Error: the learning is empty (say it in a sentence" in asked.output


# -- a command typed in a writing repo's folders finds the repo upward, as git does -----------------------

def test_commands_typed_inside_posts_learning_work_on_the_writing_repo_above(init_copy, monkeypatch):
    monkeypatch.chdir(init_copy / "posts" / "learning")

    made = ok("new", "learning", "Typed in posts learning")
    steps = ok("next")
    elsewhere = run_cli("-C", str(init_copy.parent), "new", "learning", "Nowhere")

    assert made.stdout == f"posts/learning/{TODAY}-typed-in-posts-learning.md\n"
    assert (init_copy / made.stdout.strip()).is_file() and not (init_copy / "posts/learning/posts").exists()
    assert EARLIER in steps.stdout
    assert elsewhere.exit_code == 1 and "this folder is not a writing repo" in elsewhere.stderr


def test_a_checkin_that_names_a_customer_in_public_is_written_and_said_at_once(init_copy):
    """A public check-in naming the customer of an internal insight is written as typed (nothing is
    lost), and check's error is shown then, not first at the commit (a second user walk)."""
    made = ok("-C", str(init_copy), "checkin", "--on", EARLIER, "--did", "--outcome", "Harborview Outfitters loved it",
              "--learning", "Show the setup step", "--next-step", "Ask two more customers", "--audience", "public",
              "--yes")

    [written] = [line for line in made.stdout.splitlines() if line.startswith(f"posts/learning/{TODAY}-")]
    assert f'{written}:' in made.stderr and 'confidential term "Harborview Outfitters"' in made.stderr
    assert f"notepress: the check-in is written as you typed it; fix {written} before you commit it" in made.stderr
