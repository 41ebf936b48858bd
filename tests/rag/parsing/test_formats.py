"""Every format parses into sections with the right pages and headings; the reasons users see are precise."""

from __future__ import annotations

import codecs

import pytest

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.parsing import parse
from privategpt.rag.types import ParsedDocument, Section
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support import documents

SETTINGS = make_settings()
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def parse_as(data: bytes, filename: str, declared_type: str = "", settings: Settings = SETTINGS) -> ParsedDocument:
    return parse(data, declared_type=declared_type, filename=filename, settings=settings)


def rejected(data: bytes, filename: str, declared_type: str = "", settings: Settings = SETTINGS) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        parse_as(data, filename, declared_type, settings)
    return caught.value


def test_pdf_keeps_page_numbers_and_outline_titles() -> None:
    data = documents.make_pdf(
        ["Cover page (draft)", "Chapter one text.\nSecond line.", "", "More of chapter two."],
        outline=[("Introduction", 0), ("Chapter Two", 3)],
    )
    parsed = parse_as(data, "report.pdf", PDF)
    assert parsed.pages == 4
    assert [(s.page, s.heading) for s in parsed.sections] == [
        (1, "Introduction"),
        (2, "Introduction"),
        (4, "Chapter Two"),
    ]  # the empty page 3 has no section
    assert parsed.sections[0].text.strip() == "Cover page (draft)"
    assert parsed.sections[1].text.split("\n")[:2] == ["Chapter one text.", "Second line."]


def test_pdf_without_outline_has_no_headings() -> None:
    parsed = parse_as(documents.make_pdf(["one", "two"]), "a.pdf", PDF)
    assert [(s.page, s.heading, s.text.strip()) for s in parsed.sections] == [(1, None, "one"), (2, None, "two")]


def test_password_protected_pdf_is_refused() -> None:
    error = rejected(documents.make_encrypted_pdf(), "secret.pdf", PDF)
    assert error.code == "encrypted"
    assert error.reason == "the PDF is password-protected; upload it without a password"


def test_pdf_encrypted_with_an_empty_password_is_read() -> None:
    parsed = parse_as(documents.make_encrypted_pdf(["Open sesame."], user_password=""), "open.pdf", PDF)
    assert parsed.sections[0].text.strip() == "Open sesame."


def test_image_only_pdf_has_no_text() -> None:
    error = rejected(documents.make_image_only_pdf(pages=2), "scan.pdf", PDF)
    assert error.code == "no_text"
    assert "OCR is not supported" in error.reason


def test_too_many_pages() -> None:
    error = rejected(documents.make_pdf(["a", "b", "c"]), "long.pdf", PDF, make_settings(ingest_max_pages=2))
    assert error.code == "too_large"
    assert "3 pages" in error.reason and "at most 2" in error.reason


def test_file_over_the_size_limit() -> None:
    error = rejected(b"hello world " * 100, "big.txt", "text/plain", make_settings(document_max_bytes=1000))
    assert error.code == "too_large"


def test_docx_headings_head_the_paragraphs_that_follow_and_tables_are_text() -> None:
    data = documents.make_docx(
        [
            ("p", "Before any heading."),
            ("title", "Annual Report"),
            ("p", "Summary paragraph."),
            ("h1", "Results"),
            ("p", "Revenue grew."),
            ("h2", "By   region"),
            ("p", "Europe led."),
        ],
        tables=[[["Region", "Revenue"], ["Europe", "12"], ["Asia", "9"]]],
    )
    parsed = parse_as(data, "report.docx", DOCX)
    assert parsed.pages is None
    assert [(s.heading, s.text) for s in parsed.sections] == [
        (None, "Before any heading."),
        ("Annual Report", "Annual Report\n\nSummary paragraph."),
        ("Results", "Results\n\nRevenue grew."),
        ("By region", "By   region\n\nEurope led.\n\nRegion | Revenue\nEurope | 12\nAsia | 9"),
    ]


def test_html_drops_scripts_styles_and_page_furniture() -> None:
    parsed = parse_as(documents.HTML_PAGE.encode(), "page.html", "text/html")
    text = "\n".join(s.text for s in parsed.sections)
    for noise in ("var secret", "color: red", "alert", "About menu", "Site banner", "Copyright", "Ignored title"):
        assert noise not in text
    assert [s.heading for s in parsed.sections] == [None, "First Heading", "Second Heading"]
    assert parsed.sections[0].text == "Intro paragraph before any heading & with an entity été."
    assert parsed.sections[1].text == "First Heading\n\nAlpha paragraph.\n\nBeta bold text\nnext line"
    second = parsed.sections[2].text.split("\n\n")
    assert second[:3] == ["Second Heading", "item one", "item two"]
    assert second[-2:] == ["Name | Age", "Ann | 31"]


def test_html_pre_keeps_its_lines() -> None:
    parsed = parse_as(b"<html><body><pre>line one\n  indented\n</pre><p>a   b</p></body></html>", "x.html")
    assert parsed.sections[0].text == "line one\n  indented\n\na b"


def test_markdown_headings_atx_and_setext_code_kept() -> None:
    parsed = parse_as(documents.MARKDOWN_DOC.encode(), "guide.md", "text/markdown")
    assert [s.heading for s in parsed.sections] == [None, "Installation", "Setext Heading", "Usage"]
    installation = parsed.sections[1].text
    assert "# not a heading" in installation and "make install" in installation
    assert parsed.sections[3].text == "Usage\n\nUse it."


def test_csv_rows_carry_their_column_names() -> None:
    parsed = parse_as(documents.CSV_DOC.encode(), "people.csv", "text/csv")
    assert parsed.sections == [
        Section(text="name: Ann; city: Paris; age: 31\nname: Bob; city: Rome, Italy; age: 45\nname: Cid; city: Oslo")
    ]


def test_csv_dialect_is_sniffed() -> None:
    parsed = parse_as(b"a;b\n1;2\n3;4\n", "semi.csv", "text/csv")
    assert parsed.sections[0].text == "a: 1; b: 2\na: 3; b: 4"
    extra = parse_as(b"a,b\n1,2,3\n", "extra.csv", "text/csv")
    assert extra.sections[0].text == "a: 1; b: 2; column 3: 3"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain words\r\nnext", "plain words\nnext"),
        (codecs.BOM_UTF8 + "caf\u00e9".encode(), "caf\u00e9"),
        (codecs.BOM_UTF16_LE + "na\u00efve text".encode("utf-16-le"), "na\u00efve text"),
        (codecs.BOM_UTF16_BE + "big endian".encode("utf-16-be"), "big endian"),
        (
            "r\u00e9sum\u00e9 of a na\u00efve caf\u00e9 owner".encode("latin-1"),
            "r\u00e9sum\u00e9 of a na\u00efve caf\u00e9 owner",
        ),
        ("\u201csmart quotes\u201d in Windows text".encode("cp1252"), "\u201csmart quotes\u201d in Windows text"),
    ],
)
def test_plain_text_encodings(data: bytes, expected: str) -> None:
    assert parse_as(data, "notes.txt", "text/plain").sections == [Section(text=expected)]


def test_whitespace_only_file_has_no_text() -> None:
    assert rejected(b"   \n\t\n", "blank.txt", "text/plain").code == "no_text"
    assert rejected(b"<html><body><script>x()</script></body></html>", "s.html").code == "no_text"


def test_type_not_in_the_allowed_list_names_what_is_allowed() -> None:
    settings = make_settings(document_allowed_types=["text/plain", "text/markdown"])
    error = rejected(documents.make_pdf(["hello"]), "a.pdf", PDF, settings)
    assert error.code == "unsupported_type"
    assert error.reason.startswith("the file is PDF")
    assert "plain text, Markdown" in error.reason
