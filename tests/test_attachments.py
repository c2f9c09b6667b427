"""Files beside a public entry reach the site only read completely, stripped, or not at all.

Each file is made by the tool a writer would have used (WeasyPrint for a PDF, Pillow for photos
and screenshots, an SVG as a diagram tool minifies it, a CSV as Excel exports it) and linked from
the public essay of a repo made by `notepress init`; the customer is the one `init` writes.
"""

from __future__ import annotations

import io
import re
import struct
import tarfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from e2e_helpers import init_entry, run_cli
from notepress import attachments

CUSTOMER = "Harborview Outfitters"  # the internal insight `notepress init` writes


@pytest.fixture
def repo(init_copy) -> SimpleNamespace:
    root = init_copy
    essay = root / init_entry(root, "essays")
    return SimpleNamespace(root=root, essay=essay, folder=essay.parent, source=init_entry(root, "essays"))


def link(repo, markdown: str) -> int:
    """Append `markdown` to the public essay; the line it is on."""
    text = repo.essay.read_text(encoding="utf-8").rstrip("\n")
    repo.essay.write_text(f"{text}\n\n{markdown}\n", encoding="utf-8")
    return len(text.split("\n")) + 2


def problems(repo) -> list[str]:
    result = run_cli("-C", str(repo.root), "check")
    return result.stderr.splitlines()


def built(repo, *args: str):
    return run_cli("-C", str(repo.root), "build", *args)


def served(repo, name: str) -> bytes:
    """The bytes the essay's page serves at the address it links for the file shown as `name`."""
    page = next((repo.root / "site").rglob(f"{repo.essay.stem.split('-', 3)[3]}/index.html"))
    html = page.read_text(encoding="utf-8")
    href = re.search(rf'<(?:img|a)\b[^>]*?(?:src|href)="([^"]*attachments/[0-9a-f]+\.[a-z]+)"[^>]*>(?:[^<]*{name})?',
                     html).group(1)
    return (page.parent / href).resolve().read_bytes()


def pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def every_byte_form(data: bytes, text: str) -> bool:
    """`text` anywhere in `data`: as ASCII/UTF-8, UTF-16 (either order), in any case."""
    low = data.lower()
    return any(form.lower() in low for form in (text.encode(), text.encode("utf-16-le"), text.encode("utf-16-be")))


# -- PDF -----------------------------------------------------------------------------------------------

def test_a_pdf_whose_pages_name_the_customer_is_refused_with_the_line(repo):
    """WeasyPrint draws text through subset fonts: the bytes hold glyph codes, not the name."""
    data = pdf(f"<p>Notes from the call with {CUSTOMER}.</p>")
    assert not every_byte_form(data, "Harborview")  # a search of the file's bytes finds nothing
    (repo.folder / "report.pdf").write_bytes(data)
    line = link(repo, "The [full report](report.pdf).")
    assert f'{repo.source}:{line}: body: report.pdf: confidential term "{CUSTOMER}" in the file (remove it from the ' \
           "file, or the link (--redact cannot change a file))" in problems(repo)
    result = built(repo, "--redact")
    assert result.exit_code == 1 and not (repo.root / "site").exists()


def test_a_clean_pdf_is_published_without_its_metadata_or_earlier_revisions(repo):
    """The document info (a title naming the customer), XMP and what an earlier save left are not
    published: the served file is the document rewritten with what its pages use."""
    import pikepdf

    source = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf("<title>Harborview Outfitters notes</title><p>Setup takes three calls.</p>"))) as doc:
        with doc.open_metadata() as xmp:
            xmp["dc:description"] = f"Prepared for {CUSTOMER}"
        doc.Root.Outlines = doc.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(CUSTOMER)))
        doc.save(source)
    (repo.folder / "setup.pdf").write_bytes(source.getvalue())
    link(repo, "Read [the summary](setup.pdf).")
    result = built(repo)
    assert result.exit_code == 0, result.output
    data = served(repo, "the summary")
    assert data.startswith(b"%PDF") and not every_byte_form(data, "Harborview")
    with pikepdf.open(io.BytesIO(data)) as published:
        assert "/Info" not in published.trailer and "/Metadata" not in published.Root
        assert len(published.pages) == 1
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    page = doc[0]
    assert "Setup takes three calls." in page.get_textpage().get_text_range()


def test_a_pdf_with_a_file_attached_or_a_password_is_refused(repo):
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf("<p>Numbers.</p>"))) as doc:
        doc.attachments["customers.csv"] = pikepdf.AttachedFileSpec(doc, b"Harborview Outfitters,12\n")
        attached = io.BytesIO()
        doc.save(attached)
        locked = io.BytesIO()
        doc.save(locked, encryption=pikepdf.Encryption(owner="o", user="secret"))
    (repo.folder / "numbers.pdf").write_bytes(attached.getvalue())
    (repo.folder / "locked.pdf").write_bytes(locked.getvalue())
    first = link(repo, "[numbers](numbers.pdf)")
    second = link(repo, "[locked](locked.pdf)")
    found = problems(repo)
    assert f"{repo.source}:{first}: body: numbers.pdf: holds 1 attached file(s) (export it again without " \
           "attachments)" in found
    assert f"{repo.source}:{second}: body: locked.pdf: is encrypted with a password (publish a copy without a " \
           "password)" in found


# -- images --------------------------------------------------------------------------------------------

def _iptc_app13(keyword: str) -> bytes:
    """A JPEG APP13 segment: Photoshop's IPTC record 2:25 (keywords), as photo tools write it."""
    record = b"\x1c\x02\x19" + struct.pack(">H", len(keyword.encode())) + keyword.encode()
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record + b"\x00" * (len(record) % 2)
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def photo_with_metadata() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010E] = f"Workshop at {CUSTOMER}"  # ImageDescription
    exif[0x9C9C] = "Harborview kickoff".encode("utf-16-le")  # XPComment, Windows' UTF-16
    exif[0x9C9E] = "Harborview;onsite".encode("utf-16-le")  # XPKeywords
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (47.0, 36.0, 22.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"Harborview comment",
               xmp='<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:description>Gemeinsam mit Harborview Überblick'
                   "</dc:description></x:xmpmeta>".encode())
    data = out.getvalue()
    return data[:2] + _iptc_app13("Harborview") + data[2:]


def screenshot_with_metadata() -> bytes:
    from PIL import Image, PngImagePlugin

    image = Image.new("RGBA", (30, 20), (10, 20, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CUSTOMER)
    info.add_itxt("Description", "Örsted and Harborview", zip=True)
    exif = Image.Exif()
    exif[0x010E] = "Harborview"
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif.tobytes())  # an eXIf chunk
    return out.getvalue()


def test_images_are_published_with_their_pixels_only(repo):
    from PIL import Image

    photo, shot = photo_with_metadata(), screenshot_with_metadata()
    assert every_byte_form(photo, "Harborview") and every_byte_form(shot, "Harborview")
    (repo.folder / "kickoff.jpg").write_bytes(photo)
    (repo.folder / "screen.png").write_bytes(shot)
    link(repo, "![The kickoff](kickoff.jpg)\n\n![The screen](screen.png)")
    result = built(repo)
    assert result.exit_code == 0, result.output
    for name, original in (("The kickoff", photo), ("The screen", shot)):
        data = served(repo, name)
        assert not every_byte_form(data, "Harborview") and not every_byte_form(data, "Örsted")
        with Image.open(io.BytesIO(data)) as image:
            assert not len(image.getexif())
            assert not set(image.info) - attachments.HARMLESS_INFO
            if image.format == "JPEG":
                assert image.size == (48, 64)  # turned upright by its orientation before the tag was dropped
                assert b"Exif" not in data and b"Photoshop" not in data and b"http://ns.adobe.com" not in data


def test_an_image_named_after_the_customer_is_published_under_its_digest_with_redact(repo):
    """The file's name is never published, so --redact has nothing to break in the link."""
    (repo.folder / "harborview-outfitters-setup.png").write_bytes(screenshot_with_metadata())
    link(repo, "![The setup](harborview-outfitters-setup.png)")
    checked = run_cli("-C", str(repo.root), "check")  # the link points at the published name: nothing to report
    assert checked.exit_code == 0, checked.output
    result = built(repo, "--redact")
    assert result.exit_code == 0, result.output
    site = repo.root / "site"
    assert not list(site.rglob("*harborview*"))
    assert served(repo, "The setup").startswith(b"\x89PNG")


# -- SVG -----------------------------------------------------------------------------------------------

def test_an_svg_is_read_label_by_label_and_one_that_embeds_an_image_is_refused(repo):
    (repo.folder / "flow.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><g><text x="1">Harborview</text><text x="9">Outfitters</text>'
        "</g></svg>", encoding="utf-8")
    (repo.folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>', encoding="utf-8")
    first = link(repo, "![flow](flow.svg)")
    second = link(repo, "![logo](logo.svg)")
    found = problems(repo)
    assert f'{repo.source}:{first}: body: flow.svg: confidential term "{CUSTOMER}" in the file (remove it from the ' \
           "file, or the link (--redact cannot change a file))" in found
    assert any(p.startswith(f"{repo.source}:{second}: body: logo.svg: links or embeds another file") for p in found)


# -- text, office files, archives ---------------------------------------------------------------------

def test_a_windows_1252_csv_is_read_in_its_encoding(repo):
    """Excel's CSV export: read as UTF-8, "Société Générale" would be "Soci\ufffdt\ufffd G\ufffdn\ufffdrale"."""
    settings = repo.root / "notepress.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "  - Project Lighthouse\n", "  - Project Lighthouse\n  - Société Générale\n"), encoding="utf-8")
    (repo.folder / "export.csv").write_bytes("Kunde;Überblick;Stadt\nSociété Générale;Café;Zürich\n".encode("cp1252"))
    (repo.folder / "clean.csv").write_bytes("Schritt;Überblick\nEinrichtung;Café\n".encode("cp1252"))
    first = link(repo, "[the export](export.csv)")
    assert f'{repo.source}:{first}: body: export.csv: confidential term "Société Générale" in the file (remove it ' \
           "from the file, or the link (--redact cannot change a file))" in problems(repo)
    (repo.folder / "export.csv").unlink()
    repo.essay.write_text(repo.essay.read_text(encoding="utf-8").replace("[the export](export.csv)",
                                                                         "[the steps](clean.csv)"), encoding="utf-8")
    result = built(repo)
    assert result.exit_code == 0, result.output
    assert served(repo, "the steps").decode("utf-8") == "Schritt;Überblick\nEinrichtung;Café\n"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Plan</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def _tar_gz(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.mark.parametrize("name, data", [
    ("plan.docx", _docx()),
    ("bundle.tar.gz", _tar_gz("plan.docx", _docx())),
    ("note.eml", b"Content-Transfer-Encoding: base64\n\nSGFyYm9ydmlldw==\n"),
    ("data.xlsx", _docx()),
    ("README", b"plain words"),
])
def test_a_format_notepress_cannot_read_completely_is_refused_in_one_line(repo, name, data):
    (repo.folder / name).write_bytes(data)
    line = link(repo, f"[the file]({name})")
    suffix = Path(name).suffix
    kind = f"{suffix} files" if suffix else "files without a type in their name"
    assert f"{repo.source}:{line}: body: {name}: notepress cannot read {kind} completely, so it does not publish " \
           f"them (convert it to {attachments.FORMATS}, or remove the link)" in problems(repo)


@pytest.mark.site
def test_both_engines_publish_the_stripped_copy(repo, engine):
    (repo.folder / "kickoff.jpg").write_bytes(photo_with_metadata())
    link(repo, "![The kickoff](kickoff.jpg)")
    result = built(repo, "--engine", engine)
    assert result.exit_code == 0, result.output
    assert not every_byte_form(served(repo, "The kickoff"), "Harborview")
    published = [p for p in (repo.root / "site").rglob("*") if p.is_file() and every_byte_form(p.read_bytes(), "Harborview")]
    assert published == []


def test_the_audit_reads_files_with_the_same_libraries(repo):
    """The second line: a photo whose only mention is UTF-16 EXIF, and a PDF whose only mention is
    drawn through a font, planted in a built site, are found by `notepress audit`."""
    from PIL import Image

    assert built(repo).exit_code == 0
    image = Image.new("RGB", (8, 8))
    exif = Image.Exif()
    exif[0x9C9C] = CUSTOMER.encode("utf-16-le")
    photo = io.BytesIO()
    image.save(photo, "JPEG", exif=exif.tobytes())
    site = repo.root / "site"
    (site / "photo.jpg").write_bytes(photo.getvalue())
    (site / "notes.pdf").write_bytes(pdf(f"<p>{CUSTOMER}</p>"))
    result = run_cli("-C", str(repo.root), "audit")
    assert result.exit_code == 1
    found = result.stderr.splitlines()
    for name in ("photo.jpg", "notes.pdf"):
        assert any(line.startswith(f'site/{name}: customer "{CUSTOMER}"') for line in found), found
