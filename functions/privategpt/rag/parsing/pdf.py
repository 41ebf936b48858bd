"""PDF: one section per page (pypdf's text extraction), headed by the outline (bookmark) entry it falls under."""

from __future__ import annotations

import io
import logging
import struct
import zlib
from typing import TYPE_CHECKING

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import ParsedDocument, Section
from privategpt.settings import Settings

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

# What a malformed PDF makes pypdf raise, beyond its own errors.
_MALFORMED = (ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError, RecursionError,
              zlib.error, struct.error, UnicodeError)  # fmt: skip


def parse_pdf(data: bytes, settings: Settings) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    malformed = (PyPdfError, *_MALFORMED)
    try:
        reader = PdfReader(io.BytesIO(data))
        _decrypt(reader)
        pages = len(reader.pages)
    except DocumentRejected:
        raise
    except malformed as error:
        raise DocumentRejected("the PDF is damaged and cannot be read", code="corrupt") from error
    if pages > settings.ingest_max_pages:
        raise DocumentRejected(
            f"the PDF has {pages} pages; at most {settings.ingest_max_pages} can be indexed", code="too_large"
        )
    headings = _outline_headings(reader, pages, malformed)
    sections: list[Section] = []
    failed = 0
    for number in range(1, pages + 1):
        try:
            text = reader.pages[number - 1].extract_text()
        except malformed:
            logger.warning("pdf page %d could not be read", number, exc_info=True)
            failed += 1
            continue
        if text.strip():
            sections.append(Section(text=text, page=number, heading=headings.get(number)))
    if pages and failed == pages:
        raise DocumentRejected("the PDF is damaged: none of its pages can be read", code="corrupt")
    if not sections:
        raise DocumentRejected(
            "the PDF has no extractable text (is it a scan or made of images?); OCR is not supported, "
            "upload a PDF with a text layer",
            code="no_text",
        )
    return ParsedDocument(sections=sections, pages=pages)


def _decrypt(reader: PdfReader) -> None:
    """An encrypted PDF is readable only when its user password is empty (it may still forbid copying)."""
    if not reader.is_encrypted:
        return
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    encrypted = DocumentRejected("the PDF is password-protected; upload it without a password", code="encrypted")
    try:
        if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise encrypted
    except (DependencyError, NotImplementedError) as error:
        raise encrypted from error


def _outline_headings(reader: PdfReader, pages: int, malformed: tuple[type[Exception], ...]) -> dict[int, str]:
    """Page number -> the title of the last top-level outline entry starting on or before it. Cheap: only the
    top level is read, and a broken outline just means no headings."""
    starts: dict[int, str] = {}
    try:
        for item in reader.outline:
            if isinstance(item, list):  # the children of the entry before
                continue
            page_index = reader.get_destination_page_number(item)
            title = " ".join(str(item.title or "").split())
            if title and page_index is not None and 0 <= page_index < pages:
                starts.setdefault(page_index + 1, title)
    except malformed:
        logger.warning("pdf outline could not be read", exc_info=True)
        return {}
    headings: dict[int, str] = {}
    current: str | None = None
    for number in range(1, pages + 1):
        current = starts.get(number, current)
        if current is not None:
            headings[number] = current
    return headings
