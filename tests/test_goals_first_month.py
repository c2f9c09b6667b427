"""Goals, check-ins, the promotion packet and the share kit, end to end from `notepress init` in an
empty folder: a goal written with `notepress new goal`, learning entries serving it, a check-in
through options, `goals`, `next --ics`, `portfolio -o packet.pdf` (its text extracted and its first
page rendered), a real build whose post pages carry Open Graph and Twitter meta (read back from
the HTML MkDocs built, and from the HTML Zensical builds from the same generated posts: the post's
own image, else its share card), and
`share` printing, refusing a private entry and refusing a confidential term."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from icalendar import Calendar

from e2e_helpers import TODAY, run_cli
from test_boundary import _png_image
from test_first_month import _field, _new

SITE_URL = "https://ana.example.com/notes/"
CUSTOMER = "Harborview Outfitters"  # the customer of init's example insight: a confidential term


class Meta(HTMLParser):
    """Every <meta property|name=... content=...> of a page, attribute values decoded."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")) and "content" in a:
            self.found[a.get("property") or a["name"]] = a["content"]


def meta_of(page: Path) -> dict[str, str]:
    parser = Meta()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def _ok(*args):
    result = run_cli(*[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A repo from init with a goal, a public learning entry serving it (with a chart beside it)
    and a check-in on that entry's next step, built."""
    repo = tmp_path_factory.mktemp("goals-month") / "notes"
    _ok("init", repo, "--name", "Notes", "--author", "Ana Li", "--site-url", SITE_URL)
    goal = _new(repo, "goal", "Lead onboarding by next autumn")
    for key, value in (("audience", "internal"), ("want", "Lead the onboarding area."),
                       ("why", "Customers should succeed without calling us."),
                       ("success", "New customers finish setup alone."),
                       ("measure", "Setup calls per new customer, halved."),
                       ("horizon", (TODAY + dt.timedelta(days=400)).isoformat()),
                       ("competencies", "[leadership, customer-relationships]")):
        _field(goal, key, value)
    learning = _new(repo, "learning", "Mapped the setup step")
    (learning.parent / "setup-funnel.png").write_bytes(_png_image())
    for key, value in (("audience", "public"), ("goals", "[lead-onboarding-by-next-autumn]"),
                       ("tags", "[onboarding, customer-research]"), ("competencies", "[customer-relationships]"),
                       ("action", "Watched five new customers go through setup."),
                       ("outcome", "Four stopped at the bank connection screen."),
                       ("learning", "The bank step needs a way to come back later."),
                       ("next_step", "Sketch a save-and-return flow with design"),
                       ("next_step_due", (TODAY + dt.timedelta(days=3)).isoformat())):
        _field(learning, key, value)
    front = learning.read_text(encoding="utf-8").rpartition("\n---\n")[0]  # the template's body, rewritten
    learning.write_text(front.replace("---\n", "---\nsummary: Five new customers, one screen where four of them "
                                      "stopped.\n", 1) + "\n---\n\nThe bank step lost four of five.\n"
                        "\n![The setup funnel](setup-funnel.png)\n", encoding="utf-8")
    _ok("-C", repo, "check")
    _ok("-C", repo, "checkin", "--on", "mapped-the-setup-step", "--did", "--yes", "--title", "Sketched save and return",
        "--outcome", "Design liked it; engineering asked for a week.", "--learning", "Sketches start the conversation.",
        "--next-step", "Test the sketch with two customers", "--due", (TODAY + dt.timedelta(days=10)).isoformat(),
        "--audience", "internal")
    _ok("-C", repo, "build")
    return repo


def test_goals_shows_the_actions_serving_the_goal(repo):
    out = _ok("-C", repo, "goals").stdout

    assert "Lead onboarding by next autumn [lead-onboarding-by-next-autumn] (internal)" in out
    assert f"  actions   2, the last {TODAY} (0 days ago): on track" in out
    assert "    Test the sketch with two customers" not in out  # shown with its due date:
    assert f"    due {TODAY + dt.timedelta(days=10)}: Test the sketch with two customers  [sketched-save-and-return]" in out
    assert "  evidence against the measure: 2 outcomes" in out
    assert "Every goal had an action in the last 14 days" in out
    assert "Understand onboarding end to end [understand-onboarding] (private)" in out  # init's example goal
    assert "understand-onboarding" not in _ok("-C", repo, "goals", "--audience", "internal").stdout


def test_the_checkin_closed_the_earlier_step(repo):
    earlier = next((repo / "posts/learning").glob("*-mapped-the-setup-step.md")).read_text(encoding="utf-8")

    assert f"\nnext_step_done: {TODAY}\n" in earlier
    new = next((repo / "posts/learning").glob("*-sketched-save-and-return.md")).read_text(encoding="utf-8")
    assert "goals: [lead-onboarding-by-next-autumn]\n" in new and "action: Sketch a save-and-return flow with design\n" in new


def test_next_ics_from_init(repo, tmp_path):
    _ok("-C", repo, "next", "--ics", tmp_path / "next.ics")

    events = list(Calendar.from_ical((tmp_path / "next.ics").read_bytes()).walk("VEVENT"))
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [  # init's example step, then ours
        ("Turn each call into an insight note and bring the setup-step theme to the next planning session.",
         TODAY + dt.timedelta(days=7)),
        ("Test the sketch with two customers", TODAY + dt.timedelta(days=10))]


def test_portfolio_pdf_text_and_first_page(repo, tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    pikepdf = pytest.importorskip("pikepdf")
    packet = tmp_path / "packet.pdf"
    since = TODAY - dt.timedelta(days=30)
    byline = f"Ana Li · Director level · {since} to {TODAY}"  # who, which level, which period

    _ok("-C", repo, "portfolio", "--level", "Director", "--since", since, "--until", TODAY, "-o", packet)

    pdf = pdfium.PdfDocument(str(packet))
    pages = [" ".join(pdf[i].get_textpage().get_text_range().replace("\ufffe", "").split()) for i in range(len(pdf))]
    text = " ".join(pages)  # soft hyphens of wrapped lines removed
    for expected in ("Portfolio: Director", "Action Watched five new customers go through setup.",
                     "Outcome Four stopped at the bank connection screen.",
                     "Learning The bank step needs a way to come back later.",
                     "Goals Lead onboarding by next autumn", "Goals served",
                     "Visibility: 3 public posts, 0 newsletter issues sent to 0 recipients"):
        assert expected in text
    assert pages[0].startswith(f"Portfolio: Director {byline} ")  # on the first page, under the title
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):  # and at the foot of every page, with its number
        assert page.endswith(f"{byline} {number} / {len(pages)}"), page[-120:]
    image = pdf[0].render(scale=1).to_pil().convert("L")
    assert image.size in ((595, 842), (596, 842))  # A4 in points (595.3 x 841.9)
    dark = sum(image.histogram()[:128])  # pixels darker than mid-grey
    assert 0.005 < dark / (image.size[0] * image.size[1]) < 0.5  # printed text and charts, not a blank or a black page

    with pikepdf.open(packet) as tagged:  # PDF/UA-1: tagged, with a language and a title a reader shows
        assert tagged.Root.Lang == "en"
        assert tagged.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in tagged.Root and len(tagged.Root.StructTreeRoot.K) >= 1
        assert tagged.Root.ViewerPreferences.DisplayDocTitle is True
        assert str(tagged.docinfo.Title) == "Portfolio: Director · Ana Li" and str(tagged.docinfo.Author) == "Ana Li"
        with tagged.open_metadata() as xmp:
            assert xmp["dc:title"] == "Portfolio: Director · Ana Li"
            assert xmp["pdfuaid:part"] == "1"


def _post_page(site: Path) -> Path:
    return next(site.rglob("mapped-the-setup-step/index.html"))


def _expected_meta() -> dict[str, str]:
    url = f"{SITE_URL}blog/{TODAY:%Y/%m/%d}/mapped-the-setup-step/"
    return {"og:title": "Mapped the setup step", "og:type": "article", "og:url": url,
            "og:description": "Five new customers, one screen where four of them stopped.",
            "twitter:card": "summary_large_image", "twitter:title": "Mapped the setup step",
            "twitter:description": "Five new customers, one screen where four of them stopped."}


def _check_meta(site: Path) -> None:
    meta = meta_of(_post_page(site))
    assert {k: meta.get(k) for k in _expected_meta()} == _expected_meta()
    image = meta["og:image"]
    assert image == meta["twitter:image"] and image.startswith(SITE_URL)
    served = site / image.removeprefix(SITE_URL)  # the image is published where the meta points
    from PIL import Image

    with Image.open(served) as published, Image.open(io.BytesIO(_png_image())) as chart:
        assert published.size == chart.size and published.convert("RGB").tobytes() == chart.convert("RGB").tobytes()


def _check_cards(site: Path) -> None:
    """The posts without an image of their own (init's learning entry and essay) share their cards."""
    from PIL import Image

    pages = [p for p in site.glob("blog/*/*/*/*/index.html") if p != _post_page(site)]
    assert len(pages) == 2
    for page in pages:
        meta = meta_of(page)
        assert meta["twitter:card"] == "summary_large_image" and meta["og:image"] == meta["twitter:image"]
        with Image.open(site / meta["og:image"].removeprefix(SITE_URL)) as card:
            assert card.size == (1200, 630)


def test_og_meta_on_the_page_mkdocs_built(repo):
    _check_meta(repo / "site")
    _check_cards(repo / "site")
    home = meta_of(repo / "site" / "index.html")
    assert "og:title" not in home  # only posts carry share meta


def test_og_meta_on_the_page_zensical_builds_from_the_same_posts(repo, tmp_path):
    copy = tmp_path / "notes"
    shutil.copytree(repo, copy)
    _ok("-C", copy, "build", "--engine", "zensical")
    _check_meta(copy / "site")
    _check_cards(copy / "site")


def test_a_typed_engine_build_publishes_no_entry(repo, tmp_path):
    """What notepress generates lives outside docs/: `zensical build` typed in the repo (it runs no
    MkDocs plugin) builds the hand-written pages and no post, whatever notepress built before."""
    zensical = Path(sys.executable).with_name("zensical")
    copy = tmp_path / "notes"
    shutil.copytree(repo, copy)
    done = subprocess.run([str(zensical), "build", "--clean", "-f", "mkdocs.yml"], cwd=copy, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert (copy / "site" / "index.html").exists()
    assert not list((copy / "site").rglob("mapped-the-setup-step*"))
    assert not any("Mapped the setup step" in p.read_text(errors="replace") for p in (copy / "site").rglob("*.html"))


def test_share_prints_a_ready_to_post_text(repo):
    text = _ok("-C", repo, "share", "mapped-the-setup-step").stdout

    assert text == (
        "Five new customers, one screen where four of them stopped.\n\n"
        "→ The bank step needs a way to come back later.\n"
        "→ Four stopped at the bank connection screen.\n\n"  # its next step is done (the check-in): not news
        f"{SITE_URL}blog/{TODAY:%Y/%m/%d}/mapped-the-setup-step/\n\n"
        "#Onboarding #CustomerResearch\n")


def test_share_refuses_an_entry_that_is_not_public(repo):
    result = run_cli("-C", str(repo), "share", "sketched-save-and-return")

    assert result.exit_code == 1
    assert re.match(r"posts/learning/\S+-sketched-save-and-return\.md:5: audience: is internal, so it cannot be "
                    r"shared \(only public posts are shared", result.stderr)
    assert result.stdout == ""
    private = run_cli("-C", str(repo), "share", "understand-onboarding")  # init's example goal
    assert private.exit_code == 1
    assert ":5: audience: is private, so it cannot be shared" in private.stderr


def test_share_refuses_a_confidential_term(repo):
    post = next((repo / "posts/learning").glob("*-mapped-the-setup-step.md"))
    original = post.read_text(encoding="utf-8")
    post.write_text(original.replace("summary: Five new customers,", f"summary: {CUSTOMER} and four other customers,"),
                    encoding="utf-8")
    try:
        result = run_cli("-C", str(repo), "share", "mapped-the-setup-step")
    finally:
        post.write_text(original, encoding="utf-8")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert f'{post.relative_to(repo).as_posix()}:2: summary: confidential term "{CUSTOMER}"' in result.stderr


def test_a_goal_made_public_is_a_post_in_the_goals_category(tmp_path):
    repo = tmp_path / "notes"
    _ok("init", repo, "--name", "Notes", "--author", "Ana Li", "--site-url", SITE_URL)
    goal = next((repo / "posts/goals").glob("*.md"))
    _field(goal, "audience", "public")

    _ok("-C", repo, "build")

    page = next((repo / "site").rglob("understand-onboarding/index.html")).read_text(encoding="utf-8")
    for text in ("The goal", "What I want", "Why it matters to me", "How I measure it", "Horizon"):
        assert f"{text}</" in page
    assert (repo / "site/blog/category/goals/index.html").is_file()
    assert meta_of(next((repo / "site").rglob("understand-onboarding/index.html")))["og:description"] == (
        "Be the person who understands why new customers stall in their first week, and fix the worst step.")
