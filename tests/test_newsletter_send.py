"""`newsletter send` against a real SMTP server (aiosmtpd on 127.0.0.1), asserting on the messages it received."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import shutil
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parsedate_to_datetime
from pathlib import Path

import pytest
from smtp_server import LocalSmtpServer

from notepress import api
from notepress.audience import Reader, View, gate
from notepress.config import load_config
from notepress.newsletter import archive
from notepress.newsletter.archive import IssueRecord
from notepress.newsletter.journal import JOURNAL, LEGACY
from notepress.newsletter.backends import Collecting
from notepress.newsletter.recipients import load_recipients
from notepress.newsletter.send import PASSWORD_ENV, _sending_lock, open_connection, send_issue
from notepress.problems import NotepressError

FIXTURES = Path(__file__).parent / "fixtures" / "newsletter-send"
RECIPIENTS = ["daniel.ortiz@ledgerly.example", "priya.nair@ledgerly.example", "marcus.webb@ledgerly.example",
              "aisha.khan@ledgerly.example", "support-leads@ledgerly.example"]


def named(address: str) -> str:
    """The To of a recipient: with the name the CSV's `name` column gives, if any."""
    with open(FIXTURES / "newsletter-recipients.csv", encoding="utf-8", newline="") as f:
        names = {row["email"]: row.get("name") or "" for row in csv.DictReader(f)}
    return f"{names[address]} <{address}>" if names.get(address) else address
SENDER = "maya@ledgerly.example"
SUBJECT = "Customer notes #1: Checkout friction"
FAST = (0, 0, 0)


def make_issue(root: Path, number: int = 1) -> Path:
    """A drafted issue as `newsletter draft` leaves it: issue.json and a complete message.eml."""
    record = IssueRecord(number=number, since=dt.date(2026, 11, 8), until=dt.date(2026, 11, 21), subject=SUBJECT,
                         preheader="4 customers, 2 themes, 2026-11-08 to 2026-11-21", top_theme="Checkout friction",
                         entries=("2026-11-10-checkout-address-form", "2026-11-18-pricing-call"),
                         created="2026-11-22T09:00:00+00:00")
    folder = root / "newsletters" / archive.folder_name(number, dt.date(2026, 11, 22))
    folder.mkdir(parents=True)
    message = EmailMessage()
    message["From"] = f"Maya Chen <{SENDER}>"
    message["To"] = f"Maya Chen <{SENDER}>"
    message["Subject"] = SUBJECT
    message["Date"] = format_datetime(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc))
    message["Message-ID"] = make_msgid(domain="ledgerly.example")
    message["List-Id"] = "Customer notes <customer-notes.ledgerly.example>"
    message["List-Unsubscribe"] = "<mailto:maya@ledgerly.example?subject=unsubscribe>"
    message.set_content((FIXTURES / "email.txt").read_text(encoding="utf-8"))
    message.add_alternative((FIXTURES / "index.html").read_text(encoding="utf-8"), subtype="html")
    files = {"issue.json": record.to_json().encode(), "message.eml": message.as_bytes(),
             "index.html": (FIXTURES / "index.html").read_bytes(), "email.txt": (FIXTURES / "email.txt").read_bytes()}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def repo(tmp_path, server, monkeypatch):
    """A writing repo whose notepress.yml points at the test server, with issue #1 drafted."""
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    root = repo_for(tmp_path / "repo", server.port)
    make_issue(root)
    return root


def repo_for(root: Path, port: int) -> Path:
    """The fixture writing repo at `root`, its notepress.yml sending to 127.0.0.1:`port`, its
    recipients file and the entries issue #1 shows, as they are now."""
    root.mkdir()
    text = (FIXTURES / "notepress.yml").read_text(encoding="utf-8").replace("SMTP_PORT", str(port))
    (root / "notepress.yml").write_text(text, encoding="utf-8")
    shutil.copy(FIXTURES / "newsletter-recipients.csv", root)
    shutil.copytree(FIXTURES / "posts", root / "posts")
    return root


def folder(root: Path) -> Path:
    return root / "newsletters" / "001-2026-11-22"


def tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def team(root: Path) -> View:
    project = api.load(root)
    return gate(project.entries, project.config, Reader.TEAM)


def send(root: Path, **kwargs):
    return send_issue(load_config(root), 1, team=team(root), backoff=FAST, **kwargs)




def archived(root: Path) -> EmailMessage:
    return message_from_bytes((folder(root) / "message.eml").read_bytes(), policy=policy.default)


def parts(message: EmailMessage) -> dict[str, str]:
    """content type -> text, with the line endings a mail client shows (SMTP carries CRLF)."""
    return {p.get_content_type(): p.get_content().replace("\r\n", "\n") for p in message.iter_parts()}


def test_one_copy_per_recipient_over_one_connection(repo, server):
    progress = []
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)  # a Date header is in whole seconds
    report = send(repo, progress=progress.append)
    after = dt.datetime.now(dt.timezone.utc)

    assert report.summary() == "issue #1: sent 5"
    assert report.ok and report.sent == RECIPIENTS and not report.failed and not report.skipped
    assert server.connections == 1
    assert progress == [f"[{i}/5] sent to {a}" for i, a in enumerate(RECIPIENTS, 1)]
    assert [r.rcpt_tos for r in server.received] == [(a,) for a in RECIPIENTS]
    assert {r.mail_from for r in server.received} == {SENDER}
    original = archived(repo)
    log = archive.read_log(folder(repo))
    ids = []
    for address, received in zip(RECIPIENTS, server.received):
        m = received.message
        assert m.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
        assert parts(m) == parts(original)
        assert "Zoë's pricing call" in parts(m)["text/plain"]
        assert m["From"] == f"Maya Chen <{SENDER}>"
        assert m["To"] == named(address) and len(m.get_all("To")) == 1
        assert m["Subject"] == SUBJECT
        # made at send time from notepress.yml, not taken from the archived draft
        assert m["List-Id"] == '"Customer notes" <customer-notes.ledgerly.example>'
        assert m["List-Unsubscribe"] == "<mailto:maya@ledgerly.example?subject=unsubscribe>"
        assert m["MIME-Version"] == "1.0"
        sent_at = parsedate_to_datetime(m["Date"])
        assert before <= sent_at <= after  # the real time of sending, not the draft's
        assert m["Message-ID"].endswith("@ledgerly.example>") and m["Message-ID"] != original["Message-ID"]
        ids.append(m["Message-ID"])
        assert log[address]["status"] == "sent" and log[address]["code"] == 250
        assert log[address]["message_id"] == m["Message-ID"]
        dt.datetime.fromisoformat(log[address]["at"])
    assert len(set(ids)) == 5
    assert received.data.endswith(b"</html>\r\n\r\n--" + original.get_boundary().encode() + b"--\r\n")


def test_dry_run_sends_nothing_and_writes_nothing(repo, server):
    legacy = {RECIPIENTS[0]: {"status": "sent", "code": 250, "error": "", "message_id": "<1@ledgerly.example>",
                              "at": "2026-11-22T10:00:00+00:00"}}  # the log an earlier notepress wrote
    (folder(repo) / LEGACY).write_text(json.dumps({"recipients": legacy}, indent=1))
    before = tree(repo)

    report = send(repo, dry_run=True)

    assert tree(repo) == before
    assert server.received == [] and server.connections == 0
    assert report.dry_run and report.sent == RECIPIENTS[1:] and report.skipped == RECIPIENTS[:1]
    assert report.summary() == "issue #1 (dry run): would send 4, already served 1; nothing was sent"


def test_test_copy_is_marked_and_not_logged(repo, server):
    send(repo)  # already sent to everyone: a test copy is still allowed
    log_before = (folder(repo) / JOURNAL).read_bytes()

    report = send(repo, test_address="Maya Zoë <maya+test@ledgerly.example>")

    assert report.test and report.ok and report.sent == ["maya+test@ledgerly.example"]
    assert report.summary() == "issue #1: test copy sent to maya+test@ledgerly.example"
    copies = server.messages_for("maya+test@ledgerly.example")
    assert len(copies) == 1 and len(server.received) == 6
    assert copies[0]["Subject"] == f"[TEST] {SUBJECT}"
    assert copies[0]["To"] == "Maya Zoë <maya+test@ledgerly.example>"
    assert b"\r\nTo: Maya =?utf-8?q?Zo=C3=AB?= <maya+test@ledgerly.example>\r\n" in server.received[-1].data
    assert parts(copies[0]) == parts(archived(repo))
    assert (folder(repo) / JOURNAL).read_bytes() == log_before


def test_invalid_test_address_is_refused(repo, server):
    with pytest.raises(NotepressError, match=r"^--test: 'maya@' is not a valid address \(write you@example.com\)$"):
        send(repo, test_address="maya@")
    assert server.connections == 0


def test_refuses_to_send_twice_unless_forced(repo, server):
    send(repo)
    with pytest.raises(NotepressError) as error:
        send(repo)
    assert str(error.value) == "issue #1 was already sent to all 5 recipients (use --force to send it again)"
    assert len(server.received) == 5

    report = send(repo, force=True)

    assert report.sent == RECIPIENTS and report.ok
    assert server.counts() == {a: 2 for a in RECIPIENTS}
    assert {e.get("round") for e in archive.read_log(folder(repo)).values()} == {2}
    with pytest.raises(NotepressError, match="already sent to all 5"):
        send(repo)


def test_reconnects_when_the_server_drops_the_connection(repo, server):
    server.drop_after = 2
    progress = []

    report = send(repo, progress=progress.append)

    assert report.ok and report.sent == RECIPIENTS
    assert server.counts() == {a: 1 for a in RECIPIENTS}
    assert server.connections == 3 and server.drops == 2
    assert "[3/5] reconnecting to 127.0.0.1:" in "\n".join(progress)


def test_stops_when_the_server_is_gone_and_resumes_later(repo, server):
    """The connection drops after 2 messages and cannot be reopened: the rest stay unserved; the same
    command later serves exactly them."""
    server.drop_after = 2
    opened = []

    def connect_once(smtp):
        if opened:
            raise ConnectionRefusedError(111, "Connection refused")
        opened.append(1)
        return open_connection(smtp)

    report = send(repo, connect=connect_once)

    assert not report.ok and report.sent == RECIPIENTS[:2] and report.unserved == RECIPIENTS[2:]
    assert report.summary() == (f"issue #1: sent 2, not sent 3 (cannot connect to 127.0.0.1:{server.port} "
                                "(Connection refused); run the same command again to resume)")
    # the 3rd was with the server when the connection dropped: it may have been delivered
    statuses = {a: e["status"] for a, e in archive.read_log(folder(repo)).items()}
    assert statuses == {RECIPIENTS[0]: "sent", RECIPIENTS[1]: "sent", RECIPIENTS[2]: "unknown"}

    server.drop_after = None
    resumed = send(repo)

    assert resumed.ok and resumed.sent == RECIPIENTS[2:] and resumed.skipped == RECIPIENTS[:2]
    assert resumed.resent == RECIPIENTS[2:3]  # with the Message-ID of its attempt
    assert server.counts() == {a: 1 for a in RECIPIENTS}


def test_unreachable_server_is_an_error_before_anything_is_recorded(repo, server):
    server.stop()
    with pytest.raises(NotepressError, match=rf"^cannot connect to 127.0.0.1:{server.port} \(Connection refused\)$"):
        send(repo)
    assert not (folder(repo) / JOURNAL).exists()


def test_starttls_is_required_when_configured(repo, server):
    config = load_config(repo)
    config = dataclasses.replace(config, smtp=dataclasses.replace(config.smtp, security="starttls"))
    with pytest.raises(NotepressError) as error:
        send_issue(config, 1, team=team(repo), backoff=FAST)
    assert str(error.value) == (f"notepress.yml: smtp.security: 127.0.0.1:{server.port} does not offer STARTTLS "
                                "(use security: ssl with port 465, or none only for a local relay)")
    assert server.received == [] and not (folder(repo) / JOURNAL).exists()


def test_temporary_refusal_is_retried_and_delivered_once(repo, server):
    server.reply_to_rcpt(RECIPIENTS[1], "451 4.3.0 try again later", times=1)
    progress = []

    report = send(repo, progress=progress.append)

    assert report.ok and report.sent == RECIPIENTS
    assert server.counts() == {a: 1 for a in RECIPIENTS}
    assert f"[2/5] {RECIPIENTS[1]}: 451 try again later; retrying in 0s" in progress
    assert server.connections == 1


def test_lasting_temporary_refusal_fails_now_and_is_retried_on_resume(repo, server):
    server.reply_to_rcpt(RECIPIENTS[1], "451 4.3.0 try again later", times=4)  # the first try and 3 retries

    report = send(repo)

    assert report.summary() == f"issue #1: sent 4, failed 1 ({RECIPIENTS[1]}: 451 try again later)"
    assert archive.read_log(folder(repo))[RECIPIENTS[1]]["code"] == 451
    resumed = send(repo)
    assert resumed.ok and resumed.sent == [RECIPIENTS[1]]
    assert server.counts() == {a: 1 for a in RECIPIENTS}


def test_permanent_failure_is_recorded_reported_and_not_retried(repo, server):
    server.reply_to_rcpt(RECIPIENTS[2], "550 5.1.1 mailbox unavailable")

    report = send(repo)

    expected = f"issue #1: sent 4, failed 1 ({RECIPIENTS[2]}: 550 mailbox unavailable)"
    assert report.summary() == expected and not report.ok
    entry = archive.read_log(folder(repo))[RECIPIENTS[2]]
    assert (entry["status"], entry["code"], entry["error"]) == ("failed", 550, "mailbox unavailable")

    resumed = send(repo)

    assert server.counts() == {a: 1 for a in RECIPIENTS if a != RECIPIENTS[2]}
    assert resumed.sent == [] and len(resumed.skipped) == 4 and not resumed.ok
    assert resumed.summary() == (f"issue #1: sent 0, failed 1 ({RECIPIENTS[2]}: 550 mailbox unavailable), "
                                 "already served 4")

    server.forget_rcpt(RECIPIENTS[2])  # the mailbox is back
    retried = send(repo, retry_failed=True)
    assert retried.ok and retried.sent == [RECIPIENTS[2]]
    assert server.counts() == {a: 1 for a in RECIPIENTS}


def test_bad_addresses_are_all_listed_with_lines_before_sending(repo, server):
    shutil.copy(FIXTURES / "bad-recipients.csv", repo)
    config = dataclasses.replace(load_config(repo), newsletter=dataclasses.replace(
        load_config(repo).newsletter, recipients_file="bad-recipients.csv"))

    with pytest.raises(NotepressError) as error:
        send_issue(config, 1, team=team(repo), backoff=FAST)

    assert str(error.value).splitlines() == (FIXTURES / "bad-recipients.expected").read_text().splitlines()
    assert server.connections == 0 and not (folder(repo) / JOURNAL).exists()


def test_recipients_come_from_the_csv_then_the_file_then_the_list(repo):
    config = load_config(repo)
    assert load_recipients(config) == [named(a) for a in RECIPIENTS]
    messy = load_recipients(config, FIXTURES / "messy-recipients.csv")
    assert messy == ["daniel.ortiz@ledgerly.example", "Priya Nair <priya.nair@ledgerly.example>",
                     "marcus.webb@ledgerly.example"]
    assert load_recipients(config, FIXTURES / "e-mail-column.csv") == [named(a) for a in RECIPIENTS[:2]]
    listed = dataclasses.replace(config, newsletter=dataclasses.replace(
        config.newsletter, recipients_file="", recipients=("a@ledgerly.example", "A@ledgerly.example")))
    assert load_recipients(listed) == ["a@ledgerly.example"]
    nobody = dataclasses.replace(listed, newsletter=dataclasses.replace(listed.newsletter, recipients=()))
    with pytest.raises(NotepressError, match=r"^notepress.yml: newsletter: no recipients \(add `recipients_file"):
        load_recipients(nobody)
    Path("empty.csv").write_text("email\n\n")  # in the working folder, named as the user typed it
    with pytest.raises(NotepressError, match=r"^empty.csv: no recipients \(write one address per line"):
        load_recipients(config, Path("empty.csv"))


def test_password_is_used_but_never_written(tmp_path, monkeypatch):
    password = "pw-9f3c1e7a-never-in-files"
    with LocalSmtpServer(auth=("maya", password)) as server:
        root = tmp_path / "repo"
        root.mkdir()
        text = (FIXTURES / "notepress.yml").read_text().replace("SMTP_PORT", str(server.port))
        (root / "notepress.yml").write_text(text + "  username: maya\n")
        shutil.copy(FIXTURES / "newsletter-recipients.csv", root)
        shutil.copytree(FIXTURES / "posts", root / "posts")
        make_issue(root)
        server.reply_to_rcpt(RECIPIENTS[0], f"550 5.7.1 rejected {password}")  # even a server echoing it

        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        with pytest.raises(NotepressError, match=f"set the {PASSWORD_ENV} environment variable"):
            send(root)
        monkeypatch.setenv(PASSWORD_ENV, "wrong-password")
        with pytest.raises(NotepressError, match=rf"refused the login for maya \(535 .*\) \(check .*{PASSWORD_ENV}\)"):
            send(root)
        monkeypatch.setenv(PASSWORD_ENV, password)
        report = send(root, progress=lambda m: None)

    assert server.logins == ["maya"] and len(server.received) == 4
    assert report.failed[0].error == "rejected ***"
    assert password not in repr(report) + report.summary()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_a_second_sender_of_the_same_issue_is_refused(repo, server):
    with _sending_lock(folder(repo), 1):
        with pytest.raises(NotepressError, match=r"^issue #1 is being sent by another notepress process"):
            send(repo)
    assert server.received == []
    assert send(repo).ok


def test_a_collecting_backend_gets_every_copy_and_the_log_records_them(repo, server):
    backend = Collecting()
    report = send(repo, backend=backend)

    assert report.ok and report.sent == RECIPIENTS and server.received == []
    assert [to.addr_spec for to, _ in backend.outbox] == RECIPIENTS
    for to, data in backend.outbox:
        copy = message_from_bytes(data, policy=policy.default)
        assert copy["To"] == named(to.addr_spec) and copy["Subject"] == SUBJECT
        assert parts(copy) == parts(archived(repo))
    assert sorted(archive.read_log(folder(repo))) == sorted(RECIPIENTS)
