"""The team hub's boundary tried as an attacker would (`build --for team`): a private entry, a draft
or a file of posts/ must reach no file (nor folder) of site-team/ by any route, and a hub that holds
nothing of them must build without a finding. Each test starts from `notepress init`, adds the few
entries of tests/fixtures/hub_boundary/ its point needs and builds the hub once or twice on MkDocs
(the routes are the same on either engine: both render the settings of hub/engine.py)."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import pytest
import yaml

from e2e_helpers import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "hub_boundary"


def add(root: Path, *names: str) -> None:
    """Fixture files into posts/: insights and learning entries to their folders, other files beside
    the learning entries."""
    for name in names:
        text = (FIXTURES / name).read_bytes()
        folder = "insights" if name.endswith(".md") and b"type: insight" in text else "learning"
        (root / "posts" / folder / name).write_bytes(text)


def build(root: Path):
    return run_cli("-C", str(root), "build", "--for", "team")


def hub_text(root: Path) -> str:
    """Every file and folder name of site-team/ and every file's text (Pagefind's chunks unpacked)."""
    out = []
    for path in sorted((root / "site-team").rglob("*")):
        out.append(path.relative_to(root / "site-team").as_posix())
        if path.is_file():
            data = path.read_bytes()
            out.append(html.unescape((gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")))
    return "\n".join(out)


def test_an_insight_made_private_leaves_no_folder_named_for_it(init_copy):
    """MkDocs renders again only what changed, into the hub before the last one: the pages of a
    customer and a theme that only the insight made private had are removed, and their folders with
    them (an empty customers/acme-bank/ still names the customer)."""
    add(init_copy, "2026-10-02-acme-bank-refunds.md")
    assert build(init_copy).exit_code == 0
    add(init_copy, "2026-09-14-northwind-internal.md")  # a second hub: the next one renders into the first
    assert build(init_copy).exit_code == 0
    path = init_copy / "posts" / "insights" / "2026-10-02-acme-bank-refunds.md"
    path.write_text(path.read_text().replace("audience: internal", "audience: private"))
    result = build(init_copy)
    assert result.exit_code == 0, result.output
    assert [p for p in (init_copy / "site-team").rglob("*") if "acme" in p.name or "refunds" in p.name] == []
    pages = list((init_copy / "site-team").rglob("*.html"))  # pages made again link those left as they were
    assert pages and [p for p in pages if re.search(r'href="[^"]*\.md[#"]', p.read_text(encoding="utf-8"))] == []


def test_an_extension_that_reads_files_shows_no_file_of_posts_in_the_hub(init_copy):
    """The writer's mkdocs.yml names Markdown extensions that read files: pymdownx.snippets written
    with its class (`module:Class`, which Markdown accepts) and pymdownx.b64 (which embeds an image
    as a data: URL). The hub renders with neither: an internal entry's include of a text file and
    its image beside it in posts/ stay out of every page."""
    settings = init_copy / "mkdocs.yml"
    data = yaml.safe_load(settings.read_text(encoding="utf-8"))
    data["markdown_extensions"] += [{"pymdownx.snippets:SnippetExtension": {"base_path": [str(init_copy)]}},
                                    {"pymdownx.b64": {"base_path": str(init_copy)}}]
    settings.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    add(init_copy, "2026-11-14-includes.md", "controller-notes.txt", "controller-chart.png")
    result = build(init_copy)
    assert result.exit_code == 0, result.output
    text = hub_text(init_copy)
    assert "Sat with the controller" in text  # the entry is there
    assert "churn forecast" not in text and "data:image/png" not in text


def test_a_link_to_a_private_entry_by_its_file_name_stops_the_build(init_copy):
    """A reference link from an internal entry to a private one whose slug is not its file name
    (`slug: renewal`): the file name in the link's address is the private entry's, as its slug is."""
    add(init_copy, "2026-11-12-quillfeather-renewal.md", "2026-11-13-reference-link.md")
    result = build(init_copy)
    assert result.exit_code == 1
    assert "2026-11-12-quillfeather-renewal" in result.output
    assert not (init_copy / "site-team").exists()


def test_a_hub_that_shows_nothing_hidden_builds_without_a_finding(init_copy):
    """False findings: a private entry whose title and action are words the hub's templates print
    ("Themes they raise" on a customer's page, "Do not publish or forward it." on every page); two
    private insights spelling the customer of an internal one in other cases (`NORTHWIND logistics`:
    the team reads that name on the hub, whichever spelling the private ones use)."""
    add(init_copy, "2026-11-10-hub-wording.md", "2026-09-14-northwind-internal.md", "2026-11-02-northwind-private-a.md",
        "2026-11-03-northwind-private-b.md")
    result = build(init_copy)
    assert result.exit_code == 0, result.output
    text = hub_text(init_copy)
    assert "Themes they raise" in text and "Northwind Logistics" in text and "budget is frozen" not in text


def test_a_private_slug_that_is_also_an_internal_theme_is_no_finding(init_copy):
    """The hub's page themes/partial-payments/ is named for an internal insight's theme, not for the
    private entry whose slug is `partial-payments`; that entry's text is still nowhere in the hub."""
    add(init_copy, "2026-09-14-northwind-internal.md", "2026-11-11-private-slug.md")
    result = build(init_copy)
    assert result.exit_code == 0, result.output
    assert "My own take" not in hub_text(init_copy)


def test_fixture_files_are_all_used():
    """Every file of tests/fixtures/hub_boundary/ is named by a test of this module."""
    source = Path(__file__).read_text(encoding="utf-8")
    assert [p.name for p in FIXTURES.iterdir() if p.name not in source] == []
