"""The audience boundary against the text a writer really has, in a repo made by `notepress init`.

Names come with invisible characters, other normal forms, fullwidth letters, underscores, markup
and scripts written without spaces; references come in every syntax Markdown and HTML allow;
entries change between a newsletter's draft and its send. `check` must refuse each on the source
(naming the entry and the line), and the audit must find each in any built file.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e_helpers import run_cli
from notepress import api
from notepress.audit import audit_site
from smtp_server import LocalSmtpServer

CUSTOMER = "Harborview Outfitters"  # the internal insight `notepress init` writes
ESSAY = "posts/essays/2026-11-23-why-i-write-down-what-i-learn.md"
INSIGHT = "posts/insights/2026-11-20-harborview-setup-needs-a-call.md"
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u034f", "\u180e"]
SEPARATORS = [" ", "_", "-", "\u00a0", "\u3000", ".", "  ", "\n"]
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def initialized(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("boundary") / "notes"
    result = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def repo(initialized, tmp_path) -> Path:
    copy = tmp_path / "notes"
    shutil.copytree(initialized, copy, ignore=shutil.ignore_patterns(".git"))
    return copy


@st.composite
def variants(draw, name: str = CUSTOMER) -> str:
    """The name as copy-paste brings it: invisible characters, NFD, fullwidth, other separators, case."""
    words = name.split()
    out = []
    for word in words:
        if draw(st.booleans()):
            at = draw(st.integers(1, len(word) - 1))
            word = word[:at] + draw(st.sampled_from(INVISIBLE)) + word[at:]
        word = draw(st.sampled_from([word, word.upper(), word.lower(), _fullwidth(word)]))
        out.append(word)
    text = draw(st.sampled_from(SEPARATORS + [""])).join(out)
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD", "NFKD"])), text)


def _fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def _set(path: Path, key: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[at] = f"{key}: {_yaml(value)}"
    path.write_text("\n".join(lines), encoding="utf-8")


def _yaml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _problems(repo: Path) -> list[str]:
    return [str(p) for p in api.check(repo).errors]


@PROPERTY
@given(name=variants(), where=st.sampled_from(["title", "summary", "body-start", "body-middle"]))
def test_check_refuses_every_variant_of_a_customer_name_with_the_line(initialized, tmp_path_factory, name, where):
    repo = tmp_path_factory.mktemp("v") / "notes"
    shutil.copytree(initialized, repo, ignore=shutil.ignore_patterns(".git"))
    essay = repo / ESSAY
    if where in ("title", "summary"):
        _set(essay, where, f"Lessons from {name}")
        line = next(i for i, s in enumerate(essay.read_text(encoding="utf-8").split("\n"), 1)
                    if s.startswith(f"{where}:"))
    else:
        text = essay.read_text(encoding="utf-8").rstrip("\n")
        sentence = f"{name} told us" if where == "body-start" else f"We heard it from {name} twice."
        essay.write_text(f"{text}\n\n{sentence}\n", encoding="utf-8")
        line = len(essay.read_text(encoding="utf-8").split("\n")) - 1 - sentence.count("\n")
    problems = _problems(repo)
    field = where.split("-")[0]
    assert any(p.startswith(f"{ESSAY}:{line}: {field}: confidential term \"{CUSTOMER}\"") for p in problems), problems


@pytest.mark.parametrize("written", [
    "Project Light**house**", "Project Light<span>house</span>", "Project Light&shy;house",
    "Project Lig&#104;thouse", "Project Light<!-- -->house",
])
def test_markup_that_splits_a_name_is_refused_as_the_reader_sees_it(repo, written):
    """`Project Lighthouse` is the confidential term `notepress init` configures."""
    essay = repo / ESSAY
    text = essay.read_text(encoding="utf-8").rstrip("\n")
    essay.write_text(f"{text}\n\nA word from {written} here.\n", encoding="utf-8")
    line = len(text.split("\n")) + 2
    problems = _problems(repo)
    assert any(p.startswith(f"{ESSAY}:{line}: body: confidential term \"Project Lighthouse\"") for p in problems), \
        problems


@pytest.mark.parametrize("name", ["株式会社山田商事", "ห้างสมชายการค้า", "삼성물산"])
def test_names_in_scripts_without_spaces_are_found_inside_a_sentence(repo, name):
    _set(repo / INSIGHT, "customer", name)
    essay = repo / ESSAY
    text = essay.read_text(encoding="utf-8").rstrip("\n")
    essay.write_text(f"{text}\n\n先週{name}の担当者と話しました。\n", encoding="utf-8")
    problems = _problems(repo)
    assert any(f'body: confidential term "{name}"' in p for p in problems), problems


@pytest.mark.parametrize("link", [
    "[the note][n]\n\n[n]: ../insights/2026-11-20-harborview-setup-needs-a-call.md",
    '<a href="../insights/2026-11-20-harborview-setup-needs-a-call.md">the note</a>',
    "[the note](../insights/2026-11-20-harborview-setup-needs-a-call.md?from=essay)",
    "[the note](<../insights/2026-11-20-harborview-setup-needs-a-call.md>)",
    "\\`[the note](../insights/2026-11-20-harborview-setup-needs-a-call.md)\\`",
    "![chart](../insights/2026-11-20-harborview-setup-needs-a-call.md)",
])
def test_a_link_to_a_non_public_entry_in_any_syntax_is_an_error_with_its_line(repo, link):
    essay = repo / ESSAY
    text = essay.read_text(encoding="utf-8").rstrip("\n")
    essay.write_text(f"{text}\n\n{link}\n", encoding="utf-8")
    problems = _problems(repo)
    line = len(text.split("\n")) + 2 + link[:link.index("../insights")].count("\n")  # where the path is written
    expected = f"{ESSAY}:{line}: body: "
    assert any(p.startswith(expected) and INSIGHT in p and "not public" in p for p in problems), problems


def test_an_include_of_a_non_public_entry_is_refused_and_never_built(repo):
    mkdocs = repo / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "  - pymdownx.details\n", "  - pymdownx.details\n  - pymdownx.snippets\n"), encoding="utf-8")
    essay = repo / ESSAY
    text = essay.read_text(encoding="utf-8").rstrip("\n")
    essay.write_text(f'{text}\n\n--8<-- "{INSIGHT}"\n', encoding="utf-8")

    problems = _problems(repo)
    assert f"{ESSAY}:{len(text.split(chr(10))) + 2}: body: includes {INSIGHT}, which is not public " \
           "(audience: internal) (remove the link, or make that entry public)" in problems, problems
    result = run_cli("-C", str(repo), "build")
    assert result.exit_code == 1
    assert not (repo / "site").exists()


def test_the_audit_finds_an_included_entry_even_when_check_is_bypassed(repo):
    """Content-complete: any run of a non-public entry's text in any built file is a finding."""
    assert run_cli("-C", str(repo), "build").exit_code == 0
    insight = (repo / INSIGHT).read_text(encoding="utf-8")
    body = insight.split("---", 2)[2]
    sentence = "The setup checklist sent her to a settings page that does not ask for bank details."
    assert sentence.replace("\n", " ") in " ".join(body.split())
    page = next((repo / "site" / "blog").rglob("index.html"))
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</article>", "<p>The setup checklist sent <em>her</em> to a\nsettings page that does not ask</p></article>", 1),
        encoding="utf-8")
    project = api.load(repo)
    findings = audit_site(repo / "site", project.entries, project.config)
    assert [(f.kind, f.source) for f in findings] == [("text", INSIGHT)], findings


@PROPERTY
@given(name=variants(), kind=st.sampled_from(["html", "json", "xml", "js", "nul"]))
def test_the_audit_finds_every_variant_in_every_kind_of_file(initialized, tmp_path_factory, name, kind):
    site = tmp_path_factory.mktemp("site")
    escaped = name.replace("&", "&amp;").replace("<", "&lt;")
    content = {
        "html": f"<html><body><p>Notes from {escaped}.</p></body></html>",
        "json": '{"docs": [{"text": ' + __import__("json").dumps(f"<p>{name}</p>") + "}]}",
        "xml": f"<rss><item><description>&lt;p&gt;{escaped.replace('&', '&amp;')}&lt;/p&gt;</description></item></rss>",
        "js": f'var s = "{name}";',
        "nul": f"<html><title>A\x00title</title><p>{escaped}</p></html>",
    }[kind]
    (site / f"page.{'html' if kind == 'nul' else kind}").write_text(content, encoding="utf-8")
    project = api.load(initialized)
    findings = audit_site(site, project.entries, project.config)
    assert any(f.text == CUSTOMER and f.kind == "customer" for f in findings), (content, findings)


def test_a_newsletter_is_not_sent_after_an_entry_it_shows_was_withdrawn(repo):
    with LocalSmtpServer() as server:
        config = repo / "notepress.yml"
        config.write_text(config.read_text(encoding="utf-8") + (
            "\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [team@example.com]\n"
            f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"), encoding="utf-8")
        drafted = run_cli("-C", str(repo), "newsletter", "draft", "--since", "2026-11-01", "--until", "2026-11-23")
        assert drafted.exit_code == 0, drafted.output
        _set(repo / INSIGHT, "audience", "private")

        for extra in (["--dry-run"], [], ["--test", "me@example.com"]):
            result = run_cli("-C", str(repo), "newsletter", "send", "1", *extra)
            assert result.exit_code == 1, result.output
            assert "2026-11-20-harborview-setup-needs-a-call: issue #1 shows this entry, but the team may no " \
                   "longer see it" in result.output
            assert "Traceback" not in result.output
        assert server.received == []

        assert run_cli("-C", str(repo), "newsletter", "draft", "--since", "2026-11-01",
                       "--until", "2026-11-23").exit_code == 0
        sent = run_cli("-C", str(repo), "newsletter", "send", "1")
        assert sent.exit_code == 0, sent.output
        assert len(server.received) == 1
        assert b"Harborview" not in server.received[0].data
