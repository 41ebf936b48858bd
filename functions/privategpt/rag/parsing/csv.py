"""CSV: the first row names the columns; every other row becomes one line ``column: value; column: value``, so
each chunk carries the names of the values it holds."""

from __future__ import annotations

import csv
import io

from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import ParsedDocument, Section

SNIFF_SAMPLE_CHARS = 8192  # csv.Sniffer's regular expressions are superlinear: it only sees the start
DELIMITERS = ",;\t|"
FIELD_SEPARATOR = "; "


def parse_csv(text: str) -> ParsedDocument:
    dialect = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if header is None:
            return ParsedDocument(sections=[])
        names = [" ".join(name.split()) for name in header]
        lines = [line for row in reader if (line := _render(names, row))]
    except csv.Error as error:
        raise DocumentRejected(f"the CSV file cannot be read: {error}", code="corrupt") from error
    if not lines:  # only a header: its names are the text there is
        lines = [FIELD_SEPARATOR.join(name for name in names if name)]
    return ParsedDocument(sections=[Section(text="\n".join(lines))])


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:SNIFF_SAMPLE_CHARS]
    if len(text) > SNIFF_SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel


def _render(names: list[str], row: list[str]) -> str:
    fields = []
    for position, raw in enumerate(row):
        value = " ".join(raw.split())
        if not value:
            continue
        name = names[position] if position < len(names) and names[position] else f"column {position + 1}"
        fields.append(f"{name}: {value}")
    return FIELD_SEPARATOR.join(fields)
