"""Markdown: ATX (``# Title``) and setext (underlined) headings head the text that follows; the text is kept as
written, code blocks included (a ``#`` inside a fenced block is code, not a heading)."""

from __future__ import annotations

import re

from privategpt.rag.types import ParsedDocument, Section

MAX_ATX_LEVEL = 6
MAX_INDENT = 3  # more and the line is an indented code block
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def parse_markdown(text: str) -> ParsedDocument:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections: list[Section] = []
    heading: str | None = None
    current: list[str] = []
    fence: str | None = None
    paragraph = 0  # lines of the open paragraph at the end of current (a setext underline makes it a heading)

    def start_section(title: str, heading_lines: list[str]) -> None:
        nonlocal heading
        if any(line.strip() for line in current):
            sections.append(Section(text="\n".join(current).strip("\n"), heading=heading))
        current.clear()
        current.extend(heading_lines)
        heading = title

    for line in lines:
        if fence is not None:
            current.append(line)
            if line.lstrip(" ").startswith(fence):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
            current.append(line)
            paragraph = 0
            continue
        title = _atx_title(line)
        if title is not None:
            if title:
                start_section(title, [title])
                paragraph = 0
                continue
        elif paragraph and _SETEXT.match(line):  # underlines the paragraph above: it is a heading
            lines_above = current[len(current) - paragraph :]
            del current[len(current) - paragraph :]
            title = " ".join(" ".join(lines_above).split())
            start_section(title, [title])
            paragraph = 0
            continue
        current.append(line)
        paragraph = paragraph + 1 if line.strip() else 0
    if any(line.strip() for line in current):
        sections.append(Section(text="\n".join(current).strip("\n"), heading=heading))
    return ParsedDocument(sections=sections)


def _atx_title(line: str) -> str | None:
    """The title of an ATX heading line (``## Title ##``), "" for an empty one, None for any other line.
    Done by hand: the obvious regular expression backtracks quadratically on long runs of spaces."""
    text = line.lstrip(" ")
    if len(line) - len(text) > MAX_INDENT or not text.startswith("#"):
        return None
    rest = text.lstrip("#")
    if len(text) - len(rest) > MAX_ATX_LEVEL or (rest and rest[0] not in " \t"):
        return None
    title = rest.strip(" \t")
    unclosed = title.rstrip("#")
    if unclosed != title and (not unclosed or unclosed[-1] in " \t"):  # a closing sequence of #s
        title = unclosed
    return " ".join(title.split())
