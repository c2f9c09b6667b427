"""What a built file says, whatever its format: the text the audit compares.

The second line behind attachments.py, reading with the same libraries: PDFs through PDFium and
qpdf (page text, every string, XMP), images through Pillow (EXIF with its UTF-16 tags, GPS, XMP,
IPTC, comments, text chunks), besides the byte-level readers below. Nothing is skipped as binary. Gzip, bzip2 and xz are unpacked; UTF-16 is decoded; JSON gives its
strings; HTML and XML what a reader sees (text.markup_text); zip archives (.docx, .xlsx, .epub)
their members; PDFs their streams and strings (literal, hex, UTF-16); PNGs their text chunks
(plain, compressed, international); any other binary format (image, font, database) the runs of
text inside it. A file identical to the installed theme's file at the same place is the theme's.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from .text import BLOCK, markup_text

BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO",
                b"%PDF", b"\x00\x00\x01\x00", b"BM", b"SQLite format 3")
PRINTABLE_RUN = re.compile(rb"[\x20-\x7e\t\n\r]{8,}")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
PDF_ARRAY = re.compile(rb"\[((?:\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|[^\]])*)\]\s*TJ", re.DOTALL)
PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)|<([0-9A-Fa-f\s]*)>")
PDF_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
UNPACK = ((b"\x1f\x8b", gzip.decompress), (b"BZh", bz2.decompress), (b"\xfd7zXZ\x00", lzma.decompress))
MAX_DEPTH = 2


def file_text(data: bytes, suffix: str, depth: int = 0) -> str:
    for magic, unpack in UNPACK:
        if data.startswith(magic) and depth < MAX_DEPTH:
            try:
                return file_text(unpack(data), suffix, depth + 1)
            except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
                break
    if data.startswith(b"PK\x03\x04") and depth < MAX_DEPTH:
        return _archive(data, depth)
    if data.startswith(BINARY_MAGIC):
        return BLOCK.join([*_pdf_text(data), *_pdf_read(data), *_png_text(data), *_image_metadata(data),
                           _runs(_png_without_compressed_pixels(data))])
    raw = _decode(data)
    text = raw
    if suffix == ".json" or raw.lstrip()[:1] in ("{", "["):
        try:
            text = BLOCK.join(_strings(json.loads(raw)))
        except ValueError:
            pass
    if "<" in text or "&" in text or "%" in text or "data:" in text:
        xml = suffix in (".xml", ".rss", ".atom") or raw.lstrip().startswith("<?xml")
        text = markup_text(text, escaped=2 if xml else 1)  # a feed carries escaped HTML
    if "\x00" in text:  # zero bytes in text that is not UTF-16: read its runs of text as well
        text += BLOCK + _runs(data)
    return text


PNG = b"\x89PNG\r\n\x1a\n"
EXIF_CHUNKS = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b""}  # b"": a chunk cut short, or bytes after the last


def _png_kinds(data: bytes) -> set[bytes]:
    """The kinds of chunk a PNG holds (b"" for a cut one, or bytes after the last whole chunk)."""
    kinds, at = set(), 8
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        at += 12 + length
        kinds.add(kind if at <= len(data) else b"")
    return kinds | ({b""} if at < len(data) else set())


def _png_without_compressed_pixels(data: bytes) -> bytes:
    """A PNG without its image data when that data is compressed (every PNG notepress publishes:
    attachments re-encoded and share cards): deflate writes it as bit-packed codes, so a run of
    letters in it is chance, and a site of a thousand share cards holds ten thousand such runs, in
    which a three-letter name turns up. Stored pixels (compression level 0) are bytes as drawn, and
    are read; so is every other chunk and anything after the image's end. Any other file as it is."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    kept, pixels, at = [data[:8]], [], 8
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if end > len(data):
            break
        (pixels if kind == b"IDAT" else kept).append(data[at + 8:at + 8 + length] if kind == b"IDAT" else data[at:end])
        at = end
    kept.append(data[at:])
    stream = b"".join(pixels)
    try:  # how much its first 4 KiB unpack to: stored data the same, deflated data several times more
        unpacker = zlib.decompressobj()
        head = stream[:4096]
        out = unpacker.decompress(head, 16 * len(head))
        compressed = len(out) > 1.2 * (len(head) - len(unpacker.unconsumed_tail))
    except zlib.error:
        compressed = False
    return b"".join(kept) if compressed else data


def _runs(data: bytes) -> str:
    return "\n".join(m.group().decode("ascii") for m in PRINTABLE_RUN.finditer(data))


def _decode(data: bytes) -> str:
    """UTF-8, or UTF-16 (with a byte order mark, or the zero bytes of mostly-ASCII text in it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if len(data) >= 4 and data.count(b"\x00") * 3 > len(data):
        half = len(data) // 2
        even, odd = data[0::2].count(b"\x00"), data[1::2].count(b"\x00")
        if max(even, odd) > 0.9 * half and min(even, odd) < 0.1 * half:  # every other byte zero: UTF-16
            return data.decode("utf-16-be" if even > odd else "utf-16-le", errors="replace")
    return data.decode("utf-8", errors="replace")


def _archive(data: bytes, depth: int) -> str:
    texts = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist()[:10_000]:
                if not info.is_dir() and info.file_size < 64 * 2**20:
                    texts += [info.filename, file_text(archive.read(info), Path(info.filename).suffix, depth + 1)]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, zlib.error, EOFError):
        pass
    return BLOCK.join([*texts, _runs(data)])


def _pdf_text(data: bytes) -> list[str]:
    """A PDF's strings, in the file and in its streams unpacked: literal `(…)` and hex `<…>`, UTF-16
    when they say so; a line shown as `[(Nor) -20 (thwind)] TJ` is one piece of text."""
    if not data.startswith(b"%PDF"):
        return []
    parts = [data]
    for m in PDF_STREAM.finditer(data):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    out = []
    for part in parts:
        out += ["".join(_pdf_string(s) for s in PDF_STRING.finditer(array)) for array in PDF_ARRAY.findall(part)]
        out += [_pdf_string(s) for s in PDF_STRING.finditer(part)]
    return out


def _pdf_read(data: bytes) -> list[str]:
    """A PDF as the libraries the publishing side uses read it (attachments.py): every page's text
    (through the fonts' maps), every string object, and the XMP metadata's text."""
    if not data.startswith(b"%PDF"):
        return []
    from .attachments import Refused, _pdf_page_text, _pdf_strings

    out: list[str] = []
    for reader in (_pdf_page_text, _pdf_strings, _pdf_xmp):
        try:
            out += reader(data)
        except Refused:  # text no font maps: the audit reads what it can
            continue
        except Exception:  # noqa: BLE001 - a broken PDF: the byte-level readers above still read it
            continue
    return out


def _pdf_xmp(data: bytes) -> list[str]:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        metadata = pdf.Root.get("/Metadata")
        return [markup_text(metadata.read_bytes().decode("utf-8", "replace"))] if metadata is not None else []


def _image_metadata(data: bytes) -> list[str]:
    """What an image carries besides its pixels, as Pillow reads it: text chunks, comments, EXIF
    (every IFD; Windows' UTF-16 XP tags decoded), GPS, XMP and IPTC."""
    from PIL import Image, IptcImagePlugin

    out: list[str] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            values = list(image.info.values())
            # A PNG's EXIF is in an eXIf chunk or a text chunk; without either, Pillow would decode
            # every pixel to look for one after the image data, and find none.
            exif = image.getexif() if not data.startswith(PNG) or _png_kinds(data) & EXIF_CHUNKS else Image.Exif()
            for ifd in (exif, *(exif.get_ifd(tag) for tag in (0x8769, 0x8825, 0xA005))):
                for tag, value in ifd.items():
                    if 0x9C9B <= tag <= 0x9C9F and isinstance(value, (bytes, tuple)):
                        value = bytes(value).decode("utf-16-le", "replace")  # XPTitle … XPSubject
                    values.append(value)
            if image.format == "JPEG":
                values += list((IptcImagePlugin.getiptcinfo(image) or {}).values())
    except Exception:  # noqa: BLE001 - not an image Pillow reads: the byte-level readers still read it
        return out
    stack = values
    while stack:
        value = stack.pop()
        if isinstance(value, bytes):
            out.append(value.decode("utf-8", "replace"))
        elif isinstance(value, str):
            out.append(markup_text(value) if "<" in value else value)
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return out


def _pdf_string(m: re.Match) -> str:
    literal, hexa = m.groups()
    if hexa is not None:
        digits = re.sub(rb"\s", b"", hexa)
        raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    else:
        raw = PDF_ESCAPE.sub(lambda e: _pdf_escape(e.group(1)), literal)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def _pdf_escape(code: bytes) -> bytes:
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)


def _png_text(data: bytes) -> list[str]:
    """A PNG's text chunks: tEXt (Latin-1), zTXt (compressed), iTXt (UTF-8, compressed or not)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return []
    out, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        at += 12 + length
        try:
            if kind == b"tEXt":
                out.append(body.replace(b"\x00", b" ").decode("latin-1"))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\x00")
                out.append(f"{key.decode('latin-1')} {zlib.decompress(rest[1:]).decode('latin-1')}")
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\x00")
                compressed, rest = rest[0], rest[2:]
                language, _, rest = rest.partition(b"\x00")
                translated, _, text = rest.partition(b"\x00")
                text = zlib.decompress(text) if compressed else text
                out.append(" ".join(x.decode("utf-8", "replace") for x in (key, translated, text)))
        except (zlib.error, IndexError):
            continue
    return out


def _strings(value) -> list[str]:
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):  # keys too: a tag or a title can be a key
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


class ThemeFiles:
    """The files the theme ships: a site file identical to the theme's file at the same place (a
    script, a font, an icon copied as installed) holds nothing the writer wrote, and is not read."""

    def __init__(self, folders: Iterable[Path]):
        self.folders = list(folders)

    def has(self, rel: Path, data: bytes) -> bool:
        for folder in self.folders:
            path = folder / rel
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return True
            except OSError:
                continue
        return False


