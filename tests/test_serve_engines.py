"""`notepress serve` on both engines: the current posts/ with drafts shown, a new save shown without a
restart, nothing written where the published site lives (the preview holds drafts), a clean stop."""

from __future__ import annotations


import pytest

from e2e_helpers import copy_example
from test_serve import fetch, start_notepress_serve, stop, wait_for

pytestmark = pytest.mark.site

DRAFT_TITLE = "What gross margin taught me about roadmaps"
ESSAY = "posts/essays/2026-11-03-reconciliation-is-a-trust-problem.md"
ESSAY_URL = "blog/2026/11/03/reconciliation-is-a-trust-problem/"
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def served(tmp_path_factory, engine):
    """`notepress serve --engine ENGINE` on a copy of the example repo, as its own process: one per
    engine for the module's tests, which run in order (the last one stops it)."""
    tmp_path = tmp_path_factory.mktemp(f"serve-{engine}")
    root = copy_example(tmp_path / "repo")
    out = tmp_path / "serve.out"
    proc, base = start_notepress_serve(root, out, "--engine", engine)
    try:
        wait_for(lambda: "<html" in fetch(base + "blog/"), timeout=TIMEOUT, what=f"serve to start ({out})")
        yield root, base, proc, out
    finally:
        stop(proc, wait=False)


def test_a_new_title_reaches_every_listing_and_other_posts_stay(served, engine):
    """The MkDocs preview writes again only the posts that changed (and every page that lists
    posts); Zensical rebuilds what changed. Either way the listings follow and nothing is lost."""
    root, base, proc, out = served
    other = "blog/2026/10/20/why-we-count-customers-not-tickets/"
    essay = root / ESSAY
    text = essay.read_text(encoding="utf-8")
    essay.write_text(text.replace("title: Reconciliation is a trust problem", "title: Trust, then reconciliation"),
                     encoding="utf-8")
    for page in (ESSAY_URL, "blog/", ""):
        wait_for(lambda: "Trust, then reconciliation" in fetch(base + page), timeout=TIMEOUT,
                 what=f"the new title on /{page}")
    assert "Why we count customers, not tickets" in fetch(base + other)


def test_serve_shows_drafts_and_a_saved_change_without_writing_site_and_stops_cleanly(served, engine):
    """A writer's preview from start to stop: drafts shown, a saved change shown, site/ never
    written, and `kill` (as Ctrl+C) leaves no settings file and no trace behind."""
    root, base, proc, out = served
    assert DRAFT_TITLE in fetch(base + "blog/"), "the preview shows drafts"
    assert "Latest posts" in fetch(base)

    essay = root / ESSAY
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA sentence saved while serving.\n", encoding="utf-8")
    wait_for(lambda: "A sentence saved while serving." in fetch(base + ESSAY_URL), timeout=TIMEOUT,
             what="the saved sentence to show")

    assert not (root / "site").exists(), "the preview never writes where the published site lives"
    assert f"Preview at {base}" in out.read_text()

    proc.terminate()  # as `kill`, which serve takes as Ctrl+C
    proc.wait(15)
    assert not list(root.glob(".notepress-zensical*.yml"))
    assert not (root / "site").exists()
    assert "Traceback" not in out.read_text(), out.read_text()
