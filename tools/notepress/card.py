"""The share card of a public post: the picture a network shows beside a link to it.

A post that shows an image of its own shares that image (share.py). Every other public post gets a
card: a 1200x630 PNG, the size Open Graph and Twitter's large card expect (as Material's social
plugin makes them), with the post's title, the site's name and the author, drawn with Pillow.

    card = Card(title, site, author)            # what it says: checked like the page (screen.py)
    made = publish({slug: card}, root)          # Made: slug -> attachments.Attachment; cards drawn

The text is the screened post's (redacted when the build redacts), so a card says nothing its page
does not. A card is published like an attachment: beside the posts, under the digest of its bytes,
checked to carry no metadata (attachments.generated), and audited with the site. Cards are kept in
cache.py's store under what they say and the fonts that draw them, so a build draws only the cards
of new or retitled posts (a CI build that restores the cache folder too).

Fonts: DejaVu Sans, the system's (tools/install.sh installs fonts-dejavu-core) or the copy a
package ships (matplotlib's); else the sans-serif fontconfig offers; else Pillow's own font. A text
in a script that font lacks is drawn with a font fontconfig finds for it; characters no font has
are written in Latin letters (anyascii) or left out, never drawn as empty boxes. Long titles wrap
(between words; between characters in scripts written without spaces) and shrink, and are cut
with "…" past five lines.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import os
import shutil
import subprocess
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

from .attachments import Attachment, generated
from .text import GRAPHEME, NOSPACE

SIZE = WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BACKGROUND = (0x40, 0x51, 0xB5)  # Material's indigo, the colour of the authors' badges
TITLE_SIZES = (72, 64, 56, 48)  # px: the largest at which the title fits
SMALL = 34  # px: the site's name and the author
TITLE_TOP, TITLE_BOTTOM = 150, HEIGHT - 130  # the band the title is centred in
LINE = 1.22  # line height, in font sizes
SITE_SHADE, AUTHOR_SHADE, RULE_SHADE = 220, 240, 150  # of 255: how close to white (white on the background)
RULE = 96, 6  # px
PALETTE = [round(c + (255 - c) * i / 255) for i in range(256) for c in BACKGROUND]  # shade -> colour
ELLIPSIS = "…"

# Where DejaVu Sans is: Debian and Ubuntu, Fedora, Arch, openSUSE; a folder of fonts as is.
FONT_FILES = {"bold": "DejaVuSans-Bold.ttf", "regular": "DejaVuSans.ttf"}
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
                "/Library/Fonts", "~/Library/Fonts", "/opt/homebrew/share/fonts", "C:/Windows/Fonts")
FONT_SUBFOLDERS = ("truetype/dejavu", "dejavu-sans-fonts", "TTF", "truetype", "dejavu", "")
FONTCONFIG = {"bold": "DejaVu Sans:bold", "regular": "DejaVu Sans"}


@dataclass(frozen=True)
class Card:
    """What a share card says."""

    title: str
    site: str = ""  # mkdocs.yml's site_name
    author: str = ""  # the post's authors' names

    @property
    def text(self) -> str:
        """Everything the card shows, as the screen checks it."""
        return "\n".join(t for t in (self.site, self.title, self.author) if t)


@dataclass(frozen=True)
class Made:
    cards: dict  # slug -> attachments.Attachment, as published
    drawn: int  # cards drawn by this build (the others came from the cache)


def publish(cards: dict[str, Card], root: Path) -> Made:
    """Each card as the PNG published beside the posts, drawn only when the cache of the writing
    repo at `root` does not hold it (cards are kept under what they say and the fonts drawing them)."""
    if not cards:
        return Made({}, 0)
    from .cache import Store

    fonts = found_fonts()
    store = Store("cards", root, key=fonts.key)
    out, drawn = {}, 0
    for slug, card in cards.items():
        texts = fonts.texts(card)  # what is drawn with which font: the card's key (no layout yet)
        name = hashlib.blake2b(repr(texts).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        found = store.get(name)
        if found is None:
            made = generated(draw(fonts.layout(texts)), ".png", card.text)  # read back: no metadata
            found = (made.name, made.data)
            store.put(name, found)
            drawn += 1
        out[slug] = Attachment(*found, card.text)
    store.save()
    return Made(out, drawn)


def render(card: Card) -> bytes:
    """The card as PNG bytes (uncached)."""
    return draw(found_fonts().lines(card))


# -- fonts -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Face:
    """A font file ("" for Pillow's own font) and the digest of its bytes."""

    path: str
    digest: str

    @classmethod
    def of(cls, path: str) -> Face:
        try:
            return cls(path, hashlib.blake2b(Path(path).read_bytes(), digest_size=12).hexdigest())
        except OSError:
            return cls("", "")

    def font(self, size: int):
        return _font(self.path, size)

    def covers(self, char: str) -> bool:
        return _covers(self.path, char)


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int):
    from PIL import ImageFont

    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size)  # Pillow's own (FreeType) font: Latin only


@functools.lru_cache(maxsize=4096)
def _covers(path: str, char: str) -> bool:
    """Does the font have a glyph for `char`? (FreeType draws a missing one as the font's "no glyph"
    box, the same as for a code point no font has.)"""
    if char.isspace() or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return True
    font = _font(path, 24)
    return _mask(font, char) != _mask(font, "\U0010fffd")


def _mask(font, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@dataclass(frozen=True)
class Fonts:
    bold: Face  # the title
    regular: Face  # the site's name and the author

    @property
    def key(self) -> tuple:
        return (self.bold.digest, self.regular.digest)

    def texts(self, card: Card) -> tuple[tuple[Face, str], ...]:
        """The site's name, the title and the author as drawn, each with the face that draws it."""
        return (_drawable(card.site, self.regular), _drawable(card.title, self.bold),
                _drawable(card.author, self.regular))

    def lines(self, card: Card) -> tuple:
        return self.layout(self.texts(card))

    def layout(self, texts: tuple[tuple[Face, str], ...]) -> tuple:
        """What is drawn, as plain data: (font file, size, shade, x, anchor, y, text) per line of
        text; the rule under the site's name has no font file."""
        (site_face, site), (title_face, title), (author_face, author) = texts
        out = [(None, 0, RULE_SHADE, *_x(site or title), MARGIN + SMALL + 8, "")]  # a short rule under the name
        if site:
            out.append((site_face.path, SMALL, SITE_SHADE, *_x(site), MARGIN - 8, _cut(site, site_face.font(SMALL))))
        if author:
            out.append((author_face.path, SMALL, AUTHOR_SHADE, *_x(author), HEIGHT - MARGIN - SMALL,
                        _cut(author, author_face.font(SMALL))))
        size, wrapped = _fit(title, title_face)
        height = round(size * LINE)
        top = TITLE_TOP + (TITLE_BOTTOM - TITLE_TOP - height * len(wrapped)) // 2
        for i, line in enumerate(wrapped):
            out.append((title_face.path, size, 255, *_x(title), top + i * height, line))
        return tuple(out)


@functools.cache
def found_fonts() -> Fonts:
    """The fonts cards are drawn with on this machine (looked for once per process)."""
    return Fonts(Face.of(find_font("bold")), Face.of(find_font("regular")))


def find_font(weight: str) -> str:
    """The path of DejaVu Sans in `weight` ("bold" or "regular"), or of the sans-serif font
    fontconfig matches, or "" (Pillow's own font)."""
    name = FONT_FILES[weight]
    for folder in FONT_FOLDERS:
        base = Path(os.path.expanduser(folder))
        for sub in FONT_SUBFOLDERS:
            if (base / sub / name).is_file():
                return str(base / sub / name)
    matplotlib = importlib.util.find_spec("matplotlib")
    for folder in (matplotlib.submodule_search_locations or []) if matplotlib else []:
        if (Path(folder) / "mpl-data/fonts/ttf" / name).is_file():
            return str(Path(folder) / "mpl-data/fonts/ttf" / name)
    return _fontconfig(["fc-match", "-f", "%{file}", FONTCONFIG[weight]])


@functools.lru_cache(maxsize=64)
def fallback(chars: str) -> str:
    """A font fontconfig knows with a glyph for every one of `chars`, bold sans-serif preferred; "" if none."""
    found = _fontconfig(["fc-list", "-f", "%{file}\t%{style}\t%{family}\n",
                         ":charset=" + " ".join(f"{ord(c):x}" for c in sorted(set(chars)))], every=True)
    ranked = sorted((line.split("\t") + ["", ""])[:3] for line in found.splitlines() if line.strip())
    ranked.sort(key=lambda f: ("Bold" not in f[1], "Mono" in f[2], "Serif" in f[2], f[0]))
    return ranked[0][0] if ranked else ""


def _fontconfig(command: list[str], every: bool = False) -> str:
    if shutil.which(command[0]) is None:
        return ""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    out = done.stdout.strip() if done.returncode == 0 else ""
    return out if every or Path(out).is_file() else ""


# -- text ---------------------------------------------------------------------------------------------

def _drawable(text: str, face: Face) -> tuple[Face, str]:
    """`text` in one line of plain characters, and the face that draws it: `face`, or a font that has
    the characters `face` lacks; what no font has is written in Latin letters or left out."""
    text = " ".join("".join(c for c in unicodedata.normalize("NFC", text)
                            if unicodedata.category(c) not in ("Cc", "Cf") or c in "\u200c\u200d").split())
    missing = "".join(dict.fromkeys(c for c in text if not face.covers(c)))
    if not missing:
        return face, text
    other = fallback(missing)
    if other and all(_covers(other, c) for c in text):
        return Face(other, ""), text
    shown = "".join(g if all(face.covers(c) for c in g) else _latin(g) for g in GRAPHEME.findall(text))
    return face, " ".join(shown.split())


def _latin(grapheme: str) -> str:
    latin = anyascii(grapheme)
    return latin if latin.replace(" ", "").isalnum() else ""


def _x(text: str) -> tuple[int, str]:
    """Where a line starts and Pillow's anchor: right-aligned for a right-to-left script."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return WIDTH - MARGIN, "ra"
        if kind == "L":
            break
    return MARGIN, "la"


def _fit(text: str, face: Face) -> tuple[int, list[str]]:
    """The largest title size whose wrapped lines fit the band, else the smallest, cut with "…"."""
    for size in TITLE_SIZES:
        lines = _wrap(text, face.font(size))
        if len(lines) * round(size * LINE) <= TITLE_BOTTOM - TITLE_TOP:
            return size, lines
    most = (TITLE_BOTTOM - TITLE_TOP) // round(size * LINE)
    font = face.font(size)
    return size, [*lines[:most - 1], _cut(" ".join(lines[most - 1:]), font, always=True)]


def _units(text: str) -> list[str]:
    """Where a line may break: after a word and its spaces, and around each character of a script
    written without spaces."""
    units, word = [], ""
    for g in GRAPHEME.findall(text):
        if NOSPACE.match(g):
            units += [word, g] if word else [g]
            word = ""
        elif g.isspace():
            word += g
            units.append(word)
            word = ""
        else:
            word += g
    return [u for u in [*units, word] if u]


def _wrap(text: str, font, width: int = WIDTH - 2 * MARGIN) -> list[str]:
    lines, line = [], ""
    for unit in _units(text):
        if font.getlength((line + unit).rstrip()) <= width:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = unit.lstrip()
        while font.getlength(line.rstrip()) > width:  # a word longer than a line: broken anywhere
            graphemes = GRAPHEME.findall(line)
            cut = max(1, next(i for i in range(len(graphemes), 0, -1)
                              if font.getlength("".join(graphemes[:i])) <= width or i == 1))
            lines.append("".join(graphemes[:cut]))
            line = "".join(graphemes[cut:])
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _cut(text: str, font, width: int = WIDTH - 2 * MARGIN, always: bool = False) -> str:
    """`text` in one line of `width`: shortened at a word (or a character) and ended with "…"."""
    if not always and font.getlength(text) <= width:
        return text
    graphemes = GRAPHEME.findall(text)
    while graphemes and font.getlength("".join(graphemes).rstrip(" ,;:") + ELLIPSIS) > width:
        graphemes.pop()
    head = "".join(graphemes).rstrip(" ,;:")
    spaced = head.rsplit(" ", 1)[0] if " " in head and len(head) > 20 else head
    return (spaced if len(spaced) > len(head) * 0.6 else head) + ELLIPSIS


# -- drawing ------------------------------------------------------------------------------------------

def draw(lines: tuple) -> bytes:
    """The card's pixels as PNG: drawn in shades between the background (0) and white (255), saved
    with a palette of those shades (a quarter of the bytes of RGB, and as quick to write)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", SIZE, 0)
    pen = ImageDraw.Draw(image)
    for path, size, shade, x, anchor, y, text in lines:
        if path is None:
            left = x if anchor[0] == "l" else x - RULE[0]
            pen.rectangle((left, y, left + RULE[0] - 1, y + RULE[1] - 1), fill=shade)
        else:
            pen.text((x, y), text, font=_font(path, size), fill=shade, anchor=anchor)
    card = Image.frombytes("P", SIZE, image.tobytes())
    card.putpalette(PALETTE)
    out = io.BytesIO()
    card.save(out, "PNG", compress_level=6, compress_type=zlib.Z_RLE)
    return out.getvalue()
