"""An entry the team sees (internal or public) links only entries the team sees, from `notepress init`: a
`[[slug]]` or relative link from the internal insight to a private entry or a draft is an error at its line in
`check`, and `newsletter draft` and `send` refuse while it is there; the newsletter would show that slug."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from e2e_helpers import TODAY, init_entry, output, run_cli
from smtp_server import LocalSmtpServer

FIX = "(remove the link; the team sees internal and public entries, never private ones or drafts)"


@pytest.fixture(scope="module")
def initialized(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("team-links") / "notes"
    assert run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li").exit_code == 0
    day = (TODAY - dt.timedelta(days=2)).isoformat()
    for slug, audience, draft in (("salary-notes", "private", "false"), ("half-written", "internal", "true"),
                                  ("team-retro", "internal", "false")):
        (root / "posts" / "essays" / f"{day}-{slug}.md").write_text(
            f"---\ntitle: {slug.replace('-', ' ').capitalize()}\ndate: {day}\ntype: essay\naudience: {audience}\n"
            f"draft: {draft}\nslug: {slug}\n---\n\nWhat {slug} says.\n", encoding="utf-8")
    return root


@pytest.fixture
def repo(init_copy) -> Path:
    return init_copy


def append(path: Path, paragraph: str) -> int:
    """Add a paragraph at the end of an entry's body; returns the line it starts on."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n{paragraph}\n", encoding="utf-8")
    return len(text.split("\n")) + 2


def essay(slug: str) -> str:
    return f"posts/essays/{(TODAY - dt.timedelta(days=2)).isoformat()}-{slug}.md"


def errors(repo: Path) -> list[str]:
    checked = run_cli("-C", str(repo), "check")
    lines = output(checked).splitlines()
    assert checked.exit_code == (1 if lines[:-1] else 0), lines
    return lines[:-1]


def test_an_internal_entry_linking_a_private_one_or_a_draft_is_an_error_at_its_line(repo):
    insight = init_entry(repo, "insights")
    wiki = append(repo / insight, "Compare [[salary-notes]] and [[team-retro]], ignore `[[salary-notes]]`.")
    relative = append(repo / insight, f"The draft: [more](../essays/{Path(essay('half-written')).name}).")
    labelled = append(repo / insight, "And [[salary-notes|what I was paid]], again.")
    assert errors(repo) == [
        f"{insight}:{wiki}: body: link [[salary-notes]] points to {essay('salary-notes')}, which the team does not "
        f"see (audience: private) {FIX}",
        f"{insight}:{relative}: body: link ../essays/{Path(essay('half-written')).name} points to "
        f"{essay('half-written')}, which the team does not see (a draft) {FIX}",
        f"{insight}:{labelled}: body: link [[salary-notes]] points to {essay('salary-notes')}, which the team does "
        f"not see (audience: private) {FIX}",
    ]


def test_a_link_in_a_field_is_reported_at_the_field_s_line(repo):
    insight = repo / init_entry(repo, "insights")
    text = insight.read_text(encoding="utf-8")
    insight.write_text(text.replace("product_area: Account setup", "product_area: see [[salary-notes]]"),
                       encoding="utf-8")
    line = text.split("\n").index("product_area: Account setup") + 1
    assert errors(repo) == [f"{init_entry(repo, 'insights')}:{line}: product_area: link [[salary-notes]] points to "
                            f"{essay('salary-notes')}, which the team does not see (audience: private) {FIX}"]


def test_what_the_team_does_not_read_may_link_anything_and_a_public_entry_is_reported_once(repo):
    for slug in ("salary-notes", "half-written"):  # a private entry, an internal draft: the team sees neither
        append(repo / essay(slug), "See [[salary-notes]] and [[half-written]].")
    learning = init_entry(repo, "learning")  # public: the rules of a public page report it, once
    line = append(repo / learning, "See [[salary-notes]].")
    assert errors(repo) == [f"{learning}:{line}: body: link [[salary-notes]] points to {essay('salary-notes')}, "
                            "which is not public (audience: private) (remove the link, or make that entry public)"]


def test_the_newsletter_refuses_to_draft_or_send_while_such_a_link_is_there(repo):
    with LocalSmtpServer() as server:
        config = repo / "notepress.yml"
        config.write_text(config.read_text(encoding="utf-8") + (
            "\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [team@example.com]\n"
            f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"), encoding="utf-8")
        assert run_cli("-C", str(repo), "newsletter", "draft").exit_code == 0  # drafted before the link was written
        insight = init_entry(repo, "insights")
        line = append(repo / insight, "As in [[salary-notes]].")
        problem = (f"{insight}:{line}: body: link [[salary-notes]] points to {essay('salary-notes')}, which the team "
                   f"does not see (audience: private) {FIX}")
        for args in (["draft"], ["send", "1", "--dry-run"], ["send", "1", "--test", "ana@example.com"], ["send", "1"]):
            refused = run_cli("-C", str(repo), "newsletter", *args)
            assert refused.exit_code == 1, args
            assert output(refused).splitlines() == [problem, "notepress: 1 problem (fix it and run again)"], args
        assert server.received == []

        text = (repo / insight).read_text(encoding="utf-8")
        (repo / insight).write_text(text.replace("As in [[salary-notes]].", "As in [[team-retro]]."), encoding="utf-8")
        drafted = run_cli("-C", str(repo), "newsletter", "draft")
        assert drafted.exit_code == 0, output(drafted)
        sent = run_cli("-C", str(repo), "newsletter", "send", "1")
        assert sent.exit_code == 0, output(sent)
        [mail] = server.received
    assert b"salary" not in mail.data.lower()
