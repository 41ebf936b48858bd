"""What a file is, judged from its bytes: the name and the declared type only choose between text formats.

A PDF renamed ``.txt`` is a PDF; an executable renamed ``.pdf`` is refused. PDF (``%PDF-``), DOCX (a ZIP with
``word/document.xml``) and HTML (markup at the start) are recognised by their content; Markdown, CSV and plain
text are all just text, so between them the declared type, then the file's extension, decide.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.parsing.text import decode_text

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
CSV = "text/csv"
SUPPORTED = (PDF, DOCX, HTML, MARKDOWN, TEXT, CSV)
LABELS = {PDF: "PDF", DOCX: "Word (.docx)", HTML: "HTML", MARKDOWN: "Markdown", TEXT: "plain text", CSV: "CSV"}

PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first KiB
HTML_MARKUP_WINDOW = 1024  # where an HTML document shows its markup
_PDF_HEADER = re.compile(rb"%PDF-\d")
_ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O or Java class file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office (.doc/.xls/.ppt) file"),
    (b"RIFF", "a RIFF media file (WebP, WAV, AVI)"),
)
_RTF_MAGIC = b"{\\rtf"
_ZIP_KINDS = (
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file"),
)
_HTML_START = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)
_HTML_DECLARED = frozenset({HTML, "application/xhtml+xml"})
_MARKDOWN_DECLARED = frozenset({MARKDOWN, "text/x-markdown"})
_CSV_DECLARED = frozenset({CSV, "application/csv", "text/comma-separated-values"})
_EXTENSIONS = {
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".csv": CSV,
}


@dataclass(frozen=True)
class Detected:
    content_type: str
    text: str | None = None  # the decoded text of a text format


def sniff(data: bytes, declared_type: str, filename: str) -> str:
    """The content type found in ``data`` (one of ``SUPPORTED``); ``DocumentRejected`` for anything else."""
    return detect(data, declared_type, filename, SUPPORTED).content_type


def detect(data: bytes, declared_type: str, filename: str, allowed: Sequence[str]) -> Detected:
    found = _detect(data, declared_type, filename, allowed)
    if found.content_type not in allowed:
        raise DocumentRejected(
            f"the file is {LABELS[found.content_type]}, which is not accepted here; {_allowed_phrase(allowed)}",
            code="unsupported_type",
        )
    return found


def _detect(data: bytes, declared_type: str, filename: str, allowed: Sequence[str]) -> Detected:
    if not data or data.isspace():
        raise DocumentRejected("the file is empty", code="no_text")
    header = _PDF_HEADER.search(data[:PDF_HEADER_WINDOW])
    if header and (header.start() == 0 or decode_text(data) is None):  # not a text that mentions "%PDF-1.7"
        return Detected(PDF)
    if data.startswith(_ZIP_MAGIC):
        return Detected(_zip_kind(data, allowed))
    if data.startswith(_RTF_MAGIC):  # RTF is ASCII, but its text is buried in markup no parser here reads
        raise _unsupported("an RTF document", allowed)
    text = decode_text(data)
    if text is None:
        raise _unsupported(_binary_kind(data), allowed)
    return Detected(_text_kind(text, declared_type, filename), text)


def _binary_kind(data: bytes) -> str:
    # Only named once the bytes are known not to be text: some signatures ("MZ", "BM") are also how words begin.
    return next((what for magic, what in _BINARY_MAGIC if data.startswith(magic)), "binary data")


def _zip_kind(data: bytes, allowed: Sequence[str]) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DocumentRejected("the file looks like a ZIP archive but cannot be read", code="corrupt") from error
    if "word/document.xml" in names:
        return DOCX
    for prefix, what in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            raise _unsupported(what, allowed)
    raise _unsupported("a ZIP archive", allowed)


def _text_kind(text: str, declared_type: str, filename: str) -> str:
    declared = declared_type.split(";", 1)[0].strip().lower()
    if _HTML_START.match(text[:HTML_MARKUP_WINDOW]) or declared in _HTML_DECLARED:
        return HTML
    if declared in _MARKDOWN_DECLARED:
        return MARKDOWN
    if declared in _CSV_DECLARED:
        return CSV
    return _EXTENSIONS.get(PurePosixPath(filename.replace("\\", "/")).suffix.lower(), TEXT)


def _allowed_phrase(allowed: Sequence[str]) -> str:
    names = [LABELS.get(content_type, content_type) for content_type in allowed]
    return f"accepted formats: {', '.join(names)}" if names else "no format is accepted"


def _unsupported(what: str, allowed: Sequence[str]) -> DocumentRejected:
    return DocumentRejected(
        f"the file is {what}, which cannot be indexed; {_allowed_phrase(allowed)}", code="unsupported_type"
    )
