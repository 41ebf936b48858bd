"""Test documents made on the spot: PDFs (text, image-only, encrypted, with an outline), DOCX, HTML, Markdown, CSV.

The PDFs are written by hand (a page per item, Helvetica, one text line per input line), so the extracted text
is predictable; pypdf only adds outlines and encryption.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
LINE_HEIGHT = 14
TOP_MARGIN = 72
LEFT_MARGIN = 72
FONT_SIZE = 11


def _escape(text: str) -> bytes:
    return text.encode("latin-1", "replace").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_stream(text: str) -> bytes:
    lines = [b"BT", f"/F1 {FONT_SIZE} Tf {LINE_HEIGHT} TL {LEFT_MARGIN} {PAGE_HEIGHT - TOP_MARGIN} Td".encode()]
    for line in text.split("\n"):
        lines.append(b"(" + _escape(line) + b") Tj T*")
    lines.append(b"ET")
    return b"\n".join(lines)


def _pdf(page_streams: Sequence[bytes], resources: bytes, extra_objects: Sequence[bytes] = ()) -> bytes:
    """Objects: 1 catalog, 2 page tree, 3.. extra objects, then a page and its content stream per page."""
    first_page = 3 + len(extra_objects)
    page_ids = [first_page + 2 * i for i in range(len(page_streams))]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % i for i in page_ids) + b"] /Count %d >>" % len(page_ids),
        *extra_objects,
    ]
    for page_id, stream in zip(page_ids, page_streams, strict=True):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, resources, page_id + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_pdf(pages: Sequence[str], *, outline: Sequence[tuple[str, int]] = ()) -> bytes:
    """A PDF with one page per item (its lines as text lines); ``outline``: (title, 0-based page) bookmarks."""
    data = _pdf(
        [_text_stream(text) for text in pages],
        b"<< /Font << /F1 3 0 R >> >>",
        [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"],
    )
    if not outline:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for title, page in outline:
        writer.add_outline_item(title=title, page_number=page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_image_only_pdf(pages: int = 1) -> bytes:
    """What a scanner makes: each page is one picture (a tiny grey image here) and no text."""
    pixels = bytes([0x80, 0x40, 0xC0, 0x20])
    image = b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
    image += b"/Length %d >>\nstream\n%s\nendstream" % (len(pixels), pixels)
    draw = b"q 400 0 0 500 100 150 cm /Im1 Do Q"
    return _pdf([draw] * pages, b"<< /XObject << /Im1 3 0 R >> >>", [image])


def make_encrypted_pdf(pages: Sequence[str] = ("Secret text.",), *, user_password: str = "secret") -> bytes:  # noqa: S107
    """Encrypted with AES-128; ``user_password=""`` makes one that opens without a password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages))))
    writer.encrypt(user_password=user_password, owner_password="owner-password", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(blocks: Sequence[tuple[str, str]], *, tables: Sequence[Sequence[Sequence[str]]] = ()) -> bytes:
    """``blocks``: ("title" | "h1".."h9" | "p", text) in order; then each table (rows of cell texts)."""
    import docx

    document = docx.Document()
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        else:
            document.add_paragraph(text)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def make_xlsx_like() -> bytes:
    """An Office Open XML spreadsheet's layout (no word/document.xml)."""
    return make_zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
        }
    )


def make_docx_bomb(unzipped_bytes: int) -> bytes:
    """A real DOCX plus a member of zeros that deflates ~1000:1 to ``unzipped_bytes``."""
    source = zipfile.ZipFile(io.BytesIO(make_docx([("p", "Hello.")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        with archive.open("word/media/zeros.bin", "w") as member:
            block = bytes(1024 * 1024)
            for _ in range(unzipped_bytes // len(block)):
                member.write(block)
    return out.getvalue()


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Ignored title</title><style>body { color: red; }</style>
<script>var secret = "do not index";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/about">About menu</a></nav>
<header>Site banner</header>
<p>Intro paragraph before any heading &amp; with an entity &eacute;t&eacute;.</p>
<h1>First Heading</h1>
<p>Alpha paragraph.</p><div>Beta <b>bold</b> text<br>next line</div>
<h2>Second <em>Heading</em></h2>
<ul><li>item one</li><li>item two</li></ul>
<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>31</td></tr></table>
<script>alert("no");</script>
<footer>Copyright footer</footer>
</body></html>
"""

MARKDOWN_DOC = """Preamble text.

# Installation

Run the installer.

```bash
# not a heading
make install
```

Setext Heading
--------------

Under setext.

## Usage ##

Use it.
"""

CSV_DOC = 'name,city,age\nAnn,Paris,31\nBob,"Rome, Italy",45\n\nCid,Oslo,\n'
