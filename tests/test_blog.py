"""Blog generation: public entries -> Material posts in .notepress/docs/blog/posts/ (the folder the
engine builds from, outside docs/), and nothing else.

Runs api.generate_blog on a copy of tests/fixtures/repos/blog (never a real site build). The expected
posts are golden files in tests/fixtures/golden/blog/.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, snapshot
from notepress import api
from notepress.blog import excerpt, generate, readable_date
from notepress.model import Entry, Loop
from notepress.problems import NotepressError
from notepress.screen import screen_public

GOLDEN = FIXTURES / "golden" / "blog"
CARD = r"attachments/[0-9a-f]{20}\.png"  # a share card, named by its bytes (which the installed fonts draw)
PUBLIC_POSTS = ["pricing-page-test.md", "why-small-tests.md"]
OWNED = (".notepress", "docs", "blog", "posts")


CHANGED = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.timezone.utc)  # outside git: a post's update date is its file time


@pytest.fixture
def repo(copy_repo):
    root = copy_repo("blog")
    for path in (root / "posts").rglob("*.md"):
        os.utime(path, (CHANGED.timestamp(), CHANGED.timestamp()))
    return root


def posts_dir(repo):
    return repo.joinpath(*OWNED)


def split_post(text: str) -> tuple[dict, str]:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    assert match, text[:200]
    return yaml.safe_load(match[1]), match[2]


def stats(folder):
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}


def test_only_public_non_draft_entries_become_posts(repo):
    _, generated = api.generate_blog(repo)

    out = posts_dir(repo)
    assert sorted(p.name for p in out.iterdir()) == [".authors.yml", ".gitignore", "attachments", "avatars",
                                                     *PUBLIC_POSTS]
    assert [p.name for p in (out / "avatars").iterdir()] == ["ana.svg"]  # the author's initials badge
    assert len(list((out / "attachments").glob("*.png"))) == len(PUBLIC_POSTS)  # a share card per post
    assert sorted(p.name for p in generated.written) == PUBLIC_POSTS
    assert all(p.parent == out for p in generated.written)
    assert (generated.unchanged, generated.removed) == (0, [])


@pytest.mark.parametrize("name", PUBLIC_POSTS)
def test_posts_match_the_golden_files(name, repo):
    api.generate_blog(repo)

    written = posts_dir(repo).joinpath(name).read_text(encoding="utf-8")
    assert re.sub(CARD, "attachments/CARD.png", written) == GOLDEN.joinpath(name).read_text(encoding="utf-8")


def test_front_matter_has_the_material_fields_and_there_is_no_h1(repo):
    api.generate_blog(repo)

    learning, learning_body = split_post((posts_dir(repo) / "pricing-page-test.md").read_text(encoding="utf-8"))
    essay, essay_body = split_post((posts_dir(repo) / "why-small-tests.md").read_text(encoding="utf-8"))

    assert learning == {
        "title": "Testing the pricing page headline", "date": {"created": dt.date(2026, 3, 2), "updated": dt.date(2026, 3, 20)}, "slug": "pricing-page-test",
        "authors": ["ana"],  # the first author in notepress.yml signs posts that name none
        "categories": ["Learning log"], "tags": ["pricing", "experiments"], "readtime": 1,
        "share": {"title": "Testing the pricing page headline", "card": "summary_large_image",
                  "description": "Visitors read the headline, not the comparison table.",  # no summary: what was learned
                  "url": "https://example.test/notes/blog/2026/03/02/pricing-page-test/",
                  "image": learning["share"]["image"]},
    }
    assert essay == {
        "title": "Why small tests win", "date": {"created": dt.date(2026, 3, 1), "updated": dt.date(2026, 3, 20)}, "slug": "why-small-tests",
        "authors": ["ana"], "categories": ["Essays"], "tags": ["experiments"],
        "description": "Small, reversible tests teach more per week than big launches.", "readtime": 1,
        "share": {"title": "Why small tests win", "card": "summary_large_image",
                  "description": "Small, reversible tests teach more per week than big launches.",
                  "url": "https://example.test/notes/blog/2026/03/01/why-small-tests/",
                  "image": essay["share"]["image"]},
    }
    for meta in (learning, essay):  # no image of their own: their share cards, published beside the posts
        assert re.fullmatch(r"https://example\.test/notes/blog/" + CARD, meta["share"]["image"])
        assert (posts_dir(repo) / "attachments" / meta["share"]["image"].rsplit("/", 1)[1]).is_file()
    for body in (learning_body, essay_body):
        assert not re.search(r"^#\s", body, re.MULTILINE)  # the title lives in front matter only
        assert not re.search(r"^(=+|-+)\s*$", body, re.MULTILINE)  # no setext heading either
        assert body.count("<!-- more -->") == 1


def test_the_learning_loop_block(repo):
    api.generate_blog(repo)

    text = (posts_dir(repo) / "pricing-page-test.md").read_text(encoding="utf-8")
    _, body = split_post(text)

    assert '!!! abstract "Learning loop"' in body
    loop = body.split('!!! abstract "Learning loop"', 1)[1].split("\n\n\n", 1)[0]
    items = re.findall(r"^    \*\*(.+?)\*\*\n    :   (.+)$", loop, re.MULTILINE)
    assert items == [
        ("Action", "Rewrote the pricing page headline and ran it for two weeks."),
        ("Outcome", "Trial starts rose from 210 to 240."),
        ("What I learned", "Visitors read the headline, not the comparison table."),
        ("Next step", "Test the plan names next. *(due Mar 16, 2026)*"),  # readable on a phone
        ("Competencies", "execution, business acumen"),
    ]
    # the excerpt comes first, then the loop
    assert body.index("I changed one sentence") < body.index("<!-- more -->") < body.index("Learning loop")


def test_entry_links_are_rewritten_to_post_files(repo):
    api.generate_blog(repo)

    _, body = split_post((posts_dir(repo) / "pricing-page-test.md").read_text(encoding="utf-8"))

    assert "See [Why small tests win](why-small-tests.md) for why" in body
    assert "[my essay on small tests](why-small-tests.md)" in body
    assert "[the short version](why-small-tests.md)" in body
    assert "[[why-small-tests" not in body and "../essays/" not in body
    assert "[[not-a-link]] stays as written inside code." in body  # code is left alone


def test_a_second_run_writes_nothing(repo):
    api.generate_blog(repo)
    before = stats(posts_dir(repo))

    _, again = api.generate_blog(repo)

    assert again.written == []
    assert (again.unchanged, again.removed) == (2, [])
    assert stats(posts_dir(repo)) == before


def test_an_entry_that_leaves_the_public_set_loses_its_post(repo):
    api.generate_blog(repo)
    source = repo / "posts" / "learning" / "2026-03-02-pricing-page-test.md"
    source.write_text(source.read_text(encoding="utf-8").replace("audience: public", "audience: private"),
                      encoding="utf-8")
    kept = posts_dir(repo) / "why-small-tests.md"
    assert "pricing-page-test" in kept.read_text(encoding="utf-8")  # under "Linked from"

    _, generated = api.generate_blog(repo)

    assert generated.removed == [posts_dir(repo) / "pricing-page-test.md"]
    # the post that stays is rewritten: its backlink to the now private entry must go too
    assert generated.written == [kept]
    assert "pricing-page-test" not in kept.read_text(encoding="utf-8")
    assert "Testing the pricing page headline" not in kept.read_text(encoding="utf-8")
    assert sorted(p.name for p in posts_dir(repo).glob("*.md")) == ["why-small-tests.md"]


def test_a_foreign_file_in_the_owned_folder_is_an_error_and_is_kept(repo):
    api.generate_blog(repo)
    foreign = posts_dir(repo) / "my-notes.md"
    foreign.write_text("# My notes\n\nWritten by hand.\n", encoding="utf-8")
    source = repo / "posts" / "learning" / "2026-03-02-pricing-page-test.md"
    source.write_text(source.read_text(encoding="utf-8").replace("audience: public", "audience: private"),
                      encoding="utf-8")
    before = snapshot(posts_dir(repo))

    with pytest.raises(NotepressError) as raised:
        api.generate_blog(repo)

    assert str(raised.value) == (
        ".notepress/docs/blog/posts/my-notes.md:1: is in the folder notepress generates, but notepress did not write it "
        "(move it to posts/ (with front matter) or delete it)")
    assert foreign.read_text(encoding="utf-8") == "# My notes\n\nWritten by hand.\n"
    assert snapshot(posts_dir(repo)) == before  # nothing written, nothing pruned


def test_sources_are_byte_for_byte_unchanged(repo):
    before = snapshot(repo / "posts")

    api.generate_blog(repo)
    api.generate_blog(repo, drafts=True)
    api.generate_blog(repo)

    assert snapshot(repo / "posts") == before


def test_nothing_outside_the_owned_folder_changes(repo):
    owned = repo / ".notepress"
    before = snapshot(repo, skip=owned)
    folders = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_dir())

    api.generate_blog(repo)
    api.generate_blog(repo, drafts=True)

    assert snapshot(repo, skip=owned) == before
    folders_after = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_dir())
    generated = [f".notepress/{kind}{sub}" for kind in ("docs", "preview") for sub in (
        "", "/blog", "/blog/posts", "/blog/posts/attachments", "/blog/posts/avatars")]
    assert folders_after == sorted([*folders, ".notepress", *generated])


def test_drafts_only_when_asked_and_then_marked(repo):
    """Drafts go to the preview's own folder, never to the one a build reads."""
    preview = repo / ".notepress" / "preview" / "blog" / "posts"
    draft_post = preview / "2026-03-05-half-finished-thoughts.md"

    api.generate_blog(repo)
    assert not draft_post.exists()

    _, with_drafts = api.generate_blog(repo, drafts=True)
    meta, _ = split_post(draft_post.read_text(encoding="utf-8"))
    assert sorted(p.name for p in with_drafts.written) == sorted([*PUBLIC_POSTS, draft_post.name])
    assert meta["draft"] is True and meta["title"] == "Half-finished thoughts on onboarding"
    for name in PUBLIC_POSTS:
        assert "draft" not in split_post((preview / name).read_text(encoding="utf-8"))[0]
    # internal, private and audience-less entries are never posts, drafts or not
    assert sorted(p.name for p in preview.glob("*.md")) == sorted([*PUBLIC_POSTS, draft_post.name])
    assert sorted(p.name for p in posts_dir(repo).glob("*.md")) == PUBLIC_POSTS  # the build's: no draft

    _, without = api.generate_blog(repo)
    assert without.removed == [] and not (posts_dir(repo) / draft_post.name).exists()


def test_a_gate_failure_writes_nothing(copy_repo):
    repo = copy_repo("leaks")

    with pytest.raises(NotepressError) as raised:
        api.generate_blog(repo)

    assert str(raised.value).splitlines() == (repo / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert not (repo / "docs").exists()


def test_redacted_posts_carry_no_confidential_term(copy_repo):
    repo = copy_repo("leaks")

    api.generate_blog(repo, redact=True)

    out = posts_dir(repo)
    assert sorted(p.name for p in out.glob("*.md")) == ["clean-essay.md", "leaky-learning.md"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in out.iterdir()).casefold()
    for term in ("zephyr analytics", "quillfeather mills", "quillfeather-mills", "project heron",
                 "müller bäckerei"):
        assert term not in text
    meta, _ = split_post((out / "leaky-learning.md").read_text(encoding="utf-8"))
    assert meta["title"] == "What a partner taught me"


def _entry(body: str, summary: str = "") -> Entry:
    return Entry(path=Path("/x/posts/essays/e.md"), source="posts/essays/e.md", slug="e", type="essay", title="E",
                 date=dt.date(2026, 11, 30), audience="public", draft=False, body=body, body_line=5, summary=summary)


@pytest.mark.parametrize("body, summary, lead, rest", [
    # the summary when there is one; the body follows, whole
    ("First.\n\nSecond.", "The gist.", "The gist.", "First.\n\nSecond."),
    # a first paragraph repeating the summary is not shown twice
    ("The  gist.\n\nSecond.", "The gist.", "The gist.", "Second."),
    # with a summary, the writer's marker goes: the summary is the excerpt
    ("Above.\n\n<!-- more -->\n\nBelow.", "The gist.", "The gist.", "Above.\n\nBelow."),
    ("The gist.\n\n<!-- more -->\n\nBelow.", "The gist.", "The gist.", "Below."),
    # no summary: the text above the writer's marker, else the first paragraph
    ("Above.\n\nStill above.\n\n<!-- more -->\n\nBelow.", "", "Above.\n\nStill above.", "Below."),
    ("First.\n\nSecond.", "", "First.", "Second."),
])
def test_one_excerpt_rule(body, summary, lead, rest):
    assert excerpt(_entry(body, summary), lambda text: text) == (lead, rest)


def test_dates_in_the_learning_loop_read_on_a_phone():
    assert readable_date(dt.date(2026, 11, 30)) == "Nov 30, 2026"
    loop = Loop(next_step_due=dt.date(2026, 3, 16), next_step_done=dt.date(2026, 3, 9))
    assert loop.step_state_as(readable_date, "; ") == "due Mar 16, 2026; done Mar 9, 2026"
    assert loop.step_state == "due 2026-03-16, done 2026-03-09"  # the newsletter's form is unchanged


# --- an insight's quote links as the body does ---------------------------------------------------

def quote_line(repo) -> str:
    _, body = split_post((posts_dir(repo) / "heard-on-a-call.md").read_text(encoding="utf-8"))
    return next(line.strip() for line in body.splitlines() if "Seven of us" in line)


def test_a_quote_links_a_public_entry_like_the_body(copy_repo):
    repo = copy_repo("quote-links")

    api.generate_blog(repo)

    assert quote_line(repo) == (":   “Seven of us hit the same bug once each; read "
                                "[Why we count customers](counting-customers.md) before you rank tickets.”")


def test_a_quote_the_writer_put_in_quote_marks_is_quoted_once(copy_repo):
    repo = copy_repo("quote-links")
    entry = repo / "posts" / "insights" / "heard-on-a-call.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace('quote: "Seven of us', "quote: '“Seven of us").replace("tickets.\"", "tickets.”'"),
                     encoding="utf-8")

    api.generate_blog(repo)

    assert quote_line(repo) == (":   “Seven of us hit the same bug once each; read "
                                "[Why we count customers](counting-customers.md) before you rank tickets.”")


def test_a_quote_linking_a_non_public_entry_stops_the_build(copy_repo):
    repo = copy_repo("quote-links")
    insight = repo / "posts" / "insights" / "heard-on-a-call.md"
    insight.write_text(insight.read_text(encoding="utf-8").replace("[[counting-customers]]", "[[roadmap-notes]]"),
                       encoding="utf-8")

    with pytest.raises(NotepressError) as raised:
        api.generate_blog(repo)

    assert str(raised.value).splitlines() == [
        "posts/insights/heard-on-a-call.md:10: quote: link [[roadmap-notes]] points to posts/essays/roadmap-notes.md, "
        "which is not public (audience: internal) (remove the link, or make that entry public)"]
    assert not posts_dir(repo).exists()


def test_the_blog_itself_never_links_a_non_public_entry_from_a_quote(copy_repo):
    """Even handed a view whose problems were ignored, the post names the slug as written: no link, no title."""
    repo = copy_repo("quote-links")
    insight = repo / "posts" / "insights" / "heard-on-a-call.md"
    insight.write_text(insight.read_text(encoding="utf-8").replace("[[counting-customers]]", "[[roadmap-notes]]"),
                       encoding="utf-8")
    project = api.load(repo)
    screened = screen_public(project.entries, project.config)
    assert screened.problems  # the build stops here (above); the blog must not rely on it

    generate(screened.view)

    assert quote_line(repo) == ":   “Seven of us hit the same bug once each; read roadmap-notes before you rank tickets.”"
    assert "Roadmap notes" not in (posts_dir(repo) / "heard-on-a-call.md").read_text(encoding="utf-8")
