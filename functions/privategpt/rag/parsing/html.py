"""HTML with the standard library's parser: the readable text, headings h1-h6 as section headings.

Scripts, styles and page furniture (nav, header, footer, aside…) are dropped; block elements end paragraphs.
Nothing recurses on the document's nesting, so a deeply nested page costs what a flat one of the same size does.
The standard parser of Python 3.11 rescans to the end of the input for every construct left open (an unclosed
comment, tag or quoted attribute), which makes a hostile page quadratic; ``defuse`` first turns each such
construct into text (or, for a comment, ends the document there as a browser does) in one linear pass.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from privategpt.rag.types import ParsedDocument, Section

_SKIPPED = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "head", "svg",
                      "iframe", "object", "select", "button"})  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr",
                     "thead", "tbody", "tfoot", "caption", "blockquote", "pre", "figure", "figcaption", "address",
                     "details", "summary", "hr", "body", "html", "fieldset", "legend"})  # fmt: skip
_CELLS = frozenset({"td", "th"})
CELL_SEPARATOR = " | "  # between the cells of a table row, as in a DOCX
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n")
_BALANCED_QUOTES = re.compile(r"""(?:[^"']|"[^"]*"|'[^']*')*""")


def defuse(text: str) -> str:
    """``text`` where every tag is closed by the first ``>`` before the next ``<`` with its quotes balanced,
    comments and CDATA sections removed; any other ``<`` is escaped. Each search stops at the next ``<``, so the
    pass is linear, and so is the standard parser on its result."""
    out: list[str] = []
    position = 0
    cdata_ends = True  # false once no "]]>" is left: never search for it again
    while (start := text.find("<", position)) >= 0:
        out.append(text[position:start])
        if text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            if end < 0:
                return "".join(out)  # an unclosed comment runs to the end, as in a browser
            position = end + 3
            continue
        if text.startswith("<![", start) and cdata_ends:
            end = text.find("]]>", start + 3)
            if end >= 0:
                position = end + 3
                continue
            cdata_ends = False
        following = text.find("<", start + 1)
        limit = following if following >= 0 else len(text)
        close = text.find(">", start + 1, limit)
        if close >= 0 and _BALANCED_QUOTES.fullmatch(text, start + 1, close):
            out.append(text[start : close + 1])
            position = close + 1
        else:
            out.append("&lt;")
            position = start + 1
    out.append(text[position:])
    return "".join(out)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self._heading: str | None = None
        self._paragraphs: list[str] = []
        self._current: list[str] = []
        self._skipping = 0  # open skipped elements (counted, never a stack: nesting depth costs nothing)
        self._in_heading: list[str] | None = None
        self._pre = 0
        self._cells = 0  # cells so far in the current table row

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # a browser ends an unclosed <head> here, and so does this
            self._skipping = 0
        if tag in _SKIPPED:
            self._skipping += 1
            return
        if self._skipping:
            return
        if tag in _HEADINGS:
            self._end_paragraph()
            self._in_heading = []
        elif tag == "br":
            self._text("\n")
        elif tag in _CELLS:
            self._text(CELL_SEPARATOR if self._cells else " ")
            self._cells += 1
        elif tag in _BLOCKS:
            self._end_paragraph()
            self._cells = 0
            if tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._skipping:
            self._text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if self._skipping:
            return
        if tag in _HEADINGS and self._in_heading is not None:
            heading = " ".join("".join(self._in_heading).split())
            self._in_heading = None
            if heading:
                self._end_section()
                self._heading = heading
                self._paragraphs.append(heading)
        elif tag in _CELLS:
            self._text(" ")
        elif tag in _BLOCKS:
            self._end_paragraph()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._text(data)

    def _text(self, data: str) -> None:
        if self._in_heading is not None:
            self._in_heading.append(data)
        else:
            self._current.append(data)

    def _end_paragraph(self) -> None:
        raw = "".join(self._current)
        self._current.clear()
        text = raw if self._pre else _SPACES.sub(" ", raw)
        for paragraph in _BLANK_LINES.split(text):
            lines = [line.rstrip() if self._pre else line.strip() for line in paragraph.split("\n")]
            cleaned = "\n".join(line for line in lines if line.strip())
            if cleaned:
                self._paragraphs.append(cleaned)

    def _end_section(self) -> None:
        self._end_paragraph()
        if self._paragraphs:
            self.sections.append(Section(text="\n\n".join(self._paragraphs), heading=self._heading))
            self._paragraphs = []

    def finish(self) -> list[Section]:
        self.close()
        if self._in_heading is not None:  # an unclosed heading at the end: keep its words as text
            self._current.extend(self._in_heading)
            self._in_heading = None
        self._end_section()
        return self.sections


def parse_html(text: str) -> ParsedDocument:
    extractor = _TextExtractor()
    extractor.feed(defuse(text))
    return ParsedDocument(sections=extractor.finish())
