"""`notepress newsletter draft | preview | list` through CliRunner, on the `quarter` fixture repo.

The archive: one folder per issue (newsletters/NNN-<created date>/); an unsent issue is re-drafted
in place, a sent one (at least one recipient served in its send record) is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import lines
from e2e_helpers import TODAY, tree_bytes
from notepress import api
from notepress.cli import main

NEWSLETTER_FIXTURES = Path(__file__).parent / "fixtures" / "newsletter"
FOLDER = re.compile(r"^(\d{3})-(\d{4}-\d{2}-\d{2})$")
PERIOD_1 = ("--since", "2026-11-01", "--until", "2026-11-14")
SUBJECT_1 = "Customer notes #1: reconciliation leads"
EMPTY_MESSAGE = ("period: no internal or public entries from 2026-11-20 to 2026-11-21 "
                 "(write some, or choose another period with --since and --until)")


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "quarter"
    shutil.copytree(NEWSLETTER_FIXTURES / "quarter", root)
    return root


def folders(root: Path) -> list[Path]:
    archive_dir = root / "newsletters"
    return sorted(p for p in archive_dir.iterdir() if p.is_dir()) if archive_dir.is_dir() else []


def record(folder: Path) -> dict:
    return json.loads((folder / "issue.json").read_text(encoding="utf-8"))


def draft(cli, root: Path, *args: str):
    result = cli("-C", root, "newsletter", "draft", *args)
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def mark_sent(folder: Path, failed: bool = False) -> None:
    log = {"lead@example.test": {"status": "sent", "code": 250, "error": "", "message_id": "<1@example.test>",
                                 "at": "2026-11-15T10:00:00+00:00"}}
    if failed:
        log["gone@example.test"] = {"status": "failed", "code": 550, "error": "no such user", "message_id": "",
                                    "at": "2026-11-15T10:00:01+00:00"}
    (folder / "send-log.json").write_text(json.dumps({"recipients": log}))  # as an earlier notepress wrote it


# --- draft -------------------------------------------------------------------------------------------------------


def test_draft_writes_the_issue_folder_and_prints_its_path(cli, repo):
    result = draft(cli, repo, *PERIOD_1)

    [folder] = folders(repo)
    match = FOLDER.match(folder.name)
    assert match and match.group(1) == "001"
    data = record(folder)
    assert match.group(2) == TODAY.isoformat()  # the folder is named after the day it was drafted (the project's)
    assert sorted(p.name for p in folder.iterdir()) == ["email.txt", "index.html", "issue.json", "issue.md",
                                                        "message.eml"]
    assert (data["number"], data["since"], data["until"], data["subject"]) == (1, "2026-11-01", "2026-11-14",
                                                                               SUBJECT_1)
    assert data["preheader"] == "6 customers and 5 themes from Nov 1 to Nov 14, 2026"
    assert data["entries"] == [
        "2026-11-01-northwind-short-pays", "2026-11-03-brightwater-approvals", "2026-11-04-kestrel-fee-cap",
        "2026-11-05-internal-learning", "2026-11-05-meridian-duplicates", "2026-11-06-oakridge-sap",
        "2026-11-11-kestrel-volume-tiers", "2026-11-14-tallis-remittance", "counting-customers",
        "lost-day-of-close", "reading-the-pnl"]
    assert lines(result.stdout) == [f"issue #1 (2026-11-01 to 2026-11-14): {SUBJECT_1}",
                                    f"newsletters/{folder.name}/issue.md", f"newsletters/{folder.name}/index.html"]
    assert all((repo / line).is_file() for line in lines(result.stdout)[1:])
    assert "notepress newsletter send 1 --dry-run" in result.stderr


def test_the_first_issue_defaults_to_the_last_cadence_days(repo):
    rec = api.newsletter_draft(repo, today=dt.date(2026, 11, 14))  # cadence_days: 14
    assert (rec.number, rec.since, rec.until) == (1, dt.date(2026, 11, 1), dt.date(2026, 11, 14))
    assert rec.subject == SUBJECT_1


def test_redrafting_an_unsent_issue_replaces_it(cli, repo):
    draft(cli, repo, *PERIOD_1)
    result = draft(cli, repo, "--since", "2026-11-01", "--until", "2026-11-13")

    [folder] = folders(repo)
    data = record(folder)
    assert (data["number"], data["since"], data["until"]) == (1, "2026-11-01", "2026-11-13")
    assert "2026-11-14-tallis-remittance" not in data["entries"]
    assert "Tallis" not in (folder / "email.txt").read_text(encoding="utf-8")
    assert lines(result.stdout)[0].startswith("issue #1 (2026-11-01 to 2026-11-13): ")
    assert not [p for p in (repo / "newsletters").iterdir() if p.name.startswith(".")], "staging left behind"


def test_after_a_sent_issue_the_next_draft_is_number_two_from_the_day_after(cli, repo):
    draft(cli, repo, *PERIOD_1)
    [first] = folders(repo)
    mark_sent(first)

    result = draft(cli, repo, "--until", "2026-11-20")  # --since defaults to the day after #1's until

    assert [FOLDER.match(p.name).group(1) for p in folders(repo)] == ["001", "002"]
    data = record(folders(repo)[1])
    assert (data["number"], data["since"], data["until"]) == (2, "2026-11-15", "2026-11-20")
    assert data["entries"] == ["2026-11-15-zephyr-after", "2026-11-18-kestrel-after"]
    assert data["subject"] == "Customer notes #2: integrations leads"
    assert lines(result.stdout)[0] == "issue #2 (2026-11-15 to 2026-11-20): Customer notes #2: integrations leads"


def test_a_sent_issue_is_never_rewritten(cli, repo):
    draft(cli, repo, *PERIOD_1)
    [first] = folders(repo)
    mark_sent(first)
    before = tree_bytes(first)

    draft(cli, repo, "--until", "2026-11-20")  # #2
    draft(cli, repo, "--until", "2026-11-21")  # #2 again
    draft(cli, repo, *PERIOD_1)  # #1's own period: re-drafts #2, never #1

    assert tree_bytes(first) == before
    assert [record(p)["number"] for p in folders(repo)] == [1, 2]
    assert record(folders(repo)[1])["since"] == "2026-11-01"


def test_an_empty_period_exits_1_with_one_line(cli, repo):
    result = cli("-C", repo, "newsletter", "draft", "--since", "2026-11-20", "--until", "2026-11-21")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert lines(result.stderr) == [EMPTY_MESSAGE, "notepress: 1 problem (fix it and run again)"]
    assert "Traceback" not in result.output
    assert folders(repo) == []


def test_a_period_of_only_private_and_draft_entries_is_empty(cli, repo):
    result = cli("-C", repo, "newsletter", "draft", "--since", "2026-11-07", "--until", "2026-11-08")
    assert result.exit_code == 1
    assert lines(result.stderr)[0].startswith("period: no internal or public entries from 2026-11-07 to 2026-11-08")


def test_since_after_until_exits_1(cli, repo):
    result = cli("-C", repo, "newsletter", "draft", "--since", "2026-11-14", "--until", "2026-11-01")
    assert result.exit_code == 1
    assert lines(result.stderr)[0] == "period: --since 2026-11-14 is after --until 2026-11-01 (swap them)"


def test_a_bad_date_is_a_usage_error(cli, repo):
    result = cli("-C", repo, "newsletter", "draft", "--since", "1 Nov")
    assert result.exit_code == 2
    assert "'1 Nov' is not a date (write YYYY-MM-DD)" in result.stderr


# --- list and preview --------------------------------------------------------------------------------------------


def test_list_shows_each_issue_with_status_and_recipients_served(cli, repo):
    draft(cli, repo, *PERIOD_1)
    mark_sent(folders(repo)[0], failed=True)
    draft(cli, repo, "--until", "2026-11-20")

    result = cli("-C", repo, "newsletter", "list")

    assert result.exit_code == 0, result.output
    rows = lines(result.stdout)
    assert len(rows) == 2
    assert re.fullmatch(r"#1\s+2026-11-01 to 2026-11-14\s+sent\s+1 served, 1 failed\s+" + re.escape(SUBJECT_1), rows[0])
    assert re.fullmatch(r"#2\s+2026-11-15 to 2026-11-20\s+draft\s+0 served\s+Customer notes #2: integrations leads",
                        rows[1])


def test_list_without_issues_says_how_to_start(cli, repo):
    result = cli("-C", repo, "newsletter", "list")
    assert result.exit_code == 0
    assert result.stdout == "no issues yet (run: notepress newsletter draft)\n"


def test_preview_prints_the_page_of_the_newest_or_a_chosen_issue(cli, repo):
    draft(cli, repo, *PERIOD_1)
    mark_sent(folders(repo)[0])
    draft(cli, repo, "--until", "2026-11-20")
    first, second = folders(repo)

    newest = cli("-C", repo, "newsletter", "preview")
    chosen = cli("-C", repo, "newsletter", "preview", "1")

    assert newest.exit_code == 0 and chosen.exit_code == 0
    assert Path(newest.stdout.strip()) == second / "index.html"
    assert Path(chosen.stdout.strip()) == first / "index.html"
    assert Path(chosen.stdout.strip()).is_file()


def test_preview_without_issues_or_of_a_missing_issue_exits_1(cli, repo):
    result = cli("-C", repo, "newsletter", "preview")
    assert result.exit_code == 1
    assert "no newsletter issues yet (run `notepress newsletter draft`)" in lines(result.stderr)[0]
    draft(cli, repo, *PERIOD_1)
    result = cli("-C", repo, "newsletter", "preview", "9")
    assert result.exit_code == 1
    assert lines(result.stderr)[0] == "newsletters/: no issue #9 (issues: 1)"


# --- help --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[]] + [[name] for name in sorted(main.commands["newsletter"].commands)])
def test_every_newsletter_command_has_an_example_in_its_help(cli, command):
    result = cli("newsletter", *command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert "notepress newsletter" in result.stdout.split("Example", 1)[1]


def test_a_line_break_in_a_header_setting_stops_draft_before_anything_is_written(cli, repo):
    """It used to reach the e-mail package, which raised ValueError at draft time."""
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  title: Customer notes\n",
                                                                 '  title: "Customer\\nnotes"\n'), encoding="utf-8")

    result = cli("-C", repo, "newsletter", "draft", *PERIOD_1)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert lines(result.stderr) == [
        "notepress.yml:8: newsletter.title: has a line break or another control character, which an e-mail "
        "cannot carry (write it on one line of plain text)",
        "notepress: 1 problem (fix it and run again)"]
    assert folders(repo) == []
