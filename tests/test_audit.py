"""`notepress audit SITE_DIR` on a really built site: clean exits 0, every planted leak is found.

The example repo is built once; each test audits its own copy of the built site, with one leak
planted the way it would reach a real site (page text, search index, feed, gzipped sitemap, URLs).
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from e2e_helpers import output as _output, run_cli
from notepress import api

pytestmark = pytest.mark.site

POST = "blog/2026/09/04/reading-the-payments-pnl/index.html"
NORTHWIND = "posts/insights/2026-09-08-northwind-partial-payments.md"
NORTHWIND_SLUG = "2026-09-08-northwind-partial-payments"
MERIDIAN = "posts/insights/2026-09-15-meridian-quickbooks-duplicates.md"
KESTREL = "posts/insights/2026-09-30-kestrel-ctx-addenda-truncation.md"
BRIGHTWATER = "posts/insights/2026-09-22-brightwater-two-level-approvals.md"


@pytest.fixture(scope="module")
def built(example_build):
    root = example_build.root
    project = api.load(root)
    return SimpleNamespace(root=root, site=root / "site", config=project.config, entries=project.entries)


@pytest.fixture
def site_copy(built, tmp_path):
    copy = tmp_path / "published"
    shutil.copytree(built.site, copy)
    return copy


def audit(root: Path, site: Path | None = None):
    result = run_cli("-C", str(root), "audit", *([str(site)] if site else []))
    return result.exit_code, _output(result)


def _insert_before(path: Path, marker: str, snippet: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert marker in text, f"{marker!r} not in {path}"
    path.write_text(text.replace(marker, snippet + marker, 1), encoding="utf-8")


def _u_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


# Each planting returns (file relative to the site, the text the finding must quote, its source entry).

def plant_page_text(site: Path):
    _insert_before(site / POST, "</article>", "<p>We heard the same from Northwind Logistics last week.</p>")
    return POST, "Northwind Logistics", NORTHWIND


def plant_search_index(site: Path):
    path = site / "search" / "search_index.json"  # MkDocs; Zensical writes search.json with "items"
    path, key = (path, "docs") if path.exists() else (site / "search.json", "items")
    raw = path.read_text(encoding="utf-8")
    doc = '{"location":"blog/x/","title":"Notes","text":"<p>Call with ' + _u_escaped("Meridian Staffing") + '</p>"},'
    new, n = re.subn(rf'("{key}"\s*:\s*\[)', lambda m: m.group(1) + doc, raw, count=1)
    assert n == 1
    assert "Meridian" not in new  # only the escaped form is in the file
    path.write_text(new, encoding="utf-8")
    return path.relative_to(site).as_posix(), "Meridian Staffing", MERIDIAN


def plant_rss_description(site: Path):
    path = site / "feed_rss_created.xml"
    text = path.read_text(encoding="utf-8")
    item = text.index("<item>")
    at = text.index("<description>", item) + len("<description>")
    snippet = "&lt;p&gt;Thanks to &lt;em&gt;Kestrel&lt;/em&gt; Freight for the data.&lt;/p&gt; "
    path.write_text(text[:at] + snippet + text[at:], encoding="utf-8")
    assert "Kestrel Freight" not in path.read_text(encoding="utf-8")
    return "feed_rss_created.xml", "Kestrel Freight", KESTREL


def plant_sitemap_gz(site: Path):
    path = site / "sitemap.xml.gz"  # MkDocs writes one; on Zensical's site it is a gzip file put there
    xml = gzip.decompress(path.read_bytes()).decode("utf-8") if path.exists() else (
        (site / "sitemap.xml").read_text(encoding="utf-8"))
    url = ("<url><loc>https://maya-chen.github.io/notepress/blog/brightwater-dental-group-case-study/</loc>"
           "</url>")
    path.write_bytes(gzip.compress(xml.replace("</urlset>", url + "</urlset>").encode("utf-8")))
    return "sitemap.xml.gz", "Brightwater Dental Group", BRIGHTWATER


def plant_slug_in_href(site: Path):
    _insert_before(site / POST, "</article>", f'<a href="../../../../2026/09/08/{NORTHWIND_SLUG}/">more</a>')
    return POST, NORTHWIND_SLUG, NORTHWIND


def plant_slug_in_bare_relative_href(site: Path):
    # a relative link from site/blog/index.html to a sibling folder: no "/" before the slug
    _insert_before(site / "blog" / "index.html", "</article>", f'<a href="{NORTHWIND_SLUG}/">more</a>')
    return "blog/index.html", NORTHWIND_SLUG, NORTHWIND


def plant_meta_description(site: Path):
    # e.g. a hand-written docs page with `description:` in its front matter
    _insert_before(site / "index.html", "</head>",
                   '<meta name="twitter:description" content="Notes from Meridian Staffing">')
    return "index.html", "Meridian Staffing", MERIDIAN


def plant_html_comment(site: Path):
    # Markdown passes HTML comments through: anyone can read them with view-source
    _insert_before(site / "index.html", "</body>", "<!-- TODO ask Northwind Logistics before publishing -->")
    return "index.html", "Northwind Logistics", NORTHWIND


PLANTINGS = [plant_page_text, plant_search_index, plant_rss_description, plant_sitemap_gz, plant_slug_in_href,
             plant_slug_in_bare_relative_href, plant_meta_description, plant_html_comment]


def test_clean_built_site_passes(built, site_copy):
    code, out = audit(built.root, site_copy)
    assert code == 0, out
    assert "no content of non-public entries" in out


def test_default_site_folder_passes(built):
    code, out = audit(built.root)
    assert code == 0, out


@pytest.mark.parametrize("plant", PLANTINGS, ids=[p.__name__.removeprefix("plant_") for p in PLANTINGS])
def test_planted_leak_is_found(built, site_copy, plant):
    rel, text, source = plant(site_copy)
    owners = {e.source for e in built.entries if e.insight and e.insight.customer == text} or {source}
    code, out = audit(built.root, site_copy)
    assert code == 1, f"audit missed {text!r} planted in {rel}:\n{out}"
    findings = [line for line in out.splitlines() if line.startswith(f"{site_copy}/")]
    assert findings, out
    assert all(line.startswith(f"{site_copy}/{rel}: ") for line in findings), out
    assert any(f'"{text}"' in line and any(o in line for o in owners) for line in findings), out
    assert f"notepress: {len(findings)} finding" in out


def test_audit_of_missing_folder_is_an_error(built, tmp_path):
    code, out = audit(built.root, tmp_path / "nowhere")
    assert code == 1
    assert "no built site here" in out


SHARED = "It tells support where their hours go, and that is a real cost."  # from a public essay
PRIVATE = "The quarterly budget spreadsheet for the mobile team stays in my own notebook for now."


def test_sentence_also_in_a_public_entry_is_not_reported(built, tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(built.root, root)
    essay = (root / "posts" / "essays" / "2026-10-20-why-we-count-customers-not-tickets.md").read_text(encoding="utf-8")
    assert SHARED in essay
    (root / "posts" / "learning" / "2026-11-20-private-notes.md").write_text(
        "---\ntitle: Private notes on budgets and support hours\ndate: 2026-11-20\ntype: learning\n"
        "audience: private\naction: Read the support rota.\nlearning: Hours are a cost.\n---\n\n"
        f"{SHARED}\n\n{PRIVATE}\n", encoding="utf-8")
    assert SHARED in (root / "site" / "blog" / "2026" / "10" / "20" / "why-we-count-customers-not-tickets"
                      / "index.html").read_text(encoding="utf-8")

    code, out = audit(root)
    assert code == 0, out

    _insert_before(root / "site" / "index.html", "</body>", f"<p>{PRIVATE}</p>")
    code, out = audit(root)
    assert code == 1, out
    assert PRIVATE in out and "posts/learning/2026-11-20-private-notes.md" in out
    assert SHARED not in out
