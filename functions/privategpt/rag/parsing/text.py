"""Plain text: bytes to ``str`` when, and only when, they are clearly text."""

from __future__ import annotations

import codecs
import re

from privategpt.rag.types import ParsedDocument, Section

# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, and DEL: text has (almost) none.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A stray control character (a DOS end-of-file mark, an escape in a log) does not make a file binary; more than
# one in this many characters does.
CONTROL_CHARS_PER_TEXT_CHAR = 1 / 1000
# Without a byte order mark or valid UTF-8, a single-byte decoding is only trusted when most of it is ASCII.
MIN_ASCII_SHARE_FOR_SINGLE_BYTE = 0.7
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _looks_like_text(text: str) -> bool:
    if "\x00" in text:
        return False
    controls = sum(1 for _ in _CONTROL.finditer(text))
    return controls <= len(text) * CONTROL_CHARS_PER_TEXT_CHAR


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252/Latin-1 if the bytes are clearly
    text; None for anything else (binary)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            return text if _looks_like_text(text) else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _single_byte(data)
    return text if _looks_like_text(text) else None


def _single_byte(data: bytes) -> str | None:
    ascii_bytes = len(data) - len(data.translate(None, bytes(range(128))))
    if ascii_bytes < len(data) * MIN_ASCII_SHARE_FOR_SINGLE_BYTE:
        return None
    try:
        text = data.decode("cp1252")  # Latin-1 plus the quotes and dashes Windows puts at 0x80-0x9f
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text if _looks_like_text(text) and not re.search(r"[\x80-\x9f]", text) else None


def parse_text(text: str) -> ParsedDocument:
    return ParsedDocument(sections=[Section(text=text.replace("\r\n", "\n").replace("\r", "\n"))])
