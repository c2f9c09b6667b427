"""Issue 21's month, replayed as one story from `notepress init` (done when "the month above, replayed,
needs no workaround"). The writer, day by day from the day init ran: a goal and a learning entry
typed with ': ' in their titles and values, `new` outside the writing repo, insights from several
customers (a theme spelled `ach`, a quote already in quote marks), a learning entry left
half-written, a check-in by options ("in 2 weeks"), one that did not do the step, an interactive
one with a wrong answer, "Dec 1" and Ctrl+C, resumed the next day with "next friday", the review
tools, a public essay with an image, a scheduled essay and a draft, a newsletter drafted and edited
(subject, intro, a featured insight, a theme moved up, an insight left out), previewed and
dry-run, and one build whose site holds nothing private or internal.

The module fixture lives the month once, in-process, keeping every command's result; each test is
one point of the issue, asserted on the step that shows it. Each point is tested in detail
elsewhere (test_writers_loop, test_carried_over, test_checkin_questions, test_what_notepress_writes,
test_newsletter_edit); here it is the month as one story, each point once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from e2e_helpers import TODAY, norm, output, site_texts
from notepress.cli import main
from notepress.templates import placeholder_lines
from test_checkin_questions import CtrlC

EARLIER = "five-support-calls-in-one-week"  # init's public learning entry, its next step open
GOAL = "payments-own-the-ach-roadmap"
PRICING = "pricing-call-customers-fear-ach-fees"
PLANNING = "planning-the-setup-theme"  # the check-in by options, titled by the writer
TEAM = ("team@example.com", "leads@example.com")
KESTREL_SAID = '"We cannot switch to ACH until the fees are capped."'  # typed in quote marks
# (title, customer, contact, themes, quote): insights of the month, from several customers
INSIGHTS = (
    ("Kestrel: ACH fees block the switch", "Kestrel Freight", "Odalys Brennick", "[ach, fees]", KESTREL_SAID),
    ("Oakridge reconciles ACH returns by hand", "Oakridge Dental Group", "Priya Ventresca", "[reconciliation, ach]",
     "Every returned ACH payment costs us an afternoon."),
    ("Tamsin Vale needs ACH for clinics", "Tamsin Vale Clinics", "Ysolde Marchetti", "[ach]",
     "Our clinics will not take cards for invoices over five thousand."),
    ("Zephyrine: returns break the close", "Zephyrine Labs", "Caius Holloway", "[reconciliation]",
     "Month-end close waits on three returns we cannot trace."),
)
# Words that only entries the public may not see hold (each kind once), and what the newsletter adds
NOT_PUBLIC = ("Half written idea", "Kestrel", "Oakridge", "Tamsin Vale", "Zephyrine", "Harborview", "Odalys Brennick",
              "Priya Ventresca", "Ysolde Marchetti", "Caius Holloway", "Quarterzorp", "Draftzorp", "Laterzorp",
              "Introzorp", "Own the ACH roadmap", "Understand onboarding end to end", "Count the screens")
GOING_ON = "write `draft: true` in a half-written entry"


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def fill(path: Path, **fields: str) -> None:
    """Front matter fields typed as the writer types them, over the template's line (a commented
    `# key:` line too); a field the template lacks is added before the closing ---."""
    text = path.read_text(encoding="utf-8")
    for key, value in fields.items():
        line = re.compile(rf"(?m)^(?:# )?{key}:.*$")
        if line.search(text):
            text = line.sub(lambda m: f"{key}: {value}", text, count=1)
        else:
            text = text.replace("\n---\n", f"\n{key}: {value}\n---\n", 1)
    path.write_text(text, encoding="utf-8")


def body(path: Path, text: str) -> None:
    """The writer's words in place of the template's body (its placeholder lines)."""
    front = path.read_text(encoding="utf-8").rpartition("\n---\n")[0]
    path.write_text(f"{front}\n---\n\n{text}\n", encoding="utf-8")


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def slug_of(path: Path) -> str:
    return re.search(r"(?m)^slug: '?([^'\s]+)", path.read_text(encoding="utf-8")).group(1)


class Month:
    """The writer's repo and every command's result, by step name; `on(n)` moves to day n."""

    def __init__(self, repo: Path, monkeypatch: pytest.MonkeyPatch):
        self.repo, self.mp, self.steps, self.today = repo, monkeypatch, {}, TODAY

    def on(self, n: int) -> None:
        self.today = day(n)
        self.mp.setenv("NOTEPRESS_TODAY", self.today.isoformat())

    def run(self, step: str, *args: str, input=None, where: Path | None = None):
        """`notepress -C REPO ARGS` in-process (a traceback is kept as the result's exception)."""
        result = CliRunner().invoke(main, ["-C", str(where or self.repo), *args], input=input)
        self.steps[step] = SimpleNamespace(result=result, day=self.today)
        return result

    def new(self, step: str, etype: str, title: str) -> Path | None:
        made = self.run(step, "new", etype, title)
        return self.repo / made.stdout.splitlines()[0] if made.exit_code == 0 else None

    def path(self, slug: str) -> Path:
        [found] = self.repo.glob(f"posts/*/*-{slug}.md")
        return found


def first_days(m: Month, tmp: Path) -> None:
    """Day 0 (init's day) and day 1: the goal, a learning entry, `new` elsewhere, insights, one left
    half-written, the review tools with it there, a check-in by options."""
    m.on(0)
    m.run("goals on init", "goals")
    goal = m.new("new goal", "goal", "Payments: own the ACH roadmap")
    if goal:
        fill(goal, want=quoted("Own the ACH roadmap: from fees to failed payments"),
             why=quoted("Customers lose money and trust in payments"), success=quoted("ACH is the default for SMB"),
             measure=quoted("Share of new SMB accounts paying by ACH"), horizon=str(day(400)),
             competencies="[financial-literacy, strategic-thinking]")
    pricing = m.new("new learning", "learning", "Pricing call: customers fear ACH fees")
    if pricing:  # public: its step, carried over later, is shown on the blog
        fill(pricing, audience="public", goals=f"[{GOAL}]", competencies="[financial-literacy, customer-relationships]",
             action=quoted("Sat in on a pricing call: three SMB prospects"),
             outcome=quoted("All three asked about ACH fees first"),
             learning=quoted("Fees are the question: lead with them"),
             next_step=quoted("Draft a one-page ACH fee comparison"), next_step_due=str(day(7)))
        body(pricing, "Nobody asked about the product until fees were answered.")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    m.run("new elsewhere", "new", "learning", "A stray idea", where=elsewhere)
    for title, customer, contact, themes, quote in INSIGHTS:
        path = m.new(f"insight {customer}", "insight", title)
        if path:
            fill(path, customer=quoted(customer), contacts=f"[{contact}]", themes=themes, quote=quoted(quote),
                 segment="smb", evidence="https://support.example.com/tickets/1")
    m.new("half-written", "learning", "Half written idea")  # left as `new` wrote it
    m.on(1)
    for tool in ("next", "goals", "stats", "portfolio"):
        m.run(tool, tool)
    m.run("checkin by options", "checkin", "--on", EARLIER, "--did", "--outcome", "Planning agreed: setup comes first",
          "--learning", "Bring quotes, not charts: four beat a dashboard", "--next-step", "Run the setup kickoff",
          "--due", "in 2 weeks", "--title", "Planning: the setup theme", "--yes")


def check_ins(m: Month) -> None:
    """Days 2 to 4: a step not done, carried over; an interactive check-in stopped by Ctrl+C after a
    wrong day and "Dec 1", resumed the next day with "next friday" and two more wrong answers."""
    m.on(2)
    m.run("checkin did not", "checkin", "--on", PRICING, "--did-not", "--carry", "--outcome", "Sales week ate the time",
          "--learning", "A step needs a slot: I never booked one", "--yes")
    m.run("next after did not", "next")
    m.on(3)
    m.run("checkin stopped", "checkin", "--on", PLANNING,
          input=CtrlC(["y", "Kickoff held: 11 screens counted", "Count the screens: the number ends the debate",
                       "Prototype a 4-screen setup", "someday", "Dec 1"]))
    m.steps["kept"] = (m.repo / ".notepress/checkin.json").read_text(encoding="utf-8") \
        if (m.repo / ".notepress/checkin.json").exists() else ""
    m.on(4)
    m.run("checkin resumed", "checkin",
          input="".join(f"{a}\n" for a in ["", "", "", "", "", "next friday", f"understand-onboarding, {GOAL}",
                                            "wizardry", "product-sense, execution", "team", "private",
                                            "Onboarding teardown: 11 screens"]))


def writing(m: Month) -> None:
    """Day 5: a public essay with an image, a scheduled one, a draft; an insight whose theme is
    spelled `ACH`; an internal learning entry."""
    from PIL import Image

    m.on(5)
    essay = m.new("essay", "essay", "What ACH taught me: fees are a feature")
    if essay:
        Image.new("RGB", (60, 30), "navy").save(essay.parent / "ach-fee-chart.png")
        fill(essay, draft="false", summary=quoted("A fee the customer can predict is a feature."))
        body(essay, "Fees came up first in every call.\n\n<!-- more -->\n\n"
             "![Card fees against ACH fees](ach-fee-chart.png)\n\nPredictable fees sell.")
    scheduled = m.new("scheduled", "essay", "Scheduled: the ACH default")
    if scheduled:
        fill(scheduled, draft="false", date=str(day(12)))
        body(scheduled, "Laterzorp.")
    draft = m.new("draft", "essay", "Draft: what a fee cap costs")
    if draft:
        draft.write_text(draft.read_text(encoding="utf-8") + "\nDraftzorp.\n", encoding="utf-8")
    blue = m.new("insight Bluewater", "insight", "Bluewater wants ACH on by default")
    if blue:
        fill(blue, customer=quoted("Bluewater Coffee Roasters"), themes="[ACH]", quote=quoted("Turn ACH on for us."))
    team = m.new("internal learning", "learning", "Sales asked: why ACH?")
    if team:
        fill(team, audience="internal", goals=f"[{GOAL}]", competencies="[stakeholder-relationships]",
             action=quoted("Shared three customer quotes with sales"),
             outcome=quoted("Quarterzorp: two reps asked for them"),
             learning=quoted("Quotes travel: sales reuses them"))
    m.run("stats with ACH", "stats")


def edit_issue(m: Month, issue: Path) -> None:
    """The writer's edits of issue.md: a subject, an intro, a featured insight, a theme moved to the
    top, init's insight left out (its line commented)."""
    text = issue.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^subject: .*$", 'subject: "Customer notes: ACH fees, and what we do next"', text)
    featured = slug_of(m.path("tamsin-vale-needs-ach-for-clinics"))
    text = re.sub(r"(?m)^featured: \[\].*$", f"featured: [{featured}]", text)
    block = re.search(r"(?m)^  reconciliation:\n(?:    .*\n)+", text)
    if block:
        text = text.replace(block.group(0), "", 1).replace("insights:\n", "insights:\n" + block.group(0), 1)
    text = re.sub(r"(?m)^(    )(- \S*harborview-)", r"\1# \2", text)
    text = re.sub(r"(?s)<!-- Your intro.*?-->", "Hi team: ACH fees came up in every call. Introzorp.", text)
    issue.write_text(text, encoding="utf-8")


def newsletter(m: Month) -> None:
    """Day 6: the sender configured, the issue drafted, issue.md edited, previewed, dry-run; one build."""
    m.on(6)
    config = m.repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        f"\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [{', '.join(TEAM)}]\n"
        "smtp:\n  host: 127.0.0.1\n  port: 2525\n  security: none\n"), encoding="utf-8")
    drafted = m.run("newsletter draft", "newsletter", "draft")
    issue = m.repo / drafted.stdout.splitlines()[1] if drafted.exit_code == 0 else None
    if issue is not None and issue.name == "issue.md":
        m.steps["issue.md"] = issue
        edit_issue(m, issue)
    m.run("newsletter preview", "newsletter", "preview")
    m.run("newsletter dry run", "newsletter", "send", "1", "--dry-run")
    m.run("build", "build", "--engine", "zensical")


@pytest.fixture(scope="module")
def month(initialized, tmp_path_factory) -> Month:
    """init's repo (a copy), lived through the month, each command's result kept."""
    tmp = tmp_path_factory.mktemp("month")
    repo = Path(shutil.copytree(initialized, tmp / "notes", ignore=shutil.ignore_patterns(".git")))
    with pytest.MonkeyPatch.context() as mp:
        m = Month(repo, mp)
        first_days(m, tmp)
        check_ins(m)
        writing(m)
        newsletter(m)
    return m


def page_text(m: Month, slug: str) -> str:
    """The built post page of entry `slug`, as a reader reads it (tags removed, normalised)."""
    [page] = m.repo.glob(f"site/blog/*/*/*/{slug}/index.html")
    return norm(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


def worked(m: Month, step: str):
    """The step's result, which succeeded with no traceback."""
    assert step in m.steps, f"{step} never ran: an earlier step failed"
    result = m.steps[step].result
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, f"{step}: {output(result)}"
    assert "Traceback" not in output(result)
    return result


# -- 2. the writer's own tools show what the writer wrote ------------------------------------------------

def test_on_init_goals_shows_the_private_example_goal(month):
    result = worked(month, "goals on init")
    assert "Understand onboarding end to end [understand-onboarding] (private)" in result.stdout
    assert "private ones included" in result.stderr


# -- 5. what notepress writes is valid YAML; `new` runs only in a writing repo ---------------------------

def test_titles_and_answers_with_colons_make_entries_check_accepts(month):
    for step in ("new goal", "new learning", "checkin by options", "checkin resumed"):
        worked(month, step)
    assert "title: 'Payments: own the ACH roadmap'" in month.path(GOAL).read_text(encoding="utf-8")
    assert "title: 'Onboarding teardown: 11 screens'" in month.path("onboarding-teardown-11-screens").read_text(
        encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(month.repo), "check", "--format", "json"])
    assert {p["path"] for p in json.loads(result.stdout)["errors"]} == {
        month.path("half-written-idea").relative_to(month.repo).as_posix()}  # only the one left half-written


def test_new_outside_a_writing_repo_writes_nothing_and_says_how_to_start(month):
    result = month.steps["new elsewhere"].result
    assert result.exit_code == 1 and "notepress init FOLDER" in result.stderr
    assert not any(Path(month.repo.parent / "elsewhere").iterdir())


# -- 1. commands that do not publish go on with what is valid --------------------------------------------

@pytest.mark.parametrize("tool, shows", [("next", PRICING), ("goals", "Payments: own the ACH roadmap [" + GOAL),
                                         ("stats", "Entries per week"), ("portfolio", "# Portfolio")])
def test_the_review_tools_go_on_with_a_half_written_entry_and_say_how_to_keep_it_out(month, tool, shows):
    result = worked(month, tool)
    assert shows in result.stdout
    assert "half-written-idea.md:" in result.stderr and GOING_ON in result.stderr


def test_the_newsletter_dry_run_goes_on_with_a_half_written_private_entry(month):
    result = worked(month, "newsletter dry run")
    assert "half-written-idea.md:" in result.stderr and GOING_ON in result.stderr
    assert [line for line in result.stdout.splitlines() if "would send to" in line] == [
        f"  would send to {to}: Customer notes: ACH fees, and what we do next" for to in TEAM]


# -- 3. a step not done is never shown as done -----------------------------------------------------------

def test_a_step_not_done_is_carried_over_in_the_file_next_and_on_the_public_page(month):
    worked(month, "checkin did not")
    pricing = month.path(PRICING).read_text(encoding="utf-8")
    [later] = month.repo.glob(f"posts/learning/{day(2)}-not-yet-*.md")
    assert f"\nnext_step_carried: {slug_of(later)}\n" in pricing and "\nnext_step_done:" not in pricing
    assert f"carried over (not done) from {PRICING}" in worked(month, "next after did not").stdout
    worked(month, "build")
    pricing_page, done_page = page_text(month, PRICING), page_text(month, EARLIER)
    said_done = re.compile(r"\bdone\s+(?:\d{4}-|[a-z]{3} \d)")  # "done Nov 24, 2026"
    assert "carried over" in pricing_page and not said_done.search(pricing_page)
    assert said_done.search(done_page)  # init's step, done by the check-in by options


# -- 4. a check-in that cannot lose work -----------------------------------------------------------------

def test_the_interactive_checkin_stopped_by_ctrl_c_keeps_the_answers_and_reads_days_as_typed(month):
    stopped = month.steps["checkin stopped"].result
    assert stopped.exit_code == 130, output(stopped)
    assert "'someday' is not a day I can read" in stopped.output  # asked again, saying why
    dec1 = dt.date(month.steps["checkin stopped"].day.year, 12, 1)
    dec1 = dec1 if dec1 > month.steps["checkin stopped"].day else dec1.replace(year=dec1.year + 1)
    assert f"  due {dec1} ({dec1:%A})" in stopped.output
    kept = json.loads(month.steps["kept"])["answers"]
    assert kept["outcome"] == "Kickoff held: 11 screens counted" and kept["due"] == dec1.isoformat()
    assert not list(month.repo.glob(f"posts/learning/{day(3)}-*.md"))  # nothing half-written


def test_the_resumed_checkin_asks_again_and_writes_the_writers_words(month):
    resumed = worked(month, "checkin resumed")
    said = [line for line in resumed.output.splitlines() if line.startswith("Error: ")]
    assert [line.split(" is ", 1)[0] for line in said] == ["Error: 'wizardry'", "Error: 'team'"]  # asked again
    assert "Goals: 1. understand-onboarding" in resumed.output and "Competencies: 1. " in resumed.output
    due = dt.date.fromisoformat(re.search(r"  due (\S+) \(Friday\)", resumed.output).group(1))
    assert 0 < (due - day(4)).days <= 14  # "next friday", shown back
    entry = month.path("onboarding-teardown-11-screens").read_text(encoding="utf-8")
    assert f"\ngoals: [understand-onboarding, {GOAL}]\ncompetencies: [product-sense, execution]\n" in entry
    assert "\noutcome: 'Kickoff held: 11 screens counted'\n" in entry and f"\nnext_step_due: {due}\n" in entry
    assert "\naudience: private\n" in entry and "\ndate: " + str(day(4)) in entry
    assert "…" not in entry and "this entry's action" not in entry  # the writer's words, not a template's
    assert f"\nnext_step_done: {day(4)}\n" in month.path(PLANNING).read_text(encoding="utf-8")
    assert not (month.repo / ".notepress/checkin.json").exists()
    planning = month.path(PLANNING).read_text(encoding="utf-8")
    assert f"\nnext_step_due: {day(1) + dt.timedelta(days=14)}\n" in planning  # "in 2 weeks", as an option


# -- 6. the newsletter is edited ------------------------------------------------------------------------

def test_the_edited_newsletter_shows_the_writers_subject_intro_feature_order_and_cut(month):
    worked(month, "newsletter draft")
    worked(month, "newsletter preview")
    folder = month.steps["issue.md"].parent
    text = (folder / "email.txt").read_text(encoding="utf-8")
    assert "<title>Customer notes: ACH fees, and what we do next" in (folder / "index.html").read_text(encoding="utf-8")
    at = [text.find(part) for part in ("Introzorp", "FEATURED", "Tamsin Vale Clinics", "\nreconciliation\n",
                                       "\nach\n")]
    assert -1 not in at and at == sorted(at), text
    assert "Harborview" not in text  # left out
    assert not re.search(r"\bAch\b", text) and "\nACH\n" not in text  # `ach` as spelled most, `ACH` the same
    assert f"  * {KESTREL_SAID}" in text  # quoted once


# -- 1 and the boundary: one build -----------------------------------------------------------------------

def test_the_build_goes_on_without_the_half_written_entry_and_publishes_nothing_private(month):
    result = worked(month, "build")
    assert "half-written-idea.md:" in result.stderr and "warning:" in result.stderr
    site = month.repo / "site"
    [essay] = site.glob("blog/*/*/*/what-ach-taught-me-fees-are-a-feature/index.html")
    [image] = re.findall(r'<img alt="Card fees against ACH fees" src="([^"]+)"', essay.read_text(encoding="utf-8"))
    assert (essay.parent / image).resolve().read_bytes().startswith(b"\x89PNG")  # the essay's image, published
    assert not list(site.glob("blog/**/scheduled-the-ach-default/index.html"))  # not before its day
    texts = site_texts(site)
    assert any(norm("Predictable fees sell") in text for text in texts.values())  # the public essay is there
    found = {word for word in NOT_PUBLIC for text in texts.values() if norm(word) in text}
    assert not found
    placeholders = {line for line in placeholder_lines(month.repo) for text in texts.values() if norm(line) in text}
    assert not placeholders  # the templates' lines ("Free reflection: …") never reach a public page


# -- stats -----------------------------------------------------------------------------------------------

def test_stats_counts_ach_and_ACH_as_one_theme_as_the_newsletter_does(month):
    table = worked(month, "stats with ACH").stdout.split("Insights per theme per week\n", 1)[1].split("\n\n", 1)[0]
    themes = [row.split()[0] for row in table.splitlines()[1:]]
    assert "ach" in themes and "ACH" not in themes
