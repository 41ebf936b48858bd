"""Uploaded bytes to text sections: the type is found from the content, then the matching parser runs.

Every failure that a retry would not change raises ``DocumentRejected`` with a reason a person understands and
a stable ``code``: ``unsupported_type``, ``encrypted``, ``no_text``, ``too_large``, ``corrupt``.
Parsers import their libraries (pypdf, python-docx) when called, never at import.
"""

from __future__ import annotations

from dataclasses import replace

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.parsing.sniff import CSV, DOCX, HTML, LABELS, MARKDOWN, PDF, SUPPORTED, TEXT, detect, sniff
from privategpt.rag.types import ParsedDocument
from privategpt.settings import Settings

__all__ = ["SUPPORTED", "parse", "sniff"]


def parse(data: bytes, *, declared_type: str, filename: str, settings: Settings) -> ParsedDocument:
    if len(data) > settings.document_max_bytes:
        raise DocumentRejected(
            f"the file is {len(data)} bytes; at most {settings.document_max_bytes} can be indexed", code="too_large"
        )
    found = detect(data, declared_type, filename, settings.document_allowed_types)
    document = _parse(found.content_type, data, found.text, settings)
    if not any(section.text.strip() for section in document.sections):
        raise DocumentRejected(f"the {LABELS[found.content_type]} file has no text to index", code="no_text")
    return replace(document, content_type=found.content_type)


def _parse(content_type: str, data: bytes, text: str | None, settings: Settings) -> ParsedDocument:
    if content_type == PDF:
        from privategpt.rag.parsing.pdf import parse_pdf

        return parse_pdf(data, settings)
    if content_type == DOCX:
        from privategpt.rag.parsing.docx import parse_docx

        return parse_docx(data, settings)
    assert text is not None  # the text formats are decoded while they are recognised
    if content_type == HTML:
        from privategpt.rag.parsing.html import parse_html

        return parse_html(text)
    if content_type == MARKDOWN:
        from privategpt.rag.parsing.markdown import parse_markdown

        return parse_markdown(text)
    if content_type == CSV:
        from privategpt.rag.parsing.csv import parse_csv

        return parse_csv(text)
    assert content_type == TEXT
    from privategpt.rag.parsing.text import parse_text

    return parse_text(text)
