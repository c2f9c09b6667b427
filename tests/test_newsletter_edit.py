"""The newsletter is edited, not only generated (issue 21): from `notepress init`, `newsletter draft`
writes issue.md; the writer sets the subject, writes an intro, features an insight, reorders the
themes and leaves one out; drafting again keeps all of it and adds the new insight; the rendered
issue and the copies a real SMTP server receives show the edits. An issue showing nothing is never
sent; themes keep the writer's spelling; a quote already in quote marks is quoted once; a mistake
in issue.md is one line naming the file, the line, the field and the fix."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from e2e_helpers import TODAY, init_entry
from notepress.newsletter.compose import unquoted
from notepress.newsletter.render import one_line

TEAM = ("bo@example.com", "cy@example.com")
KESTREL = '"Cap the fee and we move every payment to ACH."'  # the writer put it in quote marks


def _field(path: Path, key: str, yaml_value: str) -> None:
    """Set a front matter field as the writer would type it (its line replaced, comment and all)."""
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"(?m)^{key}:", text), key
    path.write_text(re.sub(rf"(?m)^{key}:.*$", lambda m: f"{key}: {yaml_value}", text), encoding="utf-8")


def _insight(cli, repo: Path, title: str, customer: str, theme: str, quote: str) -> str:
    """An insight written as the writer does: `notepress new insight`, then its fields; its slug."""
    made = cli("-C", repo, "new", "insight", title)
    assert made.exit_code == 0, made.output
    path = repo / made.stdout.splitlines()[0]
    for key, value in (("customer", customer), ("themes", f"[{theme}]"), ("quote", quote)):
        _field(path, key, json.dumps(value) if key != "themes" else value)
    return re.search(r"(?m)^slug: (\S+)", path.read_text(encoding="utf-8")).group(1)


def _draft(cli, repo: Path, *args) -> tuple[Path, object]:
    drafted = cli("-C", repo, "newsletter", "draft", *args)
    assert drafted.exit_code == 0, drafted.output
    return repo / drafted.stdout.splitlines()[1], drafted  # issue.md


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _send_to(repo: Path, port: int) -> None:
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        f"\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [{', '.join(TEAM)}]\n"
        f"smtp:\n  host: 127.0.0.1\n  port: {port}\n  security: none\n"), encoding="utf-8")


def _in_order(text: str, *parts: str) -> bool:
    at = [text.find(p) for p in parts]
    return -1 not in at and at == sorted(at)


def test_the_writers_edits_are_kept_and_are_what_the_team_receives(cli, init_copy, server):
    repo = init_copy
    _send_to(repo, server.port)
    onboarding = Path(init_entry(repo, "insights")).stem  # init's insight: theme onboarding
    kestrel = _insight(cli, repo, "Kestrel would move to ACH", "Kestrel Foods", "ach", KESTREL)
    oakridge = _insight(cli, repo, "Oakridge pays wires", "Oakridge Metals", "ACH",
                        "“Wires cost us more than ACH.”")
    zephyr = _insight(cli, repo, "Zephyr asks for ACH", "Zephyr Outfitters", "ach", "ACH or nothing.")
    meridian = _insight(cli, repo, "Meridian reconciles by hand", "Meridian Books", "reconciliation",
                        "We lose a day of close to this.")

    issue_md, _ = _draft(cli, repo)
    proposed = issue_md.read_text(encoding="utf-8")
    assert re.search(r"(?m)^subject: .*Customer notes #1: ach", proposed)  # the writer's spelling, proposed
    themes = proposed.split("\ninsights:")[1]
    assert _in_order(themes, "  ach:", kestrel, oakridge, zephyr, "  onboarding:", onboarding)  # ACH is ach

    # The writer edits issue.md: subject, intro, a featured insight, onboarding first, Zephyr left out.
    _edit(issue_md, "subject: 'Customer notes #1: ach'", 'subject: "Fees, and a day of close"')
    _edit(issue_md, "featured: []", f"featured: [{meridian}]")
    ach = re.search(r"(?ms)^  ach:\n.*?(?=^  \S)", proposed).group(0)
    _edit(issue_md, ach, "")
    _edit(issue_md, "  reconciliation:", ach.replace(re.search(rf"(?m)^.*{zephyr}.*\n", ach).group(0), "")
          + "  reconciliation:")
    _edit(issue_md, "Leave it empty for no intro. -->\n", "Leave it empty for no intro. -->\n\n"
          "Three customers asked about **ACH** fees this fortnight.\n")
    edited = issue_md.read_text(encoding="utf-8")

    tallis = _insight(cli, repo, "Tallis wants tiers", "Tallis Foods", "pricing", "Price us on volume.")
    issue_md_again, again = _draft(cli, repo)
    assert issue_md_again == issue_md  # the file keeps its path while the writer edits it
    text = issue_md.read_text(encoding="utf-8")
    added = [line for line in text.splitlines() if line not in edited.splitlines()]
    assert len(added) == 2 and "  pricing:" in added and f"    - {tallis}  # new: Tallis Foods" in added[1]
    assert [line for line in text.splitlines() if line not in added] == edited.splitlines()  # every edit kept
    assert zephyr not in text.split("insights:")[1].replace(f"# - {zephyr}", "")  # left out, stays out
    assert "added 1 new insight" in again.stderr

    folder = issue_md.parent
    email_txt = (folder / "email.txt").read_text(encoding="utf-8")
    html = (folder / "index.html").read_text(encoding="utf-8")
    for shown in (email_txt, html):
        assert _in_order(shown, "Customer notes #1", "ACH", "Meridian reconciles by hand", "We lose a day of close",
                         "Harborview", "Cap the fee", "Wires cost us", "Price us on volume")
        assert "ACH or nothing" not in shown and "Zephyr" not in shown
    assert "\nach\n---\n" in email_txt and "Ach" not in email_txt.replace("ACH", "")
    assert '* "Cap the fee and we move every payment to ACH."\n' in email_txt  # quoted once
    assert '* "Wires cost us more than ACH."\n' in email_txt
    assert ">“Cap the fee and we move every payment to ACH.”<" in html and ">ach</h3>" in html
    assert "<strong>ACH</strong> fees" in html and "comment" not in email_txt and "Your intro" not in html

    sent = cli("-C", repo, "newsletter", "send", "1")
    assert sent.exit_code == 0, sent.output
    assert server.counts() == {address: 1 for address in TEAM}
    mail = server.messages_for(TEAM[0])[0]
    assert mail["Subject"] == "Fees, and a day of close"
    received = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert received == email_txt and "Zephyr" not in mail.get_body(("html",)).get_content()


def test_an_edit_after_the_draft_is_rendered_by_preview_and_send_checks_the_team_again(cli, init_copy, server):
    repo = init_copy
    _send_to(repo, server.port)
    kestrel = _insight(cli, repo, "Kestrel would move to ACH", "Kestrel Foods", "ach", KESTREL)
    issue_md, _ = _draft(cli, repo)
    _edit(issue_md, "featured: []", f"featured: [{kestrel}]")
    preview = cli("-C", repo, "newsletter", "preview", "1")
    assert preview.exit_code == 0, preview.output
    assert "Featured" in (issue_md.parent / "index.html").read_text(encoding="utf-8")  # rendered again

    _edit(issue_md, "Leave it empty for no intro. -->\n", "Leave it empty for no intro. -->\nAn intro.\n")
    path = next((repo / "posts").rglob(f"*{kestrel}*.md"))
    _field(path, "audience", "private")  # made private after the draft: never sent, as before
    refused = cli("-C", repo, "newsletter", "send", "1", "--dry-run")
    assert refused.exit_code == 1 and server.counts() == {}
    assert f"{kestrel}: issue #1 shows this entry, but the team may no longer see it" in refused.stderr
    assert "An intro" not in (issue_md.parent / "email.txt").read_text(encoding="utf-8")

    # Drafted again, as the refusal says: issue.md still names it (featured and under its theme), so
    # each line gets a warning with the fix, and the issue is rendered without it; then it may go out.
    drafted = cli("-C", repo, "newsletter", "draft")
    assert drafted.exit_code == 0, drafted.output
    at = [i + 1 for i, line in enumerate(issue_md.read_text(encoding="utf-8").splitlines())
          if line.startswith(("featured:", "    - ")) and kestrel in line]
    shown = issue_md.relative_to(repo).as_posix()
    for line, field in zip(at, ("featured", "insights")):
        assert (f"{shown}:{line}: warning: {field}: {kestrel}: the team may no longer see this insight (made private or a "
                "draft, or deleted): left out of the issue (delete the line)") in drafted.stderr
    rendered = (issue_md.parent / "email.txt").read_text(encoding="utf-8")
    assert "An intro" in rendered and "Kestrel" not in rendered
    assert cli("-C", repo, "newsletter", "send", "1", "--dry-run").exit_code == 0


def test_mistakes_in_issue_md_are_one_line_each_with_the_fix(cli, init_copy):
    repo = init_copy
    issue_md, _ = _draft(cli, repo)
    shown = issue_md.relative_to(repo).as_posix()
    good = issue_md.read_text(encoding="utf-8")
    lines = good.splitlines()
    cases = [
        ("subject:", "subject: Fees: and more", "subject` reads as the start of another key"),
        ("featured:", "featured: [no-such-insight]", "featured: no-such-insight: no internal or public insight"),
        ("insights:", "insights:\n  pricing:\n    - five-support-calls-in-one-week",
         "insights: five-support-calls-in-one-week: is a learning entry, not an insight"),
        ("featured:", "featured: []\nfeature: []", "feature: is not a field of issue.md (remove it"),
    ]
    for key, replacement, message in cases:
        at = next(i for i, line in enumerate(lines) if line.startswith(key))
        issue_md.write_text("\n".join(lines[:at] + [replacement] + lines[at + 1:]) + "\n", encoding="utf-8")
        result = cli("-C", repo, "newsletter", "preview", "1")
        assert result.exit_code == 1, replacement
        problem = result.stderr.splitlines()[0]
        wrong = at + 1 + (replacement.count("\n") if key != "subject:" else 0)
        assert problem.startswith(f"{shown}:{wrong}: ") and message in problem and problem.endswith(")"), problem
        assert "Traceback" not in result.output
    issue_md.write_text(good + "<!-- an intro I have not finished\n", encoding="utf-8")
    result = cli("-C", repo, "newsletter", "preview", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{shown}:{len(lines) + 1}: intro: an HTML comment (<!--) is not closed, "
                                             "so its text would be sent (end it with -->, or delete it)")


def test_an_issue_that_shows_nothing_is_not_drafted_nor_sent(cli, init_copy, server):
    repo = init_copy
    _send_to(repo, server.port)
    essay = repo / cli("-C", repo, "new", "essay", "Notes to self").stdout.splitlines()[0]
    month_ago = TODAY - dt.timedelta(days=30)
    for key, value in (("audience", "internal"), ("draft", "false"), ("date", month_ago.isoformat())):
        _field(essay, key, value)
    empty = cli("-C", repo, "newsletter", "draft", "--since", month_ago, "--until", month_ago)
    assert empty.exit_code == 1
    assert empty.stderr.splitlines()[0].startswith("period: nothing to show in issue #1: no insight, learning or "
                                                   f"blog post from {month_ago} to {month_ago}")
    assert not (repo / "newsletters").exists()

    day = dt.date.fromisoformat(Path(init_entry(repo, "insights")).name[:10])  # init's insight, alone that day
    issue_md, _ = _draft(cli, repo, "--since", day, "--until", day)
    text = issue_md.read_text(encoding="utf-8")
    issue_md.write_text(re.sub(r"(?m)^    - ", "    # - ", text), encoding="utf-8")  # every insight left out
    drafted = cli("-C", repo, "newsletter", "draft", "--since", day, "--until", day)
    assert drafted.exit_code == 0
    assert "issue #1 shows nothing" in drafted.stderr and "send refuses it" in drafted.stderr
    assert drafted.stdout.splitlines()[0] == f"issue #1 ({day} to {day}): Customer notes #1"  # no dangling colon
    refused = cli("-C", repo, "newsletter", "send", "1")
    assert refused.exit_code == 1 and server.counts() == {}
    assert refused.stderr.splitlines()[0] == (
        f"{issue_md.relative_to(repo).as_posix()}: insights: issue #1 shows nothing (no insight, learning or blog "
        "post), so it is not sent (list an insight under insights: in that file, then send; or draft the next "
        "issue when there is something new)")


@pytest.mark.parametrize("template, subject", [
    ("{title} #{number}: {top_theme}", "Customer notes #2"),
    ("{title} #{number} - {top_theme}", "Customer notes #2"),
    ("{title} ({top_theme}) #{number}", "Customer notes #2"),
    ("{top_theme}: {title} #{number}", "Customer notes #2"),
])
def test_a_proposed_subject_reads_well_without_a_top_theme(template, subject):
    assert one_line(template, {"title": "Customer notes", "number": 2, "top_theme": ""}) == subject


@pytest.mark.parametrize("quote, said", [
    ('"Cap the fee."', "Cap the fee."),
    ("“Cap the fee.”", "Cap the fee."),
    ("'We can't reconcile this.'", "We can't reconcile this."),
    ("‘Too slow’", "Too slow"),
    ("«Trop lent»", "Trop lent"),
    ("Plain words.", "Plain words."),
    ('"Cap it" and "ship it"', '"Cap it" and "ship it"'),  # two quoted parts: not one quote
    ('He said "no"', 'He said "no"'),
])
def test_a_quote_in_quote_marks_is_quoted_once(quote, said):
    assert unquoted(quote) == said


def test_the_first_issue_says_which_earlier_insights_it_leaves_out(cli, init_copy):
    """The first issue covers the last cadence_days; an older insight is in no issue: said, with the --since."""
    repo = init_copy
    old = init_entry(repo, "insights")
    weeks_ago = TODAY - dt.timedelta(days=30)
    _field(repo / old, "date", weeks_ago.isoformat())
    _insight(cli, repo, "Kestrel would move to ACH", "Kestrel Foods", "ach", KESTREL)

    _, drafted = _draft(cli, repo)

    since = TODAY - dt.timedelta(days=13)
    assert (f"warning: period: 1 insight from before {since} (the first issue covers the last 14 days) is in no issue "
            f"(to include them, draft with --since {weeks_ago})") in drafted.stderr
    _, again = _draft(cli, repo, "--since", weeks_ago.isoformat())
    assert "is in no issue" not in again.stderr
