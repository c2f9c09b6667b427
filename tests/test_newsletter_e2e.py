"""The whole newsletter loop on the example repo, through the CLI, against a real SMTP server:
draft, dry run, test copy, send, refuse to send twice, list. Received messages are parsed and
checked for every entry that must not be in them."""

from __future__ import annotations

import csv
from pathlib import Path
import re

import pytest

from e2e_helpers import copy_example, run_cli
from notepress import api
from notepress.audience import Reader, visible
from smtp_server import LocalSmtpServer

SINCE, UNTIL = "2026-09-01", "2026-10-31"
RECIPIENTS = ["daniel.ortiz@ledgerly.example", "priya.nair@ledgerly.example", "marcus.webb@ledgerly.example",
              "aisha.khan@ledgerly.example", "support-leads@ledgerly.example"]


def named(address: str) -> str:
    """The To of a recipient: with the name the CSV's `name` column gives, if any."""
    with open(Path(__file__).parent.parent / "newsletter-recipients.csv", encoding="utf-8", newline="") as f:
        names = {row["email"]: row.get("name") or "" for row in csv.DictReader(f)}
    return f"{names[address]} <{address}>" if names.get(address) else address


@pytest.fixture
def repo(tmp_path):
    server = LocalSmtpServer().start()
    root = copy_example(tmp_path / "repo")
    config = (root / "notepress.yml").read_text()
    config = re.sub(r"smtp:\n(  .*\n)+", f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n", config)
    (root / "notepress.yml").write_text(config)
    try:
        yield root, server
    finally:
        server.stop()


def parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_draft_dry_run_test_send_and_never_twice(repo):
    root, server = repo
    drafted = run_cli("-C", str(root), "newsletter", "draft", "--since", SINCE, "--until", UNTIL)
    assert drafted.exit_code == 0, drafted.output
    assert "issue #1 (2026-09-01 to 2026-10-31)" in drafted.output

    dry = run_cli("-C", str(root), "newsletter", "send", "1", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert server.counts() == {}
    assert list((root / "newsletters").glob("*/send-*")) == []  # no send record

    test = run_cli("-C", str(root), "newsletter", "send", "1", "--test", "maya@ledgerly.example")
    assert test.exit_code == 0, test.output
    [copy] = server.messages_for("maya@ledgerly.example")
    assert copy["Subject"].startswith("[TEST] ")

    sent = run_cli("-C", str(root), "newsletter", "send", "1")
    assert sent.exit_code == 0, sent.output
    assert {a: server.count(a) for a in RECIPIENTS} == {a: 1 for a in RECIPIENTS}

    again = run_cli("-C", str(root), "newsletter", "send", "1")
    assert again.exit_code == 1
    assert "already sent to all 5 recipients" in again.output
    assert {a: server.count(a) for a in RECIPIENTS} == {a: 1 for a in RECIPIENTS}

    listed = run_cli("-C", str(root), "newsletter", "list")
    assert re.search(r"#1 +2026-09-01 to 2026-10-31 +sent +5 served", listed.output), listed.output


def test_received_messages_hold_only_team_entries_of_the_period(repo):
    root, server = repo
    assert run_cli("-C", str(root), "newsletter", "draft", "--since", SINCE, "--until", UNTIL).exit_code == 0
    assert run_cli("-C", str(root), "newsletter", "send", "1").exit_code == 0
    entries = api.load(root).entries
    shown = [e for e in entries if visible(e, Reader.TEAM) and SINCE <= e.date.isoformat() <= UNTIL]
    hidden = [e for e in entries if e not in shown]
    assert any(e.audience == "private" for e in hidden) and any(e.draft for e in hidden)
    assert any(e.date.isoformat() > UNTIL for e in hidden)
    for address in RECIPIENTS:
        [message] = server.messages_for(address)
        assert message["To"] == named(address)
        assert message["List-Id"] and message["List-Unsubscribe"] and message["Message-ID"]
        text, html = parts(message)
        assert 'style="' in html
        for e in hidden:
            for needle in filter(None, [e.title, e.insight.quote if e.insight else "",
                                        e.loop.learning if e.loop else ""]):
                assert needle not in text and needle not in html, f"{e.source} leaked into the email"
        customers = {e.insight.customer for e in shown if e.insight}
        assert customers and all(c in text for c in customers)
