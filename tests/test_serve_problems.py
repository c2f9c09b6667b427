"""`notepress serve` in a new user's first week: it starts with entries that have errors, lists every
problem in a panel at the top of each page until the entry is fixed (in Chromium too, at a desktop's
and a phone's width), marks drafts and scheduled posts, prints where to look, and takes --redact; a
build shows none of it. The servers here run as real processes on a free loopback port, from a repo
made by `notepress init`; waits poll with a timeout."""

from __future__ import annotations

import datetime as dt
import html
import os
import sys
from pathlib import Path

import pytest

from conftest import lines
from e2e_helpers import CHROMIUM, SPACE, TAG, TODAY, axe_violations, init_entry, norm, resize, run_cli, screenshot, site_texts
from notepress import api, panel
from notepress.problems import Problem
from test_serve import fetch, start_notepress_serve, stop, wait_for

LEARNING_TITLE = "Five support calls in one week"
CUSTOMER = "Harborview Outfitters"  # the init repo's insight is about this customer
ESSAY_DAY = TODAY + dt.timedelta(days=1)  # scheduled for tomorrow: the preview shows it already
ESSAY = f"posts/essays/{ESSAY_DAY}-what-a-setup-call-taught-me.md"
ESSAY_TEXT = f"""---
title: What a setup call taught me
date: {ESSAY_DAY}
type: essay
audience: public
slug: what-a-setup-call-taught-me
---
A call with {CUSTOMER} showed me where our setup loses people.

<!-- more -->

The rest: four screens, one call each.
"""
ESSAY_URL = f"blog/{ESSAY_DAY:%Y/%m/%d}/what-a-setup-call-taught-me/"
SCHEDULED_DAY = TODAY + dt.timedelta(days=11)  # a public post the build holds back until that day
SCHEDULED_TITLE = "What the pilot will show"
SCHEDULED = (f"posts/essays/{SCHEDULED_DAY}-what-the-pilot-will-show.md", f"""---
title: {SCHEDULED_TITLE}
date: {SCHEDULED_DAY}
type: essay
audience: public
slug: what-the-pilot-will-show
---
The pilot starts next week; here is what I expect it to show.
""")
SCHEDULED_URL = f"blog/{SCHEDULED_DAY:%Y/%m/%d}/what-the-pilot-will-show/"
SCHEDULED_MARK = f"Scheduled: publishes on {SCHEDULED_DAY}"
DRAFT_TITLE = "Half an essay on pricing"
DRAFT = (f"posts/essays/{TODAY - dt.timedelta(days=3)}-half-an-essay.md",
         f"---\ntitle: {DRAFT_TITLE}\ndate: {TODAY - dt.timedelta(days=3)}\ntype: essay\naudience: public\n"
         "draft: true\n---\nNot ready yet.\n")
TIMEOUT = 30.0  # seconds at most for the server to start, or to rebuild after a save (polled: a pass is quick)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "notes"
    result = run_cli("init", str(root))
    assert result.exit_code == 0, result.output
    return root


def broken(root: Path) -> str:
    """The problem break_entry makes, as `check` prints it."""
    return (f"{init_entry(root, 'learning')}:4: type: 'lesson' is not one of learning, insight, essay, goal "
            "(use one of learning, insight, essay, goal)")


def break_entry(root: Path) -> str:
    """Give init's learning entry an unknown type; returns its text as it was."""
    path = root / init_entry(root, "learning")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("type: learning", "type: lesson", 1), encoding="utf-8")
    return text


@pytest.fixture
def serve(tmp_path, engine):
    """Start `notepress serve` on a free port as its own process; returns (base URL, stdout path)."""
    procs = []

    def start(root: Path, *args: str) -> tuple[str, Path]:
        out = tmp_path / f"serve-{len(procs)}.out"
        proc, base = start_notepress_serve(root, out, "--engine", engine, *args)
        procs.append(proc)
        wait_for(lambda: "<html" in fetch(base), timeout=TIMEOUT, what=f"serve to start ({out})")
        return base, out

    yield start
    for proc in procs:
        stop(proc, wait=False)


def shown(page: str) -> str:
    """A served page's text as a reader reads it (tags removed, entities undone, single-spaced)."""
    return SPACE.sub(" ", html.unescape(TAG.sub("", page)))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"), reason=f"{CHROMIUM} is not installed")
def test_serve_starts_with_a_broken_entry_shows_the_problem_never_builds_it_until_it_is_fixed(
        repo, serve, engine, tab, tmp_path):
    """The preview of a repo with a broken entry, a scheduled post and a draft: the problem in a panel
    on every page, each post marked; in Chromium at both widths; and a build has none of it."""
    good, learning, problem = break_entry(repo), repo / init_entry(repo, "learning"), broken(repo)
    for path, text in (SCHEDULED, DRAFT):
        (repo / path).write_text(text, encoding="utf-8")

    base, out = serve(repo)

    assert lines(out.read_text())[0] == f"Preview at {base} (drafts shown; Ctrl+C to stop)"
    for page in ("", "blog/", "blog/category/essays/", SCHEDULED_URL):  # every page, not just the one being edited
        assert problem in shown(fetch(base + page)), page
    listing = fetch(base + "blog/")
    assert LEARNING_TITLE not in listing  # the broken entry is left out…
    assert "Why I write down what I learn" in listing  # …the valid ones are shown
    for page in (listing, fetch(base)):  # the blog and the home page's latest posts mark both
        assert SCHEDULED_TITLE in page and SCHEDULED_MARK in shown(page)
        assert DRAFT_TITLE in page and 'class="md-draft"' in page
    assert SCHEDULED_MARK in shown(fetch(base + SCHEDULED_URL))  # and so does the post's own page
    assert problem in out.read_text()  # and the terminal says it too
    look_in_chromium(tab, base, tmp_path)

    result = run_cli("-C", str(repo), "build", "--engine", engine)  # what the preview shows is never built
    assert result.exit_code == 1
    assert lines(result.stderr)[-2:] == [problem, "notepress: 1 problem (fix it and run again)"]
    assert not (repo / "site").exists()

    learning.write_text(good, encoding="utf-8")

    wait_for(lambda: "notepress-problems" not in fetch(base + "blog/"), timeout=TIMEOUT, what="the panel to go")
    # Zensical's server may answer 404 for a page it is writing again a moment later: asked until it answers
    wait_for(lambda: LEARNING_TITLE in fetch(base + "blog/"), timeout=TIMEOUT, what="the fixed entry in the blog")
    wait_for(lambda: "notepress-problems" not in fetch(base), timeout=TIMEOUT, what="the panel to go from home")
    assert not (repo / "site").exists()  # the preview never writes into site/

    result = run_cli("-C", str(repo), "build", "--engine", engine)
    assert result.exit_code == 0, result.output
    site = site_texts(repo / "site")
    assert LEARNING_TITLE.casefold() in site["blog/index.html"]
    for trace in ("notepress-problems", "Scheduled: publishes", "Shown in the preview only", SCHEDULED_TITLE,
                  "what-the-pilot-will-show", DRAFT_TITLE, "half-an-essay"):
        assert not [path for path, text in site.items() if norm(trace) in text], trace
    assert not [p for p in (repo / "site").rglob("*.html") if 'class="md-draft"' in p.read_text(encoding="utf-8")]


def look_in_chromium(page, base: str, shots: Path) -> None:
    """The blog's listing (a scheduled post, a draft, the problems panel) at a desktop's and a phone's
    width: the panel first on the page, above the header, inside the window, nothing wider than it;
    axe-core finds nothing serious at the phone's width. Screenshots with NOTEPRESS_TEST_SCREENSHOTS."""
    page.goto(base + "blog/")  # once: the page is laid out again at each width (the session's page
    for width in (1280, 390):  # may come at another: measured once Material's transitions have ended)
        resize(page, width)
        screenshot(page, shots / f"listing-{width}.png")
        box, header = (page.locator(s).first.bounding_box() for s in ("#notepress-problems", ".md-header"))
        assert page.get_by_role("heading", name="notepress: 1 problem").is_visible()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width, (width, box)
        assert 0 <= box["y"] and box["y"] + box["height"] <= header["y"], (width, box, header)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.get_by_text(SCHEDULED_MARK).first.is_visible()
    violations = axe_violations(page)
    assert [f"{v['id']} at {v['nodes'][0]['target']}: {v['help']}" for v in violations
            if v["impact"] in ("serious", "critical")] == []


def test_serve_redact_replaces_a_confidential_term(repo, serve):
    (repo / ESSAY).write_text(ESSAY_TEXT, encoding="utf-8")

    base, _ = serve(repo, "--redact")

    for page in ("blog/", ESSAY_URL):
        text = fetch(base + page)
        assert "A call with a customer showed me" in text, page
        assert CUSTOMER not in text, page
        assert "notepress-problems" not in text, page


def test_without_redact_a_confidential_term_is_a_problem_on_the_page(repo):
    """The same essay without --redact: the preview lists the term as a problem (library layer)."""
    (repo / ESSAY).write_text(ESSAY_TEXT, encoding="utf-8")

    shown = api.preview_blog(repo)

    assert [p.path for p in shown.problems] == [ESSAY]
    assert CUSTOMER in str(shown.problems[0])
    assert api.preview_blog(repo, redact=True).problems == []


def test_preview_writes_the_valid_entries_and_returns_every_problem(repo):
    break_entry(repo)
    (repo / SCHEDULED[0]).write_text(SCHEDULED[1], encoding="utf-8")

    preview = api.preview_blog(repo)

    assert [str(p) for p in preview.problems] == [broken(repo)]
    posts = repo / ".notepress/preview/blog/posts"
    assert sorted(p.name for p in posts.glob("*.md")) == ["what-the-pilot-will-show.md", "why-i-write-down-what-i-learn.md"]
    assert f'!!! info "{SCHEDULED_MARK}"' in (posts / "what-the-pilot-will-show.md").read_text(encoding="utf-8")
    assert "Scheduled" not in (posts / "why-i-write-down-what-i-learn.md").read_text(encoding="utf-8")
    assert [p.get("scheduled") for p in preview.generated.listing] == [SCHEDULED_DAY.isoformat(), None]


def test_preview_keeps_the_last_posts_when_notepress_yml_is_broken(repo):
    api.preview_blog(repo)
    before = sorted(p.name for p in (repo / ".notepress/preview/blog/posts").glob("*.md"))
    (repo / "notepress.yml").write_text("redact: sometimes\n", encoding="utf-8")

    shown = api.preview_blog(repo)

    assert shown.project is None and shown.generated is None
    assert [p.path for p in shown.problems] == ["notepress.yml"]
    assert sorted(p.name for p in (repo / ".notepress/preview/blog/posts").glob("*.md")) == before
    assert len(before) == 2


def test_the_panel_escapes_each_problem_reads_as_printed_and_goes_at_the_top(tmp_path):
    page = ('<html><body class="x"><div data-md-component="skip"></div><div data-md-component="announce">'
            '</div><main><article class="md-content__inner">Hello</article></main></body></html>')
    problem = Problem("posts/a.md", 3, "title", "<script>alert(1)</script> & more", "write text")
    unplaced = Problem("notepress.yml", 0, "", "is not a mapping of settings", "write `key: value` lines")

    shown_panel = panel.render(tmp_path, [problem, unplaced])
    placed = panel.at_top(page, shown_panel)

    assert "<script>" not in shown_panel
    assert "<li><code>posts/a.md:3</code>: title: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more (write text)</li>" \
        in shown_panel
    assert [str(problem), str(unplaced)] == [shown(li).strip() for li in shown_panel.split("<li>")[1:]]
    assert 'role="alert"' in shown_panel and ">notepress: 2 problems</h2>" in shown_panel
    assert placed.index('data-md-component="announce"') < placed.index("notepress-problems") < placed.index("<main")
    assert panel.at_top("<body><p>no theme</p></body>", shown_panel).startswith('<body><aside class="md-banner">')
    assert panel.at_top("<p>no body</p>", shown_panel) == "<p>no body</p>"
    assert panel.render(tmp_path, []) == "" and panel.at_top(page, "") == page


@pytest.mark.parametrize("address, url", [("127.0.0.1:8000", "http://127.0.0.1:8000/"),
                                          ("[::1]:8001", "http://[::1]:8001/")])
def test_serve_prints_the_address_before_mkdocs_starts(address, url, repo, monkeypatch, cli):
    printed = []  # what was on stdout when MkDocs' server was asked to start (replaced: nothing listens)

    def started(**kwargs):
        sys.stdout.flush()
        printed.append((kwargs["dev_addr"], sys.stdout.buffer.getvalue().decode()))

    monkeypatch.setattr("mkdocs.commands.serve.serve", started)

    result = cli("-C", repo, "serve", "-a", address)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"Preview at {url} (drafts shown; Ctrl+C to stop)\n"
    assert printed == [(address, result.stdout)]


def test_serve_starts_with_a_broken_notepress_yml_and_shows_it_until_it_is_fixed(repo, serve):
    config = repo / "notepress.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "\nredact: maybe\n", encoding="utf-8")

    base, out = serve(repo)

    assert "notepress.yml:" in fetch(base) and "redact:" in fetch(base)
    config.write_text(good, encoding="utf-8")
    wait_for(lambda: "notepress-problems" not in fetch(base + "blog/"), timeout=TIMEOUT, what="the panel to go")
    assert LEARNING_TITLE in fetch(base + "blog/")
