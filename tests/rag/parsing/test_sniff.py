"""The type comes from the content; the name and declared type only choose between text formats."""

from __future__ import annotations

import random

import pytest

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.parsing import parse, sniff
from privategpt.rag.parsing.sniff import CSV, DOCX, HTML, MARKDOWN, PDF, TEXT
from tests.conftest import make_settings
from tests.support import documents


def rejection(data: bytes, declared_type: str = "", filename: str = "file") -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        sniff(data, declared_type, filename)
    return caught.value


def test_renamed_pdf_is_still_a_pdf_and_is_parsed_as_one() -> None:
    data = documents.make_pdf(["Hidden in a text file."])
    assert sniff(data, "text/plain", "notes.txt") == PDF
    parsed = parse(data, declared_type="text/plain", filename="notes.txt", settings=make_settings())
    assert parsed.pages == 1 and parsed.sections[0].text.strip() == "Hidden in a text file."


def test_pdf_header_after_leading_junk() -> None:
    assert sniff(b"\x00\x01junk" + documents.make_pdf(["x"]), "", "a.pdf") == PDF


def test_text_that_mentions_the_pdf_header_is_text() -> None:
    assert sniff(b"A PDF starts with %PDF-1.7 and ends with %%EOF.", "text/plain", "a.txt") == TEXT


def test_renamed_docx() -> None:
    assert sniff(documents.make_docx([("p", "x")]), "application/pdf", "letter.pdf") == DOCX


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64), "a Windows executable"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "an ELF executable"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32), "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32), "a JPEG image"),
        (b"\x1f\x8b\x08\x00" + bytes(32), "a gzip archive"),
        (documents.make_xlsx_like(), "an Excel workbook (.xlsx)"),
        (documents.make_zip({"ppt/presentation.xml": b"<p/>"}), "a PowerPoint presentation (.pptx)"),
        (documents.make_zip({"readme.txt": b"hello"}), "a ZIP archive"),
        (b"{\\rtf1\\ansi Hello}", "an RTF document"),
    ],
)
def test_other_files_are_refused_whatever_their_name(data: bytes, what: str) -> None:
    error = rejection(data, "application/pdf", "innocent.pdf")
    assert error.code == "unsupported_type"
    assert error.reason.startswith(f"the file is {what}, which cannot be indexed")
    assert "accepted formats: PDF, Word (.docx), HTML, Markdown, plain text, CSV" in error.reason


def test_random_bytes_are_binary() -> None:
    rng = random.Random(42)
    for _ in range(20):
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(16, 4096)))
        error = rejection(data, "text/plain", "random.txt")
        assert error.code in {"unsupported_type", "corrupt"}, error.reason


def test_text_with_nul_bytes_is_binary() -> None:
    assert rejection(b"looks like text\x00\x00\x00 but is not", "text/plain", "a.txt").code == "unsupported_type"


def test_words_that_begin_like_a_signature_are_text() -> None:
    assert sniff(b"BMW and MZ are letters too.", "", "cars.txt") == TEXT


def test_empty_file() -> None:
    for data in (b"", b"  \n "):
        error = rejection(data, "text/plain", "empty.txt")
        assert (error.code, error.reason) == ("no_text", "the file is empty")


def test_broken_zip() -> None:
    assert rejection(b"PK\x03\x04" + b"not really a zip" * 10, "", "a.docx").code == "corrupt"


@pytest.mark.parametrize(
    ("declared", "filename", "expected"),
    [
        ("text/markdown", "notes.txt", MARKDOWN),
        ("text/x-markdown", "notes", MARKDOWN),
        ("text/csv", "table.txt", CSV),
        ("text/csv; charset=utf-8", "table", CSV),
        ("text/plain", "README.md", MARKDOWN),
        ("application/octet-stream", "data.CSV", CSV),
        ("", "page.htm", HTML),
        ("text/html", "page.txt", HTML),
        ("text/plain", "notes.txt", TEXT),
        ("", "no-extension", TEXT),
        ("application/pdf", "fake.pdf", TEXT),  # declared PDF, but the bytes are text
    ],
)
def test_between_text_formats_the_declared_type_then_the_extension_decide(
    declared: str, filename: str, expected: str
) -> None:
    assert sniff(b"a,b\n1,2\n", declared, filename) == expected


def test_html_is_recognised_by_its_markup() -> None:
    for start in (b"<!DOCTYPE html><p>x", b"\n  <html lang='en'><body>x", b"<!-- made by hand --><html>x"):
        assert sniff(start, "text/plain", "page.txt") == HTML
    assert sniff(b"# Title\n\n<div>inline html</div>", "", "doc.md") == MARKDOWN
