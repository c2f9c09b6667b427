"""The team's insight hub (`build --for team`), from `notepress init` on each engine: insights from
several customers and two writers (internal, public, private, draft: tests/fixtures/hub/), a
newsletter issue, then both sites built. Every internal insight is reachable from the hub's front
page and found by its search (Pagefind, in Chromium); nothing of a private entry or a draft is in
any file of site-team/ (Pagefind's chunks unpacked); nothing internal is in site/; the workflow
uploads site/ only."""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
import threading
import types
import socket
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from e2e_helpers import TODAY, axe_violations, resize, run_cli, screenshot, static_server

pytestmark = [pytest.mark.site, pytest.mark.browser]
FIXTURES = Path(__file__).parent / "fixtures" / "hub"
INTERNAL = {  # slug -> customer page, of the insights the team sees
    "2026-05-14-northwind-partial-payments": "northwind-logistics",
    "2026-10-02-acme-bank-partial-refunds": "acme-bank",
    "2026-11-05-harborview-export": "harborview-outfitters",
}
# Found only in private entries and drafts (their text, slugs, the customer and contact only they name)
HIDDEN = ("Marmalade pelicans", "zebras audit the lighthouse ledger", "Quillfeather", "Ottoline", "Vasquez-Brandt",
          "Copper kettles", "tangerine committee", "bulk approval of instalments", "Purple giraffes",
          "pricing dry-run", "2026-11-12-quillfeather-secret", "2026-11-18-northwind-draft",
          "2026-11-10-private-reflection")
# Found only in internal entries (the public site must have none of it)
TEAM_ONLY = ("Every partial payment turns into a spreadsheet", "refund the difference by cheque", "Northwind",
             "Acme Bank", "Priya Raman", "Shadowed a month-end close")
LINK = re.compile(r'href="([^"#?]*)')
WIDTHS = {"mkdocs": (1280,), "zensical": (390,)}  # the index is the same on either engine: each width once


def add_entries(root: Path) -> None:
    """tests/fixtures/hub/ into posts/, and a second writer."""
    for kind in ("insights", "learning"):
        for path in (FIXTURES / kind).glob("*.md"):
            shutil.copy(path, root / "posts" / kind / path.name)
    config = root / "notepress.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["authors"]["sam-okafor"] = {"name": "Sam Okafor", "description": "Product designer"}
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="session")
def hub(tmp_path_factory, engine):
    root = tmp_path_factory.mktemp(f"hub-{engine}") / "notes"
    for args in (("init", str(root), "--name", "Notes", "--author", "Ana Li"),):
        assert run_cli(*args).exit_code == 0
    add_entries(root)
    for args in (("newsletter", "draft", "--since", "2026-05-01"), ("build", "--engine", engine),
                 ("build", "--for", "team", "--engine", engine)):
        result = run_cli("-C", str(root), *args)
        assert result.exit_code == 0, result.output
    return types.SimpleNamespace(root=root, site=root / "site", hub=root / "site-team", engine=engine)


def texts(folder: Path) -> dict[str, str]:
    """Every file of a built site as text: gzip-packed ones (Pagefind's chunks) unpacked, entities undone."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        out[path.relative_to(folder).as_posix()] = html.unescape(data.decode("utf-8", "replace")) + " " + path.name
    return out


def test_nothing_private_or_draft_anywhere_in_the_hub(hub):
    found = [(name, needle) for name, text in texts(hub.hub).items() for needle in HIDDEN
             if needle.casefold() in text.casefold()]
    assert found == []
    assert any("/fragment/" in name for name in texts(hub.hub))  # Pagefind's chunks were read


def test_nothing_internal_in_the_public_site(hub):
    found = [(name, needle) for name, text in texts(hub.site).items() for needle in TEAM_ONLY if needle in text]
    assert found == []


def test_every_internal_insight_is_reachable_from_the_front_page(hub):
    """Following the hub's own links from index.html reaches each insight's section on its
    customer's page, and its theme pages; no link is broken."""
    seen, queue, broken = set(), ["index.html"], []
    while queue:
        page = queue.pop()
        if page in seen:
            continue
        seen.add(page)
        text = (hub.hub / page).read_text(encoding="utf-8")
        for href in LINK.findall(text):
            url = urljoin(f"http://hub/{page}", href)
            if not url.startswith("http://hub/"):
                continue
            target = urlsplit(url).path.lstrip("/")
            target = target + "index.html" if target.endswith("/") or not target else target
            if target.endswith(".html"):
                (queue.append(target) if (hub.hub / target).is_file() else broken.append(f"{page} -> {href}"))
    assert broken == []
    for slug, customer in INTERNAL.items():
        page = f"customers/{customer}/index.html"
        assert page in seen and f'id="{slug}"' in (hub.hub / page).read_text(encoding="utf-8")
    assert {"themes/partial-payments/index.html", "learning/2026-10/index.html", "customers-by-name/n/index.html", "newsletter/001/index.html"} <= seen


def test_every_page_says_internal_and_noindex_and_robots_refuses_all(hub):
    pages = list(hub.hub.rglob("*.html"))
    assert len(pages) >= 12
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert re.search(r'<meta name="robots" content="noindex', text), page
        assert "for the team only" in text, page
    assert (hub.hub / "robots.txt").read_text().splitlines()[-2:] == ["User-agent: *", "Disallow: /"]
    assert not (hub.hub / "sitemap.xml").exists() and not (hub.site / "site-team").exists()


def test_the_workflow_uploads_the_blog_only(hub):
    workflow = next((hub.root / ".github" / "workflows").glob("*.yml")).read_text(encoding="utf-8")
    uploads = [s for job in yaml.safe_load(workflow)["jobs"].values() for s in job["steps"]
               if "upload" in s.get("uses", "")]
    assert [s["with"]["path"] for s in uploads] == ["site/"]
    assert "site-team" not in workflow
    assert "site-team/" in (hub.root / ".gitignore").read_text().splitlines()


def test_search_finds_every_internal_insight_in_chromium(hub, tab, tmp_path):
    """The front page's search (Pagefind's index) on the hub served in a folder of its host (/hub/),
    at 1280 px (MkDocs) and 390 px (Zensical): each insight found by words of its title, its result
    linking to its section; a theme chosen as a filter alone lists its insights newest first (across
    two parts of the index); words and the filter together narrow to one; axe-core finds nothing
    serious there, on a theme's page or on the customers' list."""
    titles = {slug: yaml.safe_load((FIXTURES / "insights" / f"{slug}.md").read_text().split("---")[1])["title"]
              for slug in INTERNAL}
    page = tab  # the session's page (a new one costs about 0.8 s of CPU); the hub's server has an origin of its own
    page.set_default_timeout(30_000)
    with static_server(hub.hub, mount="/hub/") as base:
        for width in WIDTHS[hub.engine]:
            resize(page, width)
            page.goto(base)
            box = page.wait_for_selector("#np-q")
            for slug, title in titles.items():
                box.fill(" ".join(title.split()[1:4]))
                page.wait_for_selector(f'.np-results a[href$="#{slug}"]', timeout=20000)
            screenshot(page, tmp_path / f"hub-search-{hub.engine}-{width}.png")
            box.fill("")
            page.click(".np-filters summary")
            page.select_option('.np-filters select[name="theme"]', "partial payments")
            page.wait_for_function("document.querySelector('.np-count').textContent.startsWith('3 insights')")
            page.wait_for_function("document.querySelectorAll('.np-results a').length === 3")
            links = [a.get_attribute("href") for a in page.locator(".np-results a").all()]
            assert [link.rsplit("#", 1)[1] for link in links] == sorted(INTERNAL, reverse=True)
            assert all(link.startswith("/hub/customers/") for link in links)
            box.fill("cheque")  # words within the theme
            page.wait_for_function("document.querySelector('.np-count').textContent.startsWith('1 result')")
            assert page.locator(".np-results a").first.get_attribute("href").endswith("#2026-10-02-acme-bank-partial-refunds")
            serious = axe_serious(page)  # results and filters shown; then a theme's page and the customers'
            for path in ("themes/partial-payments/", "customers/"):
                page.goto(base + path)
                serious += axe_serious(page)
            assert serious == []


def axe_serious(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is."""
    page.wait_for_load_state("networkidle")  # the theme's scripts and styles all in
    found = axe_violations(page)
    return [f"{page.url}: {v['id']} at {v['nodes'][0]['target']}" for v in found if v["impact"] in ("serious", "critical")]


def test_a_leak_into_the_hub_stops_its_build_and_keeps_the_last_one(hub, tmp_path):
    """A writer's own template for the hub's front page (templates/hub/) that quotes a private entry:
    the audit names it, the build fails, the hub built before is left as it was."""
    root = tmp_path / "notes"
    shutil.copytree(hub.root, root, ignore=shutil.ignore_patterns(".git"))
    before = {p: p.read_bytes() for p in (root / "site-team").rglob("*.html")}
    (root / "templates" / "hub").mkdir(parents=True)
    template = (Path(__import__("notepress").__file__).parent / "templates" / "hub" / "index.md.jinja").read_text()
    (root / "templates" / "hub" / "index.md.jinja").write_text(
        template + "\nMarmalade pelicans negotiate the renewal behind closed doors.\n")
    result = run_cli("-C", str(root), "build", "--for", "team", "--engine", hub.engine)
    assert result.exit_code == 1
    assert "Marmalade pelicans negotiate the renewal behind closed doors" in result.output
    assert "site-team/index.html" in result.output
    assert {p: p.read_bytes() for p in (root / "site-team").rglob("*.html")} == before


def test_a_new_insight_and_one_made_private_render_again_only_their_pages(hub, tmp_path):
    """Either engine renders into the hub before the last one only the pages whose Markdown changed,
    the others left out of its build with links to them resolved. After a new customer's insight and
    an insight made private (no other insight names Acme Bank): the new customer's page was rendered,
    most pages were not; Acme Bank's page and folder are gone, from the pages and the search index
    (its half-year's part of the index made again, and this month's, not May's); and the hub is file
    for file the one a first build makes."""
    root, fresh = tmp_path / "notes", tmp_path / "fresh"
    shutil.copytree(hub.root, root, ignore=shutil.ignore_patterns(".git", "site-team", ".site-team.*"))
    hub_build = ("build", "--for", "team", "--engine", hub.engine)
    assert run_cli("-C", str(root), *hub_build).exit_code == 0  # the first: every page, and its twin for the next
    parts = root / "site-team" / "pagefind" / "bundles.json"
    before = json.loads(parts.read_text())
    (root / "posts" / "insights" / f"{TODAY}-zephyr-call.md").write_text(
        f"---\ntitle: Zephyr reconciles by hand\ndate: {TODAY}\ntype: insight\naudience: internal\n"
        "customer: Zephyr Freight\nsource: call\nthemes: [partial payments]\nquote: We match them by hand.\n---\n\n"
        "They export the payments every Friday.\n")
    private = root / "posts" / "insights" / "2026-10-02-acme-bank-partial-refunds.md"
    private.write_text(private.read_text().replace("audience: internal", "audience: private"))
    (root / "before").write_text("")
    since = (root / "before").stat().st_mtime_ns  # the file system's clock, as the pages' times
    result = run_cli("-C", str(root), *hub_build)
    assert result.exit_code == 0, result.output
    after = json.loads(parts.read_text())
    assert len(after) == len(before) == 3 and [a == b for a, b in zip(before, after)] == [False, False, True]
    pages = {p.relative_to(root / "site-team").as_posix(): p for p in (root / "site-team").rglob("*.html")}
    again = {rel for rel, path in pages.items() if path.stat().st_mtime_ns >= since}
    assert "customers/zephyr-freight/index.html" in again  # the customers it does not change, not
    assert again.isdisjoint({"customers/northwind-logistics/index.html", "customers/harborview-outfitters/index.html"})
    assert [rel for rel, path in pages.items() if re.search(r'href="[^"]*\.md[#"]', path.read_text(encoding="utf-8"))] == []
    assert not (root / "site-team" / "customers" / "acme-bank").exists()
    assert [name for name, text in texts(root / "site-team").items() if "Acme Bank" in text or "by cheque" in text] == []
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".git", "site-team", ".site-team.*"))
    assert run_cli("-C", str(fresh), *hub_build).exit_code == 0
    assert texts(root / "site-team") == texts(fresh / "site-team")


def test_a_customer_page_kept_from_the_build_before_is_the_one_made_again(hub):
    """A customer's page made of the same as at the build before is neither made nor rendered again
    (a theme's, a letter's or a month's made from the same is not rendered again);
    its search records are the kept ones, the same as making it again gives; a change of what it is
    made of (here the hub's title) makes every one again."""
    from notepress.hub import build, pages
    from notepress.project import Project

    if hub.engine != "mkdocs":
        pytest.skip("the pages are the same for either engine")
    project = Project.open(hub.root, today=TODAY)
    team, issues = project.team(valid=True), build.issues(project)
    fresh = pages.hub(team, issues, TODAY, "Notes")
    again = pages.hub(team, issues, TODAY, "Notes", fresh.made, fresh.kept)
    kept = {page for page, text in again.pages.items() if text is None}  # and themes', letters', months' pages
    assert fresh.kept and set(fresh.kept) == {page for page in kept if page.startswith("customers/")}
    assert {page.partition("/")[0] for page in kept} == {"customers", "customers-by-name", "themes", "learning"}
    stubs = [r for r in again.records if isinstance(r, pages.Stub)]  # a kept page's records: read when indexed
    assert stubs and all(r.url.startswith("customers/") for r in pages.unpacked(stubs))
    assert sorted(map(repr, pages.unpacked(again.records))) == sorted(map(repr, fresh.records)) and again.made == fresh.made
    renamed = pages.hub(team, issues, TODAY, "Team notes", fresh.made, fresh.kept)
    assert all(renamed.pages[page] for page in kept)


def test_the_index_is_in_parts_by_date_this_month_apart():
    """A new insight (or customer, theme, issue: placed by its first insight's date, its last day)
    goes into this month's small part; older ones into their half-year's, newest first."""
    from notepress.hub.pages import Record
    from notepress.hub.search import _parts

    days = ["2026-11-23", "2026-11-01", "2026-10-31", "2026-07-01", "2026-06-30", "2025-12-31", "2027-02-01"]
    parts = _parts([Record(f"r{i}/", "t", "c", day=d) for i, d in enumerate(days)], TODAY)
    assert {name: [r.day for r in group] for name, group in parts.items()} == {
        "2026-11": ["2026-11-23", "2026-11-01", "2027-02-01"], "2026-07": ["2026-10-31", "2026-07-01"],
        "2026-01": ["2026-06-30"], "2025-07": ["2025-12-31"]}
    assert list(parts) == ["2026-11", "2026-07", "2026-01", "2025-07"]


def test_every_file_of_the_index_is_whole_however_large_its_part(tmp_path):
    """A part's files come from Pagefind in one answer (its reader stopped at 2 MiB) and are written
    by us: Pagefind's own writing answered before its last bytes were on disk and a cut wasm was
    published once. Every compressed file of a part of 100 long records (an answer over 2 MiB) is whole."""
    import random

    from notepress.hub.pages import Record
    from notepress.hub.search import write_index

    rnd = random.Random(7)  # text that packs badly: 100 records make the answer over 2 MiB
    records = [Record(f"i/{n}/", f"Insight {n}", rnd.randbytes(4_000).hex(), day="2026-03-02") for n in range(100)]
    assert write_index(records, tmp_path / "site", tmp_path / "kept", TODAY) == 1
    (part,) = [p for p in (tmp_path / "site" / "pagefind").iterdir() if p.is_dir()]
    files = [p for p in part.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) * (4 / 3) ** 2 > 2 ** 21  # base64 in JSON in base64
    packed = [p for p in files if p.suffix in {".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind"}]
    assert len(packed) > 100 and all(gzip.decompress(p.read_bytes()) for p in packed)
    assert json.loads((part / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"] == 100


@pytest.mark.parametrize("folder", ["site", "docs", "posts/hub", "."])
def test_the_hub_is_refused_in_a_public_folder(hub, folder):
    result = run_cli("-C", str(hub.root), "build", "--for", "team", "--site-dir", folder)
    assert result.exit_code == 1
    assert "the team hub cannot be built in or around" in result.output
    assert "--site-dir site-team" in result.output


def test_serve_for_team_serves_the_hub_on_loopback(hub, tmp_path):
    from notepress import api

    if hub.engine != "mkdocs":
        pytest.skip("the server is the same for either engine's hub")

    root = hub.root  # built again in place: MkDocs renders no page again, and the hub stays the same
    started, said = threading.Event(), []
    servers = []

    def ready(server):
        servers.append(server)
        started.set()

    with socket.socket() as s:  # a free port
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    thread = threading.Thread(target=api.serve_team, args=(root,), daemon=True,
                              kwargs={"engine": hub.engine, "dev_addr": f"127.0.0.1:{port}", "progress": said.append,
                                      "ready": ready})
    thread.start()
    assert started.wait(60), said
    page = urllib.request.urlopen(f"http://127.0.0.1:{port}/customers/northwind-logistics/").read().decode()
    assert 'id="2026-05-14-northwind-partial-payments"' in page
    servers[0].shutdown()
    thread.join(10)
    assert not thread.is_alive()


def test_a_page_name_never_takes_a_sections_index_nor_is_empty():
    """A customer called "Index" would have replaced customers/index.md (the customers' list); one
    whose name has no letter a slug keeps (本田) had the page unnamed.md."""
    from notepress.hub.pages import _unique

    names = {"a": "Index", "b": "本田", "c": "本田技研", "d": "Acme Bank"}
    assert _unique(names, "customer") == {"a": "index-2", "b": "customer", "c": "customer-2", "d": "acme-bank"}
