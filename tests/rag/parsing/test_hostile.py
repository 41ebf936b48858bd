"""Hostile and broken inputs end in a rejection or a result, in bounded time: no hang, no blow-up.

The HTML cases are those that make Python 3.11's own parser quadratic (every open construct rescans the rest);
at these sizes that would take minutes, while the parser here takes well under a second.
"""

from __future__ import annotations

import random
import time

import pytest

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.parsing import parse
from privategpt.rag.types import ParsedDocument
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support import documents

SETTINGS = make_settings()
BOUND_SECONDS = 10.0  # generous for a loaded CI machine; the quadratic behaviour these guard against is minutes
pytestmark = pytest.mark.timeout(60)


def timed_parse(data: bytes, filename: str, settings: Settings = SETTINGS) -> ParsedDocument | DocumentRejected:
    started = time.monotonic()
    try:
        result: ParsedDocument | DocumentRejected = parse(data, declared_type="", filename=filename, settings=settings)
    except DocumentRejected as error:
        result = error
    assert time.monotonic() - started < BOUND_SECONDS
    return result


def test_docx_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    settings = make_settings(document_max_bytes=1024 * 1024, document_max_unzipped_ratio=4)
    result = timed_parse(documents.make_docx_bomb(8 * 1024 * 1024), "bomb.docx", settings)
    assert isinstance(result, DocumentRejected) and result.code == "too_large"
    assert "unpacks to" in result.reason


def test_docx_with_broken_xml_is_corrupt() -> None:
    data = documents.make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document <<<"})
    result = timed_parse(data, "broken.docx")
    assert isinstance(result, DocumentRejected) and result.code == "corrupt"


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.9])
def test_truncated_pdf_is_corrupt(cut: float) -> None:
    data = documents.make_pdf(["some text"] * 5)
    result = timed_parse(data[: int(len(data) * cut)], "cut.pdf")
    assert isinstance(result, DocumentRejected) and result.code == "corrupt"


def test_pdf_header_then_garbage_is_corrupt() -> None:
    rng = random.Random(5)
    data = b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(20_000))
    result = timed_parse(data, "garbage.pdf")
    assert isinstance(result, DocumentRejected) and result.code == "corrupt"


def test_pdf_whose_page_tree_is_a_cycle_is_corrupt() -> None:
    data = documents.make_pdf(["loop"]).replace(b"/Kids [4 0 R]", b"/Kids [2 0 R]")
    result = timed_parse(data, "cycle.pdf")
    assert isinstance(result, DocumentRejected) and result.code == "corrupt"


N = 20_000


@pytest.mark.parametrize(
    "body",
    [
        "<div>" * N + "deep text" + "</div>" * N,
        "<!--" * N,
        "<a " * N,
        '<a b="' * N,
        "</a " * N,
        "<![CDATA[" * N,
        "<?" * N,
        "</" * N,
        "<!x" * N,
    ],
    ids=["deep", "comments", "open-tags", "open-quotes", "open-end-tags", "cdata", "pi", "end-tag-openers", "decl"],
)
def test_hostile_html_is_linear(body: str) -> None:
    result = timed_parse(f"<html><body><p>before</p>{body}".encode(), "hostile.html")
    assert isinstance(result, ParsedDocument)
    assert result.sections[0].text.startswith("before")


def test_html_comment_left_open_ends_the_text_as_in_a_browser() -> None:
    result = timed_parse(b"<html><body><p>kept</p><!-- open <p>hidden</p>", "x.html")
    assert isinstance(result, ParsedDocument)
    assert [s.text for s in result.sections] == ["kept"]


def test_html_lone_angle_brackets_are_text() -> None:
    result = timed_parse(b"<html><body><p>a < b and c > d, x<y</p></body></html>", "x.html")
    assert isinstance(result, ParsedDocument)
    assert result.sections[0].text == "a < b and c > d, x<y"


def test_large_csv_is_linear() -> None:
    rows = "".join(f"{i},name {i},{i * 3}\n" for i in range(50_000))
    result = timed_parse(("id,name,value\n" + rows).encode(), "big.csv")
    assert isinstance(result, ParsedDocument)
    lines = result.sections[0].text.split("\n")
    assert len(lines) == 50_000 and lines[-1] == "id: 49999; name: name 49999; value: 149997"


def test_csv_that_defeats_the_sniffer_still_parses() -> None:
    result = timed_parse((',"' * 50_000 + "\n").encode(), "odd.csv")
    assert isinstance(result, ParsedDocument | DocumentRejected)


def test_csv_field_over_the_csv_module_limit_is_corrupt() -> None:
    result = timed_parse(('a,b\n"' + "x" * 200_000 + '",y\n').encode(), "wide.csv")
    assert isinstance(result, DocumentRejected) and result.code == "corrupt"


@pytest.mark.parametrize(
    "body",
    ["```\n" * N, "text\n" * N + "---\n" * N, "# \n" * N, "#" * N, "# a" + " " * N + "###" + " " * N + "x"],
)
def test_hostile_markdown_is_linear(body: str) -> None:
    assert isinstance(timed_parse(("intro\n" + body).encode(), "x.md"), ParsedDocument)
