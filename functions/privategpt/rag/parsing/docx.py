"""DOCX: paragraphs and tables in document order; a heading (Title, Heading 1..n) heads what follows it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import ParsedDocument, Section
from privategpt.settings import Settings

if TYPE_CHECKING:
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

_HEADING_STYLE = re.compile(r"^(?:Title|Heading \d+)$", re.IGNORECASE)
CELL_SEPARATOR = " | "
# What a malformed package makes python-docx raise (lxml's parse errors are SyntaxErrors).
_MALFORMED = (zipfile.BadZipFile, SyntaxError, ValueError, KeyError, TypeError, IndexError, AttributeError,
              AssertionError, RecursionError, UnicodeError, NotImplementedError)  # fmt: skip


def parse_docx(data: bytes, settings: Settings) -> ParsedDocument:
    _check_unzipped_size(data, settings)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(_blocks(document.iter_inner_content()))
    except (PackageNotFoundError, *_MALFORMED) as error:
        raise DocumentRejected("the Word document is damaged and cannot be read", code="corrupt") from error
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if paragraphs:
            sections.append(Section(text="\n\n".join(paragraphs), heading=heading))
            paragraphs.clear()

    for text, is_heading in blocks:
        if is_heading:
            close()
            heading = " ".join(text.split())
        paragraphs.append(text)
    close()
    return ParsedDocument(sections=sections)


def _check_unzipped_size(data: bytes, settings: Settings) -> None:
    """A ZIP says how big each member unpacks to, and Python's zipfile stops at that size (a member that
    lies fails its CRC), so the declared total bounds the work: a zip bomb is refused before it is opened."""
    limit = settings.document_max_bytes * settings.document_max_unzipped_ratio
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DocumentRejected("the Word document is damaged and cannot be read", code="corrupt") from error
    if total > limit:
        raise DocumentRejected(
            f"the Word document unpacks to {total} bytes, more than the {limit} allowed", code="too_large"
        )


def _blocks(content: Iterator[Paragraph | Table]) -> Iterator[tuple[str, bool]]:
    """(text, is a heading) for each non-empty paragraph, and one line per table row."""
    from docx.text.paragraph import Paragraph

    for block in content:
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                style = block.style.name if block.style is not None else None
                yield text, bool(style and _HEADING_STYLE.match(style))
        else:
            rows = [_row_text(row.cells) for row in block.rows]
            text = "\n".join(row for row in rows if row)
            if text:
                yield text, False


def _row_text(cells: Sequence[_Cell]) -> str:
    texts: list[str] = []
    seen: set[int] = set()
    for cell in cells:  # a merged cell appears once per grid column it spans
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        text = " ".join(cell.text.split())
        if text:
            texts.append(text)
    return CELL_SEPARATOR.join(texts)
