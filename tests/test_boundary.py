"""The audience boundary against the text a writer really has, in a repo made by `notepress init`.

Names come with invisible characters, other normal forms, fullwidth letters, underscores, markup
and scripts written without spaces; references come in every syntax Markdown and HTML allow;
entries change between a newsletter's draft and its send. `check` must refuse each on the source
(naming the entry and the line), and the audit must find each in any built file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zlib
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from e2e_helpers import TODAY, init_entry, run_cli
from notepress import api, attachments
from notepress.audience import Reader, gate
from notepress.audit import audit_site
from smtp_server import LocalSmtpServer

CUSTOMER = "Harborview Outfitters"  # the internal insight `notepress init` writes
# A newsletter period holding every entry `notepress init` wrote (dated up to a week before TODAY).
SINCE, UNTIL = (TODAY - dt.timedelta(days=22)).isoformat(), TODAY.isoformat()
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u034f", "\u180e"]
SEPARATORS = [" ", "_", "-", "\u00a0", "\u3000", ".", "  ", "\n"]
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def initialized(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("boundary") / "notes"
    result = run_cli("init", str(root), "--name", "Notes", "--author", "Ana Li")
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def example(initialized) -> SimpleNamespace:
    """Where `notepress init` wrote its example entries (named by the dates it gave them): the essay
    and the learning entry are public, the insight about CUSTOMER internal."""
    return SimpleNamespace(essay=init_entry(initialized, "essays"), insight=init_entry(initialized, "insights"),
                           learning=init_entry(initialized, "learning"))


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


def _mail_settings(repo: Path, server) -> None:
    """A sender, one recipient and the test's SMTP server in notepress.yml."""
    config = repo / "notepress.yml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "\nnewsletter:\n  sender: Ana Li <ana@example.com>\n  recipients: [team@example.com]\n"
        f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"), encoding="utf-8")


def _append(path: Path, paragraph: str) -> int:
    """Add a paragraph at the end of an entry's body; returns the line it starts on."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(f"{text}\n\n{paragraph}\n", encoding="utf-8")
    return len(text.split("\n")) + 2


def _yaml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _problems(repo: Path) -> list[str]:
    return [str(p) for p in api.check(repo).errors]


def _value(path: Path, key: str) -> str:
    """A front matter field's value as written (its comment left out)."""
    line = next(s for s in path.read_text(encoding="utf-8").split("\n") if s.startswith(f"{key}:"))
    return line.split(":", 1)[1].split("#", 1)[0].strip()


def _day(days_before: int) -> str:
    return (TODAY - dt.timedelta(days=days_before)).isoformat()


FIELDS = ["title", "summary", "action", "outcome", "learning", "next_step", "body-start", "body-middle"]


@PROPERTY
@given(name=variants(), where=st.sampled_from(FIELDS))
def test_check_refuses_every_variant_of_a_customer_name_with_the_line(initialized, example, tmp_path_factory, name,
                                                                      where):
    repo = tmp_path_factory.mktemp("v") / "notes"
    shutil.copytree(initialized, repo, ignore=shutil.ignore_patterns(".git"))
    entry = example.learning if where in ("action", "outcome", "learning", "next_step") else example.essay
    essay = repo / entry
    if not where.startswith("body"):
        _set(essay, where, f"Lessons from {name}")
        line = next(i for i, s in enumerate(essay.read_text(encoding="utf-8").split("\n"), 1)
                    if s.startswith(f"{where}:"))
    else:
        line = _append(essay, f"{name} told us" if where == "body-start" else f"We heard it from {name} twice.")
    problems = _problems(repo)
    field = where.split("-")[0]
    assert any(p.startswith(f"{entry}:{line}: {field}: confidential term \"{CUSTOMER}\"") for p in problems), problems


@pytest.mark.parametrize("written", [
    "Project Light**house**", "Project Light<span>house</span>", "Project Light&shy;house",
    "Project Lig&#104;thouse", "Project Light<!-- -->house",
])
def test_markup_that_splits_a_name_is_refused_as_the_reader_sees_it(repo, example, written):
    """`Project Lighthouse` is the confidential term `notepress init` configures."""
    line = _append(repo / example.essay, f"A word from {written} here.")
    problems = _problems(repo)
    assert any(p.startswith(f"{example.essay}:{line}: body: confidential term \"Project Lighthouse\"")
               for p in problems), problems


@pytest.mark.parametrize("name", ["株式会社山田商事", "ห้างสมชายการค้า", "삼성물산"])
def test_names_in_scripts_without_spaces_are_found_inside_a_sentence(repo, example, name):
    _set(repo / example.insight, "customer", name)
    line = _append(repo / example.essay, f"先週{name}の担当者と話しました。")
    problems = _problems(repo)
    assert any(p.startswith(f'{example.essay}:{line}: body: confidential term "{name}"') for p in problems), problems


@pytest.mark.parametrize("link", [
    "[the note][n]\n\n[n]: ../insights/{insight}",
    '<a href="../insights/{insight}">the note</a>',
    "[the note](../insights/{insight}?from=essay)",
    "[the note](<../insights/{insight}>)",
    "\\`[the note](../insights/{insight})\\`",
    "![chart](../insights/{insight})",
])
def test_a_link_to_a_non_public_entry_in_any_syntax_is_an_error_with_its_line(repo, example, link):
    link = link.format(insight=Path(example.insight).name)
    line = _append(repo / example.essay, f"{link}")
    problems = _problems(repo)
    line = line + link[:link.index("../insights")].count("\n")  # where the path is written
    expected = f"{example.essay}:{line}: body: "
    assert any(p.startswith(expected) and example.insight in p and "not public" in p for p in problems), problems


def test_an_include_of_a_non_public_entry_is_refused_and_never_built(repo, example, engine):
    mkdocs = repo / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "  - pymdownx.details\n", "  - pymdownx.details\n  - pymdownx.snippets\n"), encoding="utf-8")
    line = _append(repo / example.essay, f'--8<-- "{example.insight}"')

    problems = _problems(repo)
    assert f"{example.essay}:{line}: body: includes {example.insight}, which is not public " \
           "(audience: internal) (remove the link, or make that entry public)" in problems, problems
    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 1
    assert not (repo / "site").exists()


def test_the_audit_finds_an_included_entry_even_when_check_is_bypassed(repo, example, engine):
    """Content-complete: any run of a non-public entry's text in any built file is a finding."""
    assert run_cli("-C", str(repo), "build", "--engine", engine).exit_code == 0
    insight = (repo / example.insight).read_text(encoding="utf-8")
    body = insight.split("---", 2)[2]
    sentence = "The setup checklist sent her to a settings page that does not ask for bank details."
    assert sentence.replace("\n", " ") in " ".join(body.split())
    page = next((repo / "site" / "blog").rglob("index.html"))
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</article>", "<p>The setup checklist sent <em>her</em> to a\nsettings page that does not ask</p></article>", 1),
        encoding="utf-8")
    project = api.load(repo)
    findings = audit_site(repo / "site", project.entries, project.config)
    assert [(f.kind, f.source) for f in findings] == [("text", example.insight)], findings


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


def test_a_newsletter_is_not_sent_after_an_entry_it_shows_was_withdrawn(repo, example):
    with LocalSmtpServer() as server:
        _mail_settings(repo, server)
        drafted = run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until", UNTIL)
        assert drafted.exit_code == 0, drafted.output
        _set(repo / example.insight, "audience", "private")

        for extra in (["--dry-run"], [], ["--test", "me@example.com"]):
            result = run_cli("-C", str(repo), "newsletter", "send", "1", *extra)
            assert result.exit_code == 1, result.output
            assert f"{Path(example.insight).stem}: issue #1 shows this entry, but the team may no " \
                   "longer see it" in result.output
            assert "Traceback" not in result.output
        assert server.received == []

        assert run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE,
                       "--until", UNTIL).exit_code == 0
        sent = run_cli("-C", str(repo), "newsletter", "send", "1")
        assert sent.exit_code == 0, sent.output
        assert len(server.received) == 1
        assert b"Harborview" not in server.received[0].data


# --- what an adversarial walk found: each class once ------------------------------------------------

@pytest.mark.parametrize("customer, written", [
    ("İstanbul Tekstil", "Istanbul Tekstil"), ("İstanbul Tekstil", "İSTANBUL TEKSTİL"),
    ("İstanbul Tekstil", "ıstanbul tekstil"), ("Société Générale", "Societe Generale"),
    ("Ørsted Data", "Orsted Data"), ("北風貿易", "北风贸易"), ("Northwind Logistics", "Νοrthwind Logistics"),
    ("Northwind Logistics", "North\x01wind Logistics"), ("Northwind Logistics", "Northwind Logisti\u0441s"),
    ("Northwind Logistics", "North-wind Logistics"), ("Northwind Logistics", "North\u00b7wind Logis-tics"),
    ("Northwind Logistics", "North\U0001f32cwind Logistics"), ("Harborview Outfitters", "\u0397arborview Outfitters"),
])
def test_accents_dotted_i_han_forms_look_alikes_controls_and_broken_words_are_one_name(repo, example, customer,
                                                                                       written):
    _set(repo / example.insight, "customer", customer)
    line = _append(repo / example.essay, f"A call with {written} today.")
    problems = _problems(repo)
    assert any(p.startswith(f"{example.essay}:{line}: body: confidential term \"{customer}\"")
               for p in problems), problems


@pytest.mark.parametrize("written", [
    "Project Light<tt>house</tt>", "Project Light<label>house</label>", "Project Light<x-y>house</x-y>",
    "Project Light<img src=x.png>house", "[the file](https://crm.example.com/Project%20Lighthouse)",
    "![logo](data:image/svg+xml,%3Csvg%3E%3Ctext%3EProject%20Lighthouse%3C/text%3E%3C/svg%3E)",
])
def test_elements_that_join_words_and_encoded_urls_hide_no_name(repo, example, written):
    line = _append(repo / example.essay, f"See {written} now.")
    problems = _problems(repo)
    assert any(f'{example.essay}:{line}: body: confidential term "Project Lighthouse"' in p
               for p in problems), problems


@pytest.mark.parametrize("title", ["Notes on Project Light&shy;house", "Notes on Project Light<b></b>house",
                                   "Notes on &#80;roject Lighthouse"])
def test_a_title_is_checked_as_the_site_shows_it(repo, example, title):
    _set(repo / example.essay, "title", title)
    problems = _problems(repo)
    assert any(p.startswith(f"{example.essay}:2: title: confidential term \"Project Lighthouse\"")
               for p in problems), problems


def test_hand_written_pages_and_settings_are_public_pages_too(repo):
    index = repo / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nThanks to Harborview Outfitters.\n", encoding="utf-8")
    line = len(index.read_text(encoding="utf-8").split("\n")) - 1
    mkdocs = repo / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "site_name: Notes", "site_name: Notes for Harborview Outfitters"), encoding="utf-8")
    problems = _problems(repo)
    assert f'docs/index.md:{line}: markdown: confidential term "{CUSTOMER}" (remove it from this public page)' \
        in problems, problems
    site_name = next(i for i, s in enumerate(mkdocs.read_text(encoding="utf-8").split("\n"), 1)
                     if s.startswith("site_name:"))
    assert f'mkdocs.yml:{site_name}: confidential term "{CUSTOMER}" (remove it from this public page)' in problems


def _enable_snippets(repo: Path) -> None:
    mkdocs = repo / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "  - pymdownx.details\n", "  - pymdownx.details\n  - pymdownx.snippets\n"), encoding="utf-8")


def test_a_page_or_a_link_outside_posts_cannot_include_a_short_private_line(repo, example, tmp_path, monkeypatch):
    _enable_snippets(repo)
    index = repo / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + f'\n--8<-- "{example.insight}:20:20"\n', encoding="utf-8")
    (repo / "snippets").mkdir()
    (repo / "snippets" / "note.md").symlink_to(repo / example.insight)
    essay = repo / example.essay
    essay.write_text(essay.read_text(encoding="utf-8") + '\n--8<-- "snippets/note.md:20:20"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # `notepress -C` from elsewhere: includes still resolve against the repo

    problems = _problems(repo)
    assert any(p.startswith("docs/index.md:") and f"includes {example.insight}, which is not a public entry" in p
               for p in problems), problems
    assert any(p.startswith(f"{example.essay}:") and f"includes {example.insight}, which is not public" in p
               for p in problems), problems
    assert run_cli("-C", str(repo), "build").exit_code == 1
    assert not (repo / "site").exists()


def test_an_include_of_a_file_that_appears_later_is_seen(repo, example):
    """Renders that can read files are never cached: the included file may appear after a check."""
    _enable_snippets(repo)
    essay = repo / example.essay
    essay.write_text(essay.read_text(encoding="utf-8") + '\n--8<-- "posts/insights/later.md"\n', encoding="utf-8")
    assert not any("later.md" in p for p in _problems(repo))
    shutil.copy(repo / example.insight, repo / "posts" / "insights" / "later.md")
    _set(repo / "posts" / "insights" / "later.md", "title", "A later insight")
    (repo / example.insight).unlink()
    assert any("includes posts/insights/later.md, which is not public" in p for p in _problems(repo))


def test_the_audit_reads_utf16_archives_pdf_streams_and_file_names(initialized, tmp_path):
    import bz2
    import io
    import zipfile

    site = tmp_path / "site"
    site.mkdir()
    (site / "export.csv").write_bytes(f"name\n{CUSTOMER}\n".encode("utf-16"))
    (site / "export-le.txt").write_bytes(f"{CUSTOMER}".encode("utf-16-le"))
    stream = zlib.compress(b"BT [(Harbor) -20 (view Out) 10 (fitters)] TJ ET")
    (site / "report.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> stream\n" + stream + b"\nendstream\n")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:p><w:t>Harbor</w:t><w:t>view Outfitters</w:t></w:p>")
    (site / "notes.docx").write_bytes(archive.getvalue())
    (site / "Harborview Outfitters logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (site / "ztxt.png").write_bytes(_png(b"zTXt", b"Comment\x00\x00" + zlib.compress(CUSTOMER.encode())))
    (site / "itxt.png").write_bytes(_png(b"iTXt", b"Author\x00\x01\x00en\x00\x00" + zlib.compress(CUSTOMER.encode())))
    hexa = CUSTOMER.encode().hex().upper().encode()
    title = b"\xfe\xff" + CUSTOMER.encode("utf-16-be")
    (site / "hex.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Title (" + title + b") >>\nstream\n" +
                                   zlib.compress(b"BT <" + hexa + b"> Tj ET") + b"\nendstream\n")
    (site / "notes.txt.bz2").write_bytes(bz2.compress(CUSTOMER.encode()))
    (site / "data.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000 + CUSTOMER.encode() + b"\x00" * 4000)
    project = api.load(initialized)
    found = {f.file.removeprefix("site/") for f in audit_site(site, project.entries, project.config)
             if f.text == CUSTOMER}
    assert found == {"export.csv", "export-le.txt", "report.pdf", "notes.docx", "Harborview Outfitters logo.png",
                     "ztxt.png", "itxt.png", "hex.pdf", "notes.txt.bz2", "data.db"}


def _png(kind: bytes, body: bytes) -> bytes:
    import struct

    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(body)) + kind + body + b"\x00\x00\x00\x00"


def test_common_words_are_no_leak(repo, engine):
    """A private title that is also a label of notepress's own template, and a short private title that a
    hand-written page also uses, are not findings; a literal entity shown as text is not a name."""
    (repo / "posts" / "essays" / f"{_day(22)}-what-we-heard.md").write_text(
        f"---\ntitle: What we heard\ndate: {_day(22)}\ntype: essay\naudience: private\n---\n\nA private note.\n",
        encoding="utf-8")
    (repo / "posts" / "essays" / f"{_day(21)}-week.md").write_text(
        f"---\ntitle: What I learned this week\ndate: {_day(21)}\ntype: essay\naudience: private\n---\n\nPrivate.\n",
        encoding="utf-8")
    index = repo / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n## What I learned this week\n", encoding="utf-8")
    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 0, result.output


def test_the_newsletter_refuses_an_entry_that_includes_a_private_one(repo, example):
    _enable_snippets(repo)
    rel = f"posts/learning/{_day(4)}-private.md"
    private = repo / rel
    private.write_text(f"---\ntitle: Private thoughts\ndate: {_day(4)}\ntype: learning\naudience: private\n"
                       "action: Wrote it down.\nlearning: Keep it to myself.\n---\n\nSalary bands for the team.\n",
                       encoding="utf-8")
    learning = repo / example.learning
    _set(learning, "learning", f'--8<-- "{rel}"')
    _set(learning, "audience", "internal")
    result = run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until", UNTIL)
    assert result.exit_code == 1, result.output
    assert f"includes {rel}, which the team may not see" in result.output
    assert not (repo / "newsletters").exists() or not any((repo / "newsletters").rglob("email.txt"))


def test_a_theme_file_is_skipped_only_while_identical_to_the_theme(repo, engine):
    from notepress import site

    assert run_cli("-C", str(repo), "build", "--engine", engine).exit_code == 0
    bundle = next((repo / "site" / "assets" / "javascripts").glob("bundle.*.min.js"))
    project = api.load(repo)
    themes = site.engine(repo, engine).theme_dirs()
    assert audit_site(repo / "site", project.entries, project.config, theme_dirs=themes) == []
    bundle.write_text(bundle.read_text(encoding="utf-8") + f'\n/* {CUSTOMER} */\n', encoding="utf-8")
    findings = audit_site(repo / "site", project.entries, project.config, theme_dirs=themes)
    assert [(f.file.split("/")[-1], f.text) for f in findings] == [(bundle.name, CUSTOMER)]


@pytest.mark.parametrize("html", [
    "<p>Harborview<br>Outfitters</p>", "<ul><li>Harborview</li><li>Outfitters</li></ul>",
    "<p>a</p><p>Harborview</p><p></p><p>Outfitters</p>",
])
def test_the_audit_finds_a_name_broken_across_blocks(initialized, tmp_path, html):
    site = tmp_path / "site"
    site.mkdir()
    (site / "page.html").write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
    project = api.load(initialized)
    assert [f.text for f in audit_site(site, project.entries, project.config)] == [CUSTOMER]


def test_a_link_to_an_upper_case_md_entry_is_resolved_like_any_other(repo, example):
    (repo / example.insight).rename(repo / "posts" / "insights" / "Harborview.MD")
    line = _append(repo / example.essay, "See [the note](../insights/Harborview.MD).")
    problems = _problems(repo)
    assert any(p.startswith(f"{example.essay}:{line}: body: link ../insights/Harborview.MD points to "
                            "posts/insights/Harborview.MD, which is not public") for p in problems), problems


def test_an_include_through_a_hard_link_is_the_entry_it_links(repo, example):
    _enable_snippets(repo)
    (repo / "snippets").mkdir()
    os.link(repo / example.insight, repo / "snippets" / "price.txt")
    line = _append(repo / example.essay, '--8<-- "snippets/price.txt:20:20"')
    problems = _problems(repo)
    assert any(p.startswith(f"{example.essay}:") and f"includes {example.insight}, which is not public" in p
               for p in problems), \
        (line, problems)


def test_an_entry_included_in_a_newsletter_is_checked_again_at_send(repo, example):
    with LocalSmtpServer() as server:
        _enable_snippets(repo)
        _mail_settings(repo, server)
        notes = repo / "posts" / "essays" / f"{_day(53)}-team-notes.md"  # an essay the issue does not show itself
        notes.write_text(f"---\ntitle: Team notes\ndate: {_day(53)}\ntype: essay\naudience: internal\n---\n\n"
                         "The pricing floor stays at seven dollars a seat.\n", encoding="utf-8")
        learning = repo / example.learning
        _set(learning, "audience", "internal")
        _set(learning, "learning", f'--8<-- "posts/essays/{notes.name}:8:8"')
        drafted = run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until", UNTIL)
        assert drafted.exit_code == 0, drafted.output
        assert "seven dollars" in next((repo / "newsletters").rglob("email.txt")).read_text(encoding="utf-8")
        _set(notes, "audience", "private")

        result = run_cli("-C", str(repo), "newsletter", "send", "1", "--dry-run")
        assert result.exit_code == 1, result.output
        assert f"{notes.stem}: issue #1 shows this entry, but the team may no longer see it" in result.output
        assert server.received == []


def test_two_words_and_a_name_in_other_script_forms_are_not_the_name(repo, example):
    """`North wind` is other text than `Northwind`; 李娜 is not `Lina`, サン is not `San`."""
    for customer in ("Northwind", "李娜", "サン"):
        _set(repo / example.insight, "customer", customer)
        _append(repo / example.essay, "The north wind met Lina from design in San Francisco.")
        assert _problems(repo) == [], customer


def test_a_draft_made_before_the_sender_is_set_is_sent_with_the_headers_of_now(repo):
    """Every header is made at send time from notepress.yml; the draft keeps only the content."""
    config = repo / "notepress.yml"
    drafted = run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until", UNTIL)
    assert drafted.exit_code == 0, drafted.output
    refused = run_cli("-C", str(repo), "newsletter", "send", "1", "--dry-run")
    assert refused.exit_code == 1
    assert "notepress.yml: newsletter.sender: missing" in refused.output
    (repo / "team.csv").write_text("email,name\nbo@example.com,Bo Chen\ncy@example.com,\n", encoding="utf-8")
    with LocalSmtpServer() as server:
        config.write_text(config.read_text(encoding="utf-8") + (
            "\nnewsletter:\n  title: Payments notes\n  sender: Ana Li <ana@example.com>\n"
            "  reply_to: team@example.com\n  recipients_file: team.csv\n  list_id: notes.example.com\n"
            "  unsubscribe: https://example.com/unsubscribe\n"
            f"smtp:\n  host: 127.0.0.1\n  port: {server.port}\n  security: none\n"), encoding="utf-8")
        plan = run_cli("-C", str(repo), "newsletter", "send", "1", "--dry-run")
        assert plan.exit_code == 0, plan.output
        assert "  would send to Bo Chen <bo@example.com>: Payments notes #1: onboarding" in plan.output
        assert "  would send to cy@example.com: Payments notes #1: onboarding" in plan.output
        sent = run_cli("-C", str(repo), "newsletter", "send", "1")
        assert sent.exit_code == 0, sent.output
        assert sorted(r.rcpt_tos for r in server.received) == [("bo@example.com",), ("cy@example.com",)]
        with (repo / "team.csv").open("a", encoding="utf-8") as f:
            f.write("di@example.com,Di Wu\n")
        again = run_cli("-C", str(repo), "newsletter", "send", "1", "--dry-run")
        mail = next(r.message for r in server.received if r.rcpt_tos == ("bo@example.com",))
    assert mail["From"] == "Ana Li <ana@example.com>" and mail["Reply-To"] == "team@example.com"
    assert mail["To"] == "Bo Chen <bo@example.com>" and mail["Subject"] == "Payments notes #1: onboarding"
    assert mail["List-Id"] == '"Payments notes" <notes.example.com>'
    assert mail["List-Unsubscribe"] == "<https://example.com/unsubscribe>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert again.exit_code == 0, again.output
    assert "  would send to Di Wu <di@example.com>: Payments notes #1: onboarding" in again.output
    assert "  already served: bo@example.com" in again.output


def test_a_draft_right_after_a_send_says_there_is_nothing_new(repo):
    with LocalSmtpServer() as server:
        _mail_settings(repo, server)
        assert run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE).exit_code == 0
        assert run_cli("-C", str(repo), "newsletter", "send", "1").exit_code == 0
    result = run_cli("-C", str(repo), "newsletter", "draft")
    assert result.exit_code == 1
    assert f"nothing new to draft: issue #1 was sent for the period up to {TODAY}" in result.output
    assert "swap them" not in result.output


def test_the_newsletter_shows_a_next_step_done_as_done(repo, example):
    learning = repo / example.learning
    text = learning.read_text(encoding="utf-8").replace(
        "# next_step_done: YYYY-MM-DD", f"next_step_done: {_day(3)}  #")
    learning.write_text(text, encoding="utf-8")
    assert run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until", UNTIL).exit_code == 0
    email = " ".join(next((repo / "newsletters").rglob("email.txt")).read_text(encoding="utf-8").split())
    assert f"Next step (due {_value(learning, 'next_step_due')}, done {_day(3)}):" in email


def test_a_half_written_draft_is_left_out_with_a_warning_but_a_bad_audience_stays_an_error(repo):
    rel = f"posts/learning/{_day(3)}-half-written.md"
    draft = repo / rel
    draft.write_text(f"---\ntitle: Half written thoughts on pricing pages\ndate: {_day(3)}\ntype: learning\n"
                     "audience: public\ndraft: true\n---\n\nStill thinking about the pricing page redesign.\n",
                     encoding="utf-8")
    report = api.check(repo)
    assert report.errors == []
    assert [str(p) for p in report.warnings if p.path.endswith("half-written.md")] == [
        f"{rel}:1: warning: action: is missing; this draft is left out until it "
        "is fixed (add `action: ...` to the front matter)",
        f"{rel}:1: warning: learning: is missing; this draft is left out until "
        "it is fixed (add `learning: ...` to the front matter)"]
    assert run_cli("-C", str(repo), "build").exit_code == 0
    assert run_cli("-C", str(repo), "next").exit_code == 0

    draft.write_text(draft.read_text(encoding="utf-8").replace("audience: public", "audience: Public"),
                     encoding="utf-8")
    assert any(p.field == "audience" for p in api.check(repo).errors)


def test_a_public_entry_dated_later_is_scheduled_and_held_back_until_its_date(repo, engine):
    later = TODAY + dt.timedelta(days=10)
    (repo / "posts" / "essays" / f"{later}-coming-soon.md").write_text(
        f"---\ntitle: Pricing pages that explain themselves\ndate: {later}\ntype: essay\naudience: public\n---\n\n"
        "Seven things every pricing page should say before the sales call starts.\n", encoding="utf-8")
    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    assert f"scheduled, held back until their date: posts/essays/{later}-coming-soon.md ({later})" in result.output
    site_text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in (repo / "site").rglob("*")
                         if p.is_file() and p.suffix in (".html", ".xml", ".json"))
    assert "Pricing pages that explain themselves" not in site_text
    assert "coming-soon" not in site_text
    project = api.load(repo)
    assert f"{later}-coming-soon" in {e.slug for e in gate(project.entries, project.config, Reader.PUBLIC, today=later)}


def _png_image() -> bytes:
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_files_beside_a_public_entry_are_published_and_an_internal_entrys_never(repo, example, engine):
    from weasyprint import HTML

    image, internal = _png_image(), _png_image() + b"internal"
    pdf = HTML(string="<h1>The full report</h1>").write_pdf()
    (repo / "posts" / "essays" / "chart.png").write_bytes(image)
    (repo / "posts" / "essays" / "report.pdf").write_bytes(pdf)
    (repo / "posts" / "insights" / "setup-screen.png").write_bytes(internal)
    _append(repo / example.essay, "![A chart](chart.png)\n\nThe [full report](report.pdf).")
    _append(repo / example.insight, "![The settings screen](setup-screen.png)")
    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 0, result.output

    site = repo / "site"
    page = next(site.rglob("why-i-write-down-what-i-learn/index.html"))
    html = page.read_text(encoding="utf-8")
    for name in ("chart.png", "report.pdf"):  # the bytes served at the URL the page uses: the file as read
        published = attachments.read(repo / "posts" / "essays" / name)
        href = re.search(rf'(?:src|href)="([^"]*{re.escape(published.name)})"', html).group(1)
        assert (page.parent / href).resolve().read_bytes() == published.data
    assert not any(p.read_bytes() == internal for p in site.rglob("*") if p.is_file())

    copy = next(site.rglob("*.png")).parent / "renamed.bin"  # a copy of the internal image, renamed
    copy.write_bytes(internal)
    project = api.load(repo)
    published = {"posts/essays/chart.png", "posts/essays/report.pdf"}
    findings = audit_site(site, project.entries, project.config, published=published)
    assert [(f.kind, f.text) for f in findings] == [("file", "posts/insights/setup-screen.png")]


def test_a_missing_file_or_one_outside_the_repo_is_an_error_with_its_line(repo, example, tmp_path):
    (tmp_path / "outside.png").write_bytes(_png_image())
    missing = _append(repo / example.essay, "![A chart](charts/missing.png)")
    outside = _append(repo / example.essay,
                      f"![Outside]({os.path.relpath(tmp_path / 'outside.png', repo / 'posts' / 'essays')})")
    problems = _problems(repo)
    assert f"{example.essay}:{missing}: body: charts/missing.png: no such file beside the entry (put the file " \
           "there, or fix the path (relative to the entry, as your editor shows it))" in problems
    assert any(p.startswith(f"{example.essay}:{outside}: body: ") and "outside the writing repo" in p for p in problems)


def test_an_image_in_the_newsletter_travels_inline_and_the_web_preview_shows_it(repo, example):
    image = _png_image()
    (repo / "posts" / "learning" / "calls-chart.png").write_bytes(image)
    learning = repo / example.learning
    _set(learning, "audience", "internal")
    _set(learning, "learning", "Listening groups problems by the job: ![calls by step](calls-chart.png)")
    with LocalSmtpServer() as server:
        _mail_settings(repo, server)
        assert run_cli("-C", str(repo), "newsletter", "draft", "--since", SINCE, "--until",
                       UNTIL).exit_code == 0
        assert run_cli("-C", str(repo), "newsletter", "send", "1").exit_code == 0
        [received] = server.received
    message = received.message
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    [cid] = re.findall(r'src="cid:([^"]+)"', html)
    [part] = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert part["Content-ID"] == f"<{cid}>" and part.get_content() == image
    assert "calls-chart.png" not in html.replace(part.get_filename() or "", "")  # no local path a client cannot load
    folder = next((repo / "newsletters").iterdir())
    preview = (folder / "index.html").read_text(encoding="utf-8")
    [src] = re.findall(r'<img[^>]*src="([^"]+)"', preview)
    assert (folder / src).read_bytes() == image
