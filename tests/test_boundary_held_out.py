"""The audience boundary around the entries a build goes on without (issue 21's held-out entries).

A build now goes on when a private or internal entry has errors (entries.HeldOut, Project.build_report).
What could be read of such an entry must still keep its customer's names off the site, and nothing
of it (slug, title, text, files) may reach a public page by the new routes: "carried over to <later
entry>", links, a shared slug, attachments, docs/ pages, an audience line YAML reads otherwise than
the writer meant. From `notepress init`, real files, in-process builds (MkDocs: the routes are the
engine's input, which both engines share; a refusal costs no engine run).

The tests under 'leaks found by hand' failed until the leaks they name were fixed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from e2e_helpers import TODAY, output, run_cli

CUSTOMER, WORD, CONTACT = "Zanzibarco Holdings", "Zanzibarco", "Quentin Marlowe"
SECRET = "secret-plumtree-plan"  # the slug of a private entry with an error
SECRET_TITLE = "Plumtree pricing plan"
SECRET_TEXT = "The quarterly plumtree negotiation with procurement stalled on the discount."
INSIGHT = "posts/insights/zanzibarco-call.md"
ESSAY = "posts/essays/a-public-essay.md"


def day(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


def front(fields: dict[str, str | None], body: str = "") -> str:
    """An entry's text: `fields` as written (raw YAML values; None leaves the key out), then the body."""
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None) + f"---\n\n{body}\n"


def insight(**change: str | None) -> str:
    """A private insight about CUSTOMER and CONTACT; `change` sets or (None) removes fields."""
    fields = {"title": "Setup call", "date": day(-5), "type": "insight", "audience": "private",
              "customer": CUSTOMER, "contacts": f"[{CONTACT}]", "source": "call", "themes": "[setup]"}
    return front({**fields, **change}, SECRET_TEXT)


def learning(slug: str, title: str, **change: str | None) -> str:
    fields = {"title": title, "date": day(-4), "type": "learning", "audience": "public", "slug": slug,
              "competencies": "[execution]", "action": "Asked for the numbers.", "outcome": "They came late.",
              "learning": "Ask earlier.", "next_step": "Ask again next week."}
    return front({**fields, **change}, f"Public words of {title.lower()}.")


def broken_private(slug: str = SECRET, **change: str | None) -> str:
    """A private learning entry with an error (its step is due before its date): held out, the build goes on."""
    fields = {"audience": "private", "date": day(-1), "next_step_due": day(-3), "action": SECRET_TEXT, **change}
    return learning(slug, SECRET_TITLE, **fields).replace(f"Public words of {SECRET_TITLE.lower()}.", SECRET_TEXT)


def essay(body: str, **change: str | None) -> str:
    fields = {"title": "A public essay", "date": day(-2), "type": "essay", "audience": "public",
              "slug": "a-public-essay"}
    return front({**fields, **change}, body)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")


def build(root: Path):
    return run_cli("-C", str(root), "build", "--engine", "mkdocs")


def published(root: Path, *words: str) -> list[str]:
    """The files of site/ holding any of `words` (case folded); [] when there is no site."""
    found = []
    for path in sorted(p for p in (root / "site").rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace").casefold()
        found += [f"{path.relative_to(root).as_posix()}: {w}" for w in words if w.casefold() in text]
    return found


def refused(root: Path, result, *named: str) -> None:
    """The build refused (exit 1), naming each of `named` on stderr, and wrote no site."""
    assert result.exit_code == 1, output(result)
    for what in named:
        assert what in result.stderr, result.stderr
    assert not (root / "site").exists()


# -- leaks found by hand (fixed) -----------------------------------------------------------------------------

def test_a_draft_insight_whose_names_cannot_be_read_keeps_them_off_the_site(init_copy):
    """Found by hand: a draft's errors were warnings (so that it does not block the rest), even when they
    made its names unreadable, which then were in no confidential list: now such a draft stops a build."""
    write(init_copy, {INSIGHT: insight(draft="true", customer=f"[{CUSTOMER}]"),  # a list: must be text
                      "posts/insights/misspelt.md": insight(draft="true", type="insigth", customer="Ostravia Mills",
                                                            contacts="[Ilse Brandvold]"),
                      ESSAY: essay(f"We spoke with {WORD}, {CONTACT}, Ostravia and Ilse Brandvold last week.")})

    result = build(init_copy)

    assert published(init_copy, WORD, CONTACT, "Ostravia", "Brandvold") == []
    assert result.exit_code == 1, output(result)


def test_a_docs_page_never_links_a_non_public_entry(init_copy):
    """Found by hand (before this session too): screen.page checked a docs page's includes only, so the
    page was published with a dead link holding the private entry's file name."""
    write(init_copy, {"posts/learning/plumtree-pricing.md": broken_private("q4-notes", next_step_due=None),
                      "docs/about.md": "# About\n\nSee [my notes](../posts/learning/plumtree-pricing.md).\n"})

    checked = run_cli("-C", str(init_copy), "check")  # what a build refuses (a build would cost an engine run)

    assert checked.exit_code == 1, output(checked)
    assert "docs/about.md:3: " in checked.stderr


def test_a_customer_written_on_a_private_essay_stops_the_build_until_the_writer_says_what_it_is(init_copy):
    """Found by hand (before this session too): `customer:` on an essay was only a warning ('an insight
    field'), and its name was never confidential, so a public page could print it. Now it is an error
    that makes the essay's names unreadable to the boundary: the build stops until it is fixed."""
    write(init_copy, {"posts/essays/call-notes.md": front(
        {"title": "Call notes", "date": day(-5), "type": "essay", "audience": "private", "customer": CUSTOMER},
        SECRET_TEXT), ESSAY: essay(f"We spoke with {WORD} last week.")})

    checked = run_cli("-C", str(init_copy), "check")
    result = build(init_copy)

    assert checked.exit_code == 1, output(checked)
    assert ("posts/essays/call-notes.md:6: customer: names a customer on an essay entry, but only an insight's names "
            "are kept off public pages (set `type: insight`, or move the name into an insight)") in checked.stderr
    assert result.exit_code == 1 and published(init_copy, WORD) == []


# -- routes found safe ---------------------------------------------------------------------------------------

def test_a_build_going_on_without_held_out_entries_publishes_nothing_of_them(init_copy):
    """One build: public steps carried over (by the field and by the old comment) to a broken private entry,
    a public draft and a scheduled post, each "carried over to a later entry", none named or linked; and
    entries YAML reads as private although a word says public (no `audience` key but `audience\\u00a0`, a
    second document) are left out with the rest."""
    later = {"draft-later": ("Drafted later", {"draft": "true"}), "scheduled-later": ("Scheduled later",
                                                                                    {"date": day(20)})}
    write(init_copy, {
        "posts/learning/secret.md": broken_private(),
        **{f"posts/learning/{slug}.md": learning(slug, title, **change) for slug, (title, change) in later.items()},
        "posts/learning/to-secret.md": learning("to-secret", "To secret", next_step_carried=SECRET),
        "posts/learning/to-draft.md": learning("to-draft", "To draft", next_step_carried="draft-later"),
        "posts/learning/to-scheduled.md": learning("to-scheduled", "To scheduled", next_step_carried="scheduled-later"),
        "posts/learning/old-comment.md": learning("old-comment", "Old comment", next_step_done=f"{day(-1)}  "
                                                  f"# carried over to [[{SECRET}]]"),
        "posts/learning/nbsp-key.md": broken_private("nbsp-key-plumtree").replace(
            "audience: private", "audience\u00a0: public"),
        "posts/learning/two-docs.md": broken_private("two-docs-plumtree").replace(
            "\n---\n\n", "\n---\naudience: public\n---\n\n", 1),
    })

    result = build(init_copy)

    assert result.exit_code == 0, output(result)
    assert "the build goes on without this private entry" in result.stderr
    for slug in ("to-secret", "to-draft", "to-scheduled", "old-comment"):
        page = next((init_copy / "site/blog").rglob(f"{slug}/index.html")).read_text(encoding="utf-8")
        assert "carried over to a later entry)" in page, slug
    assert published(init_copy, "plumtree", "procurement", SECRET_TITLE, "Drafted later", "draft-later",
                     "Scheduled later", "scheduled-later") == []


def test_a_broken_entry_with_a_public_entry_s_slug_never_builds(init_copy):
    """Not reported as a shared slug (it is held out before slugs are compared): the audit finds its slug.
    (A private one takes the same path.)"""
    write(init_copy, {"posts/learning/secret.md": broken_private("a-public-essay", audience="internal"),
                      ESSAY: essay("Only public words here.")})

    result = build(init_copy)

    refused(init_copy, result, "posts/learning/secret.md")


@pytest.mark.parametrize("files, named", [
    ({"posts/learning/secret.md": broken_private(), ESSAY: essay(f"See [[{SECRET}]].")},
     f"{ESSAY}:9: body: link [[{SECRET}]]"),
    ({"posts/learning/secret.md": broken_private(), ESSAY: essay("See [it](../learning/secret.md).")},
     f"{ESSAY}:9: body: link ../learning/secret.md"),
    ({INSIGHT: insight(importance="9"), ESSAY: essay(f"Thanks to {CONTACT}.")},
     f'{ESSAY}:9: body: "{CONTACT}" is a contact of the customer "{CUSTOMER}"'),
    ({INSIGHT: insight(importance="9", draft="true"), ESSAY: essay(f"We spoke with {WORD}.")},
     f'{ESSAY}:9: body: "{WORD}" is a word of the customer "{CUSTOMER}"'),
    ({INSIGHT: insight(date=day(400)), ESSAY: essay(f"We spoke with {WORD}.")},
     f'{ESSAY}:9: body: "{WORD}" is a word of the customer "{CUSTOMER}"'),
    ({INSIGHT: insight(importance="9"), ESSAY: essay(f"A public essay about {WORD}.", title=f"Why {WORD}")},
     f'{ESSAY}:2: title: "{WORD}" is a word of the customer "{CUSTOMER}"'),
    ({INSIGHT: insight(importance="9"), "posts/insights/notes.txt": f"Call notes: {WORD} wants it.\n",
      ESSAY: essay("See [the notes](../insights/notes.txt).")},
     f'{ESSAY}:9: body: ../insights/notes.txt: "{WORD}" is a word of the customer "{CUSTOMER}" in the file'),
    ({INSIGHT: insight(importance="9"), "docs/about.md": f"# About\n\nWe work with {WORD}.\n"},
     f'docs/about.md:3: markdown: "{WORD}" is a word of the customer "{CUSTOMER}"'),
], ids=["wiki-link", "file-link", "contact", "draft-insight", "insight-a-year-ahead", "title", "attachment",
        "docs-page"])
def test_a_public_page_naming_or_linking_a_held_out_entry_is_refused(init_copy, files, named):
    write(init_copy, files)

    refused(init_copy, build(init_copy), named)


# A broken private entry's text -> the same with an audience line that says public in some form: YAML reads
# it as public, or as a value notepress does not know (an audience not known stops the build too).
AUDIENCE_SAYS_PUBLIC = {
    "trailing-space": lambda text: text.replace("audience: private", 'audience: "public "'),
    "twice": lambda text: text.replace("audience: private", "audience: private\naudience: public"),
    "comment": lambda text: text.replace("audience: private", "audience: public  #private"),
    "zero-width": lambda text: text.replace("audience: private", "audience: pub\u200blic"),
    "tag": lambda text: text.replace("audience: private", "audience: !!str public"),
    "crlf": lambda text: text.replace("audience: private", "audience: public").replace("\n", "\r\n"),
    "bom": lambda text: "\ufeff" + text.replace("audience: private", "audience: public"),
}


@pytest.mark.parametrize("how", AUDIENCE_SAYS_PUBLIC)
def test_a_broken_entry_whose_audience_line_says_public_stops_the_build(init_copy, how):
    write(init_copy, {"posts/learning/secret.md": AUDIENCE_SAYS_PUBLIC[how](broken_private())})

    refused(init_copy, build(init_copy), "posts/learning/secret.md:")


def test_a_new_insight_not_yet_written_holds_up_nothing_and_names_nobody(init_copy):
    """`notepress new insight` writes `customer: ""`: an error, but one that names nobody, so the build
    goes on without the internal insight (a warning) instead of refusing for an audience not known."""
    made = run_cli("-C", str(init_copy), "new", "insight", "Heard on a call")
    assert made.exit_code == 0, output(made)

    result = build(init_copy)

    assert result.exit_code == 0, output(result)
    assert "warning: customer:" in output(result) and "Heard on a call" not in "".join(
        p.read_text(errors="replace") for p in (init_copy / "site").rglob("*.html"))
