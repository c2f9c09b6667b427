"""The files a public entry links or shows: published only in a form notepress has read completely.

A deny-list of what to search a file for loses to every format not yet taught (fonts in a PDF,
EXIF, XMP, SVG labels, archives, encodings). So a file is allowed by its format, read with a
maintained library that understands the format, stripped of what a reader never needs, and
published as the bytes that were read; a format notepress cannot read completely is refused.

| format | read with | what is published |
|---|---|---|
| PNG, JPEG, GIF, WebP | Pillow | the pixels, re-encoded: no EXIF, GPS, XMP, IPTC, ICC profile, comments or text chunks (a photo is turned upright first) |
| SVG | the standard XML parser | the file as written; every text node, attribute and comment is read; scripts, foreign objects, embedded or external images, entities are refused |
| PDF | pikepdf (qpdf) and pypdfium2 (PDFium) | the document rewritten with only what its pages use: no document info, XMP, JavaScript, bookmarks or old revisions; every page's text and every string left in it is read; attached files, encryption and text a font cannot map are refused |
| text (.txt .csv .tsv .json .md) | charset-normalizer | the text, decoded by its detected encoding, as UTF-8 |
| anything else (office files, archives, fonts, video) | — | refused: convert it to one of the above |

    found = read(path)            # Attachment(name, data, text) or raises Refused (one line: why, what to do)

The caller checks `found.text` (with the file's name) against the confidential terms, and publishes
`found.data` under `found.name`: a name made of the published bytes' digest, so that the file's own
name (which may hold a customer's) is never published.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

FOLDER = "attachments"  # where the published files are, beside the generated posts (blog/attachments/ on the site)
IMAGES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
TEXT = (".txt", ".csv", ".tsv", ".json", ".md")
FORMATS = "PNG, JPEG, GIF, WebP, SVG, PDF or text (.txt, .csv, .tsv, .json)"
MAX_BYTES = 50 * 2**20  # a larger file is refused: every byte of it is read
MAX_PIXELS = 80_000_000  # Pillow's decompression-bomb limit, stated here
UNREADABLE = 0.05  # a PDF whose text is more than this share of characters no font maps is refused


class Refused(Exception):
    """A file notepress does not publish: `why`, and what to do (`fix`)."""

    def __init__(self, why: str, fix: str = ""):
        super().__init__(why)
        self.why, self.fix = why, fix or f"convert it to {FORMATS}, or remove the link"


@dataclass(frozen=True)
class Attachment:
    name: str  # the published file's name: a digest of `data` and the format's suffix
    data: bytes  # what is published
    text: str  # everything in `data` a person or a program could read as text (checked for terms)


def read(path: Path) -> Attachment:
    """The file at `path` as it is published (see the module's table); Refused when it cannot be."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise Refused(f"is {size / 2**20:.0f} MB, more than the {MAX_BYTES // 2**20} MB notepress reads",
                          "make it smaller, or link it from where it is hosted")
        raw = path.read_bytes()
    except OSError as e:
        raise Refused(f"cannot be read ({e.strerror or e})", "make it a readable file")
    if suffix in IMAGES:
        data, text, suffix = _image(raw, IMAGES[suffix]), "", ".jpg" if IMAGES[suffix] == "JPEG" else suffix
    elif suffix == ".svg":
        data, text = raw, _svg_text(raw)
    elif suffix == ".pdf":
        data, text = _pdf(raw)
    elif suffix in TEXT:
        text = _decode(raw)
        data = text.encode("utf-8")
    else:
        kind = f"{suffix} files" if suffix else "files without a type in their name"
        raise Refused(f"notepress cannot read {kind} completely, so it does not publish them")
    return Attachment(hashlib.sha256(data).hexdigest()[:20] + suffix, data, text)


PIXEL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}  # a PNG's pixels, and nothing else


def generated(data: bytes, suffix: str, text: str) -> Attachment:
    """A file notepress made itself (a post's share card: card.py) as it is published: an image is
    read back (a PNG chunk by chunk: only its pixels' chunks may be in it; any other image like a
    re-encoded one), and named by its digest. `text` is everything it shows, which the caller
    checks like the page."""
    if suffix == ".png":
        left = sorted(kind.decode("latin-1") or "a cut chunk" for kind in set(_png_chunks(data)) - PIXEL_CHUNKS)
        if left or not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise Refused(f"holds more than pixels ({', '.join(left) or 'not a PNG'})",
                          "report this: notepress made it")
    elif suffix in IMAGES:
        _stripped(data, IMAGES[suffix])
    return Attachment(hashlib.sha256(data).hexdigest()[:20] + suffix, data, text)


def _png_chunks(data: bytes) -> list[bytes]:
    """The kinds of a PNG's chunks, in order (anything after the last whole chunk is one more, b"")."""
    kinds, at = [], 8
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        at += 12 + length
        kinds.append(kind if at <= len(data) else b"")
    return kinds + ([b""] if at < len(data) else [])


THEME_TEXT = (".css", ".js", ".mjs", ".xsl", ".xslt", ".xml", ".html", ".htm", ".txt", ".json", ".csv", ".tsv",
              ".webmanifest", ".yml", ".yaml")


def read_asset(path: Path) -> Attachment:
    """A file of docs/ beside the hand-written pages, published under its own name (the pages link
    it so): a stylesheet, script or template read as text and published as written; any other file
    read and published as an attachment is."""
    if path.suffix.lower() not in THEME_TEXT:
        found = read(path)
        return Attachment(path.name, found.data, found.text)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise Refused(f"cannot be read ({e.strerror or e})", "make it a readable file")
    return Attachment(path.name, raw, _decode(raw))


# -- images ----------------------------------------------------------------------------------------

def _image(raw: bytes, fmt: str) -> bytes:
    """The image's pixels re-encoded in its format, without metadata; checked by reading it back."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_PIXELS
            with Image.open(io.BytesIO(raw)) as image:
                if image.format != fmt:
                    raise Refused(f"is not a {fmt} image (its bytes are {image.format or 'something else'})",
                                  "give it the suffix of its format, or convert it")
                frames = [_pixels(ImageOps.exif_transpose(f.copy()) if fmt == "JPEG" else f.copy())
                          for f in ImageSequence.Iterator(image)]
                durations = image.info.get("duration"), image.info.get("loop")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as e:
        raise Refused(f"is not an image Pillow can read ({' '.join(str(e).split())[:120]})",
                      "export it again as PNG or JPEG")
    out = io.BytesIO()
    options: dict = {"quality": 90} if fmt == "JPEG" else {"lossless": True} if fmt == "WEBP" else {}
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:])
        if durations[0] is not None:
            options["duration"] = durations[0]
        if durations[1] is not None:
            options["loop"] = durations[1]
    frames[0].save(out, fmt, **options)
    _stripped(out.getvalue(), fmt)
    return out.getvalue()


def _pixels(frame):
    """A new image holding only `frame`'s pixels (and its palette and transparency): nothing of its `info`."""
    from PIL import Image

    mode = frame.mode if frame.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else "RGBA" if "A" in frame.mode else "RGB"
    if mode != frame.mode:
        frame = frame.convert(mode)
    clean = Image.frombytes(mode, frame.size, frame.tobytes())
    if mode == "P":
        clean.putpalette(frame.getpalette() or [])
        if "transparency" in frame.info:
            clean.info["transparency"] = frame.info["transparency"]
    return clean


# What Pillow reports of an image it wrote itself, none of which carries text.
HARMLESS_INFO = {"dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density", "transparency", "duration", "loop",
                 "background", "version", "progression", "progressive", "gamma", "aspect", "extension", "lossless"}


def _stripped(data: bytes, fmt: str) -> None:
    """Read the re-encoded image back: no EXIF, XMP, ICC, comment or text may be left in it."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        left = set(image.info) - HARMLESS_INFO
        if left or len(image.getexif()):
            raise Refused(f"keeps metadata ({', '.join(sorted(left)) or 'EXIF'}) after re-encoding as {fmt}",
                          "export it again as PNG")


# -- SVG -------------------------------------------------------------------------------------------

SVG_REFUSED = {"script": "a script", "foreignObject": "a foreign object (HTML inside the drawing)",
               "iframe": "a frame", "object": "an embedded object", "embed": "an embedded object"}
LINK_ATTRIBUTES = ("href", "{http://www.w3.org/1999/xlink}href", "src")


def _svg_text(raw: bytes) -> str:
    """Every text node, attribute value, comment and processing instruction of the drawing."""
    import xml.etree.ElementTree as ET

    head = raw[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in raw.lower():
        raise Refused("declares a document type or entities (text defined elsewhere)",
                      "remove the <!DOCTYPE …> and <!ENTITY …> lines, or export it again")
    try:
        root = ET.fromstring(raw, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True)))
    except ET.ParseError as e:
        raise Refused(f"is not a well-formed SVG drawing ({e})", "export it again as SVG or PNG")
    shown: list[str] = []  # the drawing's text in document order: labels next to each other read together
    parts: list[str] = []  # attribute names and values, comments, instructions
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        local = tag.rpartition("}")[2]
        if local in SVG_REFUSED:
            raise Refused(f"holds {SVG_REFUSED[local]}, which notepress does not publish",
                          "export the drawing as plain SVG or as PNG")
        for name, value in element.attrib.items():
            if name in LINK_ATTRIBUTES or name.rpartition("}")[2] == "href":
                if not value.strip().startswith("#"):
                    raise Refused(f"links or embeds another file ({value.strip()[:40]}…) in <{local}>",
                                  "export the drawing with everything in it as PNG, or link that file on its own")
            parts += [name.rpartition("}")[2], value]
        styles = element.attrib.get("style", "") + ((element.text or "") if local == "style" else "")
        if "url(" in styles.replace("url(#", "") or "@import" in styles:
            raise Refused(f"loads another file through its style in <{local}>", "export the drawing as PNG")
        (shown if isinstance(element.tag, str) else parts).append(element.text or "")
        shown.append(element.tail or "")
    return "\n".join(p for p in [*shown, *parts] if p and p.strip())


# -- PDF -------------------------------------------------------------------------------------------

DROPPED = ("/Metadata", "/Outlines", "/OpenAction", "/AA", "/PieceInfo", "/Names", "/Threads", "/SpiderInfo",
           "/Perms", "/Legal", "/Collection")


def _pdf(raw: bytes) -> tuple[bytes, str]:
    """The document rewritten with only what its pages need (qpdf writes the objects in use, so
    text deleted in an earlier revision is gone), and everything in it that reads as text."""
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError:
        raise Refused("is encrypted with a password", "publish a copy without a password")
    except pikepdf.PdfError as e:
        why = re.sub(r"^.*?<_io\.BytesIO object at 0x[0-9a-f]+>:?\s*", "", " ".join(str(e).split()))
        raise Refused(f"is not a PDF notepress can read (qpdf: {why[:100]})", "export it again as PDF")
    with pdf:
        if pdf.attachments:
            raise Refused(f"holds {len(pdf.attachments)} attached file(s)", "export it again without attachments")
        for key in DROPPED:
            if key in pdf.Root:
                del pdf.Root[key]
        for page in pdf.pages:
            for key in ("/PieceInfo", "/AA", "/Thumb"):
                if key in page.obj:
                    del page.obj[key]
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        out = io.BytesIO()
        pdf.save(out, encryption=False, deterministic_id=True, fix_metadata_version=False)
    data = out.getvalue()
    return data, "\n".join([*_pdf_page_text(data), *_pdf_strings(data)])


def _pdf_page_text(data: bytes) -> list[str]:
    """Every page's text as PDFium reads it (hidden text too); refused where the fonts map too little."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    texts = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            letters = [c for c in text if not c.isspace()]
            unmapped = sum(1 for c in letters if c in "\ufffd\x00" or unicodedata.category(c) in ("Co", "Cc", "Cn"))
            if letters and unmapped > UNREADABLE * len(letters):
                raise Refused(f"has text on page {i + 1} that its fonts do not map to letters, so it cannot be read",
                              "export it again with text (not outlines or custom encodings), or as an image")
            texts.append(text)
    finally:
        pdf.close()
    return texts


def _pdf_strings(data: bytes) -> list[str]:
    """Every string object left in the document: link targets, annotations, form values, alt texts."""
    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:  # every object in the file; each walked into its direct parts only
            stack = [obj]
            while stack:
                value = stack.pop()
                if isinstance(value, pikepdf.String):
                    out.append(str(value))
                    continue
                if isinstance(value, pikepdf.Stream):
                    value = value.stream_dict
                if isinstance(value, (pikepdf.Array, pikepdf.Dictionary)):
                    children = list(value) if isinstance(value, pikepdf.Array) else list(value.values())
                    stack += [c for c in children if not getattr(c, "is_indirect", False)]
    return out


# -- text ------------------------------------------------------------------------------------------

def _decode(raw: bytes) -> str:
    """UTF-8 (with or without its mark), else the encoding charset-normalizer finds most likely."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise Refused("is not text in any encoding notepress recognises", "save it as UTF-8 text")
    return str(best)
