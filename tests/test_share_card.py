"""The share card of a public post without an image of its own (card.py): what it says, how it is
drawn (size, margins, contrast, long titles, scripts the font lacks), how it is cached, and how it
passes the boundary (its text checked like the page, its bytes read back like an attachment).

Drawn with Pillow in this process, no site build: the built pages' og:image is tested end to end in
test_site_e2e.py (the example repo) and test_goals_first_month.py (a post with its own image)."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from notepress import card as cards
from notepress.attachments import Refused, generated, read
from notepress.card import MARGIN, PALETTE, Card, Face, Fonts, found_fonts, publish, render
from notepress.config import load_config
from notepress.entries import read_entries
from notepress.screen import screen_public

LONG = ("What five support calls in one week taught me about onboarding, setup screens, bank connections, "
        "reconciliation, the patience of new customers who just want to get paid on time, and why the first "
        "screen of a product decides whether anyone ever sees the second one")
WIDTH = 1200 - 2 * MARGIN


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _title_lines(lines) -> list[tuple]:
    return [line for line in lines if line[0] is not None and line[1] >= 48]


def _contrast(a, b) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_card_is_a_1200x630_png_with_only_its_pixels(tmp_path):
    data = render(Card("Walked the P&L with finance", "Product notes", "Ana Li"))

    image = _png(data)
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "P")
    assert set(image.info) <= {"transparency"} and not image.getexif()
    published = generated(data, ".png", "Walked the P&L with finance")
    assert published.data == data and published.name == hashlib.sha256(data).hexdigest()[:20] + ".png"
    (tmp_path / "card.png").write_bytes(data)  # read as a PNG beside an entry is: the same pixels, nothing else
    assert _png(read(tmp_path / "card.png").data).convert("RGB").tobytes() == image.convert("RGB").tobytes()


def test_the_text_is_inside_the_margins_and_reads_against_the_background():
    lines = found_fonts().lines(Card(LONG, "Maya's product notebook: learning in public, one week at a time",
                                     "Maya Chen and Ana Li"))
    image = _png(cards.draw(lines))

    left, top, right, bottom = image.getbbox()  # every pixel not the background
    assert MARGIN - 4 <= left and right <= 1200 - MARGIN + 4 and 40 <= top and bottom <= 630 - 40
    background = tuple(PALETTE[:3])
    for line in lines:
        shade = line[2]
        colour = tuple(PALETTE[3 * shade:3 * shade + 3])
        assert line[0] is None or _contrast(colour, background) >= 4.5, line  # WCAG AA, for text of any size


def test_a_long_title_wraps_shrinks_and_is_cut_with_an_ellipsis():
    fonts = found_fonts()
    short = _title_lines(fonts.lines(Card("Walked the P&L")))
    wrapped = _title_lines(fonts.lines(Card(LONG[:120])))
    cut = _title_lines(fonts.lines(Card(LONG * 2)))

    assert len(short) == 1 and short[0][1] == 72  # the largest size
    assert len(wrapped) >= 2 and " ".join(line[-1] for line in wrapped) == " ".join(LONG[:120].split())
    assert len(cut) == 5 and cut[-1][-1].endswith("…") and cut[0][1] == 48
    for path, size, *_, text in [*wrapped, *cut]:
        assert cards._font(path, size).getlength(text) <= WIDTH, text
    assert [line[5] for line in cut] == sorted(line[5] for line in cut)  # one under the other


def test_a_script_the_font_lacks_is_drawn_by_another_font_or_in_latin_letters_never_as_boxes():
    fonts = found_fonts()
    for title in ("東京のお客様から学んだこと", "ग्राहकों से सीखा", "Onboarding in 東京"):
        lines = fonts.lines(Card(title, "Product notes", "田中 花子"))
        drawn = [line for line in lines if line[0] is not None]
        assert drawn and all(line[-1].strip() for line in drawn)
        for path, *_, text in drawn:
            assert all(cards._covers(path, c) for c in text), (title, path, text)  # no empty boxes
    assert "Onboarding in" in " ".join(line[-1] for line in _title_lines(fonts.lines(Card("Onboarding in 東京"))))


@pytest.mark.skipif(not found_fonts().bold.path.endswith("DejaVuSans-Bold.ttf"), reason="DejaVu Sans is not installed")
def test_greek_cyrillic_and_arabic_are_drawn_as_written_right_to_left_on_the_right():
    fonts = found_fonts()
    [greek] = _title_lines(fonts.lines(Card("Ελληνικά και Кириллица")))
    assert greek[-1] == "Ελληνικά και Кириллица" and greek[3:5] == (MARGIN, "la")
    [arabic] = _title_lines(fonts.lines(Card("ما تعلمته من العملاء")))
    assert arabic[-1] == "ما تعلمته من العملاء" and arabic[3:5] == (1200 - MARGIN, "ra")


def test_without_any_font_file_pillows_own_font_draws_the_card():
    pillow = Face("", "")
    lines = Fonts(pillow, pillow).lines(Card(LONG, "Product notes", "Ana Li"))

    image = _png(cards.draw(lines))
    assert image.size == (1200, 630) and image.getbbox()
    assert len(_title_lines(lines)) >= 2


def test_fonts_are_found_in_the_systems_folders_else_through_fontconfig_else_none(monkeypatch):
    found = cards.find_font("bold")
    assert found == "" or found.endswith(".ttf") or found.endswith(".otf")
    monkeypatch.setattr(cards, "FONT_FOLDERS", ())
    through_fontconfig = cards.find_font("regular")
    assert through_fontconfig == "" or os.path.isfile(through_fontconfig)
    monkeypatch.setattr(cards.shutil, "which", lambda name: None)
    monkeypatch.setattr(cards.importlib.util, "find_spec", lambda name: None)
    assert cards.find_font("regular") == ""


def test_cards_are_drawn_once_and_found_by_what_they_say(tmp_path):
    wanted = {f"post-{i}": Card(f"Lesson {i}", "Notes", "Ana Li") for i in range(3)}

    first = publish(wanted, tmp_path)
    again = publish(wanted, tmp_path)
    retitled = publish({**wanted, "post-1": Card("Lesson one, retitled", "Notes", "Ana Li")}, tmp_path)

    assert (first.drawn, again.drawn, retitled.drawn) == (3, 0, 1)
    assert {s: a.data for s, a in again.cards.items()} == {s: a.data for s, a in first.cards.items()}
    assert retitled.cards["post-1"].name != first.cards["post-1"].name  # a new picture, a new address
    assert all(a.text == wanted[s].text for s, a in first.cards.items())


def test_a_generated_image_with_metadata_is_refused():
    image = Image.new("RGB", (10, 10))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Harborview Outfitters")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)

    with pytest.raises(Refused):
        generated(out.getvalue(), ".png", "")


# --- the boundary: what a card says is checked like the page ------------------------------------------------

@pytest.fixture
def blog(copy_repo):
    return copy_repo("blog")


def _screen(repo, **kwargs):
    config = load_config(repo)
    entries, report = read_entries(config)
    assert report.errors == []
    return screen_public(entries, config, **kwargs)


def test_a_card_says_the_posts_title_the_sites_name_and_its_author(blog):
    screened = _screen(blog, site_name="Ana's notes")

    assert screened.problems == []
    assert screened.view.cards == {
        "pricing-page-test": Card("Testing the pricing page headline", "Ana's notes", "Ana Lima"),
        "why-small-tests": Card("Why small tests win", "Ana's notes", "Ana Lima")}


def test_a_post_with_an_image_of_its_own_and_a_site_without_an_address_get_no_card(blog):
    post = blog / "posts/essays/2026-03-01-why-small-tests.md"
    Image.new("RGB", (40, 20), "teal").save(post.parent / "chart.png")
    post.write_text(post.read_text(encoding="utf-8") + "\n![A chart](chart.png)\n", encoding="utf-8")
    assert sorted(_screen(blog, site_name="Notes").view.cards) == ["pricing-page-test"]

    (blog / "notepress.yml").write_text((blog / "notepress.yml").read_text(encoding="utf-8").replace(
        "site_url: https://example.test/notes/\n", ""), encoding="utf-8")
    assert _screen(blog, site_name="Notes").view.cards == {}  # no address: no og:image to point at it


def test_a_redacted_title_is_the_title_on_the_card(blog):
    post = blog / "posts/learning/2026-03-02-pricing-page-test.md"
    post.write_text(post.read_text(encoding="utf-8").replace(
        "title: Testing the pricing page headline", "title: Testing the Project Heron headline"), encoding="utf-8")
    assert [p.field for p in _screen(blog, site_name="Notes").problems] == ["title"]  # reported once, on the title

    screened = _screen(blog, site_name="Notes", redact=True)

    assert screened.problems == []
    assert screened.view.cards["pricing-page-test"].title == "Testing the a customer headline"


def test_a_name_the_card_spells_across_its_lines_is_an_error_at_the_title(blog):
    """"Project" ends the site's name and "Heron" starts the title: neither is a term alone, the card
    shows them one under the other."""
    post = blog / "posts/learning/2026-03-02-pricing-page-test.md"
    post.write_text(post.read_text(encoding="utf-8").replace(
        "title: Testing the pricing page headline", "title: Heron wings and headlines"), encoding="utf-8")

    problems = _screen(blog, site_name="Notes on a project").problems

    assert [str(p) for p in problems] == [
        'posts/learning/2026-03-02-pricing-page-test.md:2: title: confidential term "Project Heron" in the post\'s '
        "share card (its title, the site's name and the author, drawn together) (change the title, so that the card "
        "does not spell it)"]


def test_the_audit_reads_no_chance_letters_in_a_cards_compressed_pixels_but_reads_stored_ones():
    """A card's deflated pixels hold about ten runs of printable bytes (chance): a site of a thousand
    cards would hold a three-letter name somewhere. Compressed image data is not read as text; pixels
    stored as drawn are, like every other chunk."""
    from notepress.filetext import PRINTABLE_RUN, file_text

    data = render(Card("Walked the P&L with finance", "Product notes", "Ana Li"))
    chance = [m.group().decode() for m in PRINTABLE_RUN.finditer(data)]
    assert chance  # there are some
    assert not any(run in file_text(data, ".png") for run in chance if len(run) >= 8)

    name = b"Harborview Outfitters"  # one row of grey pixels, filter None, stored: the bytes as drawn

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    stored = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", len(name), 1, 8, 0, 0, 0, 0))
              + chunk(b"IDAT", zlib.compress(b"\x00" + name, 0)) + chunk(b"IEND", b""))
    assert _png(stored).tobytes() == name
    assert "Harborview Outfitters" in file_text(stored, ".png")
