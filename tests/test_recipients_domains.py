"""The internal newsletter goes only to the company's domains (`newsletter.allowed_domains`, by default the
sender's), from `notepress init` to a real SMTP server: an address outside (a personal mailbox, a look-alike
domain, a subdomain not written) stops the whole send, dry run and test copy included, before anything is
delivered, and every such row is named at once with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from e2e_helpers import output, run_cli
from notepress.audience import Reader
from notepress.newsletter.send import send_issue
from notepress.problems import NotepressError
from notepress.project import Project

SENDER = "Ana Li <ana@example.com>"
OUTSIDE = ["ana.li@gmail.com", "bo@examp1e.com", "cy@example.com.evil.io", "di@example.co", "ed@eu.example.com"]
FIX = "(remove it; only if {domain} is the company's own, add it to newsletter.allowed_domains)"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> Path:
    """A repo made by `notepress init`, with issue #1 drafted from its example entries."""
    root = tmp_path_factory.mktemp("domains") / "notes"
    assert run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li").exit_code == 0
    draft = run_cli("-C", str(root), "newsletter", "draft")
    assert draft.exit_code == 0, output(draft)
    return root


@pytest.fixture
def repo(drafted, tmp_path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(drafted, copy, ignore=shutil.ignore_patterns(".git"))
    return copy


def settings(repo: Path, server, newsletter: str) -> None:
    """notepress.yml's newsletter section (`newsletter`, indented lines) and the test's SMTP server."""
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"\nnewsletter:\n  sender: {SENDER}\n{newsletter}"
                      f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n", encoding="utf-8")


def send(repo: Path, *args: str):
    return run_cli("-C", str(repo), "newsletter", "send", "1", *args)


def refusal(path: str, line: int, column: str, address: str, allowed: str) -> str:
    domain = address.split("@")[1].lower()
    return (f"{path}:{line}: {column}: {address} is outside the company: {domain} is not an allowed domain "
            f"({allowed}) {FIX.format(domain=domain)}")


def test_nothing_is_delivered_when_any_recipient_is_outside_and_every_such_row_is_named(repo, server):
    rows = ["bo@example.com", *OUTSIDE, "Cy@EXAMPLE.COM", "not an address"]
    (repo / "team.csv").write_text("email\n" + "\n".join(rows) + "\n", encoding="utf-8")
    settings(repo, server, "  recipients_file: team.csv\n")
    for args in ([], ["--dry-run"]):
        result = send(repo, *args)
        assert result.exit_code == 1, output(result)
        lines = output(result).splitlines()
        assert lines == sorted(
            [refusal("team.csv", i, "email", a, "the sender's: example.com") for i, a in enumerate(OUTSIDE, 3)]
            + ["team.csv:9: email: 'not an address' is not a valid address (fix or remove it)"]
        ) + ["notepress: 6 problems (fix them and run again)"], args
        assert "Traceback" not in output(result)
    assert server.received == [] and server.connections == 0
    assert list((repo / "newsletters").glob("*/send-*")) == []  # no send record


def test_allowed_ones_are_delivered_when_all_are_inside(repo, server):
    """Exactly the domains written, in any case; a subdomain once it is written too; an IDN in either form."""
    inside = ["bo@example.com", "cy@Example.ORG", "di@eu.example.com", "ed@xn--bcher-kva.example"]
    (repo / "team.csv").write_text("email,name\n" + "\n".join(f"{a},{a[:2]}" for a in inside) + "\n", encoding="utf-8")
    settings(repo, server, "  recipients_file: team.csv\n"
             "  allowed_domains: [EXAMPLE.com, example.org., eu.example.com, Bücher.example]\n")
    plan = send(repo, "--dry-run")
    assert plan.exit_code == 0, output(plan)
    assert server.received == []
    sent = send(repo)
    assert sent.exit_code == 0, output(sent)
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(inside)
    assert "sent 4" in sent.output


def test_a_test_copy_to_an_outside_address_is_refused(repo, server):
    settings(repo, server, "  recipients: [team@example.com]\n")
    for address in ("ana.li@gmail.com", "ana@example.com.evil.io", "ana@mail.example.com"):
        for args in (["--test", address], ["--test", address, "--dry-run"]):
            refused = send(repo, *args)
            assert refused.exit_code == 1, output(refused)
            assert output(refused).splitlines() == [
                refusal("", 0, "--test", address, "the sender's: example.com").removeprefix(":0: "),
                "notepress: 1 problem (fix it and run again)"]
    assert server.received == [] and server.connections == 0
    test = send(repo, "--test", "ana@EXAMPLE.com")
    assert test.exit_code == 0, output(test)
    assert [r.rcpt_tos for r in server.received] == [("ana@EXAMPLE.com",)]


def test_the_default_is_the_sender_domain_and_a_recipient_in_notepress_yml_is_named_at_its_line(repo, server):
    settings(repo, server, "  recipients:\n    - bo@example.com\n    - cy@example.org\n")
    text = (repo / "notepress.yml").read_text(encoding="utf-8").split("\n")
    line = text.index("  recipients:") + 1
    refused = send(repo)
    assert refused.exit_code == 1
    assert output(refused).splitlines()[0] == refusal("notepress.yml", line, "newsletter.recipients", "cy@example.org",
                                                      "the sender's: example.com")
    assert server.received == []

    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  recipients:\n", "  allowed_domains: [example.com, example.org]\n  recipients:\n"), encoding="utf-8")
    sent = send(repo)
    assert sent.exit_code == 0, output(sent)
    assert server.counts() == {"bo@example.com": 1, "cy@example.org": 1}


def test_a_list_handed_to_the_library_is_held_to_the_same_domains(repo, server):
    """send_issue checks every address it is given, not only the ones load_recipients read."""
    settings(repo, server, "  recipients: [team@example.com]\n")
    project = Project.open(repo)
    with pytest.raises(NotepressError) as refused:
        send_issue(project.config, 1, team=project.view(Reader.TEAM), recipients=["team@example.com", "me@gmail.com"])
    assert [str(p) for p in refused.value.problems] == [refusal("recipients", 0, "", "me@gmail.com",
                                                                "the sender's: example.com").replace(":0: : ", ": ")]
    assert server.received == []


@pytest.mark.parametrize("written, message", [
    ("[]", "is empty, so nobody could receive the newsletter (write the company's domains, e.g. [example.com], "
           "or remove it to allow the sender's)"),
    ('["*.example.com", "ex\u00adample.com", "@example.com"]',
     "not a domain: '*.example.com', 'ex\\xadample.com', '@example.com' (write what follows the @, e.g. "
     "example.com; a subdomain is written on its own)"),
    ("{example.com: yes}", "{'example.com': True} is not valid (write the company's domains, e.g. [example.com])"),
])
def test_allowed_domains_that_are_not_domains_are_errors_at_their_line(repo, server, written, message):
    settings(repo, server, f"  allowed_domains: {written}\n")
    line = (repo / "notepress.yml").read_text(encoding="utf-8").split("\n").index(f"  allowed_domains: {written}") + 1
    checked = run_cli("-C", str(repo), "check")
    assert checked.exit_code == 1
    assert f"notepress.yml:{line}: newsletter.allowed_domains: {message}" in output(checked).splitlines()
    refused = send(repo, "--dry-run")
    assert refused.exit_code == 1 and server.received == []
