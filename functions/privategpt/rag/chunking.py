"""Parsed sections to chunks that fit the embedder: a token-aware recursive splitter.

Sections that share a page and a heading are joined; a chunk never crosses a page or a heading, so it carries
exactly one of each. Text too long for one chunk is cut at the coarsest boundary that makes the pieces fit —
paragraphs (blank lines), then lines, then sentences, then words, and as a last resort token slices — and the
pieces are packed greedily into chunks of at most ``chunk_tokens`` tokens. Each chunk after the first of a run
starts with about ``chunk_overlap_tokens`` tokens from the end of the one before, beginning at a sentence when
one starts in that tail, else at a word. Tokens are counted with tiktoken's cl100k_base, the project's
estimating encoding; every chunk's count is checked on its final text, so none is over the limit.

Working in UTF-8 byte offsets of the run's text lets one tokenisation of the run price any span (the tokens
that start in it) without encoding it again; chunks are exact slices of the run, stripped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, groupby
from typing import TYPE_CHECKING

from privategpt.llm import tokens
from privategpt.rag.errors import DocumentRejected
from privategpt.rag.types import Chunk, ParsedDocument, Section, chunk_id
from privategpt.settings import Settings

if TYPE_CHECKING:
    import tiktoken

ENCODING = tokens.ESTIMATE_ENCODING
SECTION_JOINER = "\n\n"  # between sections of the same page and heading
MAX_OVERLAP_SHARE = 0.5  # of chunk_tokens: a larger overlap setting is capped here
MIN_SENTENCE_OVERLAP_SHARE = 0.5  # of the overlap: a sentence start later in the tail leaves too little
# Pieces are priced in the run's tokenisation; alone, their ends may tokenise a little differently. Leaving this
# much room keeps the overlap in a chunk whose new piece is as large as a piece can be.
BOUNDARY_SLACK_TOKENS = 2

# Where a piece may start, coarsest first. The separator leads the piece after it, as tiktoken's own
# pre-tokeniser attaches a leading space to a word; (pattern, cut at the match's end rather than its start).
_SPLITTERS: tuple[tuple[re.Pattern[bytes], bool], ...] = (
    (re.compile(rb"\n[^\S\n]*\n"), False),  # paragraphs
    (re.compile(rb"\n"), False),  # lines
    (re.compile(rb"[.!?][\"')\]]*(?=\s)|\xe3\x80\x82|\xef\xbc[\x81\x9f]"), True),  # sentences, CJK full stops too
    (re.compile(rb"\s+"), False),  # words
)
_SENTENCE_END = _SPLITTERS[2][0]
_SPACE = re.compile(rb"\s+")
_NOT_SPACE = re.compile(rb"\S")
_SPACE_BYTES = tuple(bytes([c]) for c in b" \t\n\r\f\v")


def encoding(settings: Settings) -> tiktoken.Encoding:
    return tokens.encoding(ENCODING, settings.tiktoken_cache_dir)


@cache
def _token_lengths(encoder: tiktoken.Encoding) -> tuple[int, ...]:
    """The byte length of every token id (0 for ids that are gaps): an index lookup instead of a call per token
    when a run is priced, which made that the slowest step."""
    lengths = []
    for token in range(encoder.max_token_value + 1):
        try:
            lengths.append(len(encoder.decode_single_token_bytes(token)))
        except KeyError:
            lengths.append(0)
    return tuple(lengths)


def split(parsed: ParsedDocument, *, document_id: str, owner_id: str, filename: str, settings: Settings) -> list[Chunk]:
    limit = settings.chunk_tokens
    overlap = min(settings.chunk_overlap_tokens, int(limit * MAX_OVERLAP_SHARE))
    encoder = encoding(settings)
    chunks: list[Chunk] = []
    for page, heading, text in _runs(parsed.sections):
        try:
            pieces = _Run(text, encoder, limit, overlap).chunks(settings.ingest_max_chunks - len(chunks))
        except _OverBudget:
            raise DocumentRejected(
                f"the document is too large: it makes more than {settings.ingest_max_chunks} chunks of text; "
                "split it into smaller files",
                code="too_large",
            ) from None
        for piece, count in pieces:
            index = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(document_id, index),
                    document_id=document_id,
                    owner_id=owner_id,
                    index=index,
                    text=piece,
                    filename=filename,
                    page=page,
                    heading=heading,
                    token_count=count,
                )
            )
    return chunks


def _runs(sections: Iterable[Section]) -> Iterator[tuple[int | None, str | None, str]]:
    """The runs of text that share a page and a heading. A heading with no text of its own (a title followed at
    once by a subheading) goes to the next run on its page as that run's first line: searchable there, and no
    chunk that holds nothing but a heading."""
    carried: tuple[int | None, str | None, str] | None = None
    for (page, heading), group in groupby(sections, key=lambda section: (section.page, section.heading)):
        own = SECTION_JOINER.join(section.text for section in group)
        if not own.strip():
            continue
        text = own
        if carried is not None and carried[0] == page:
            text = carried[2] + SECTION_JOINER + own
        elif carried is not None:
            yield carried
        carried = None
        if heading is not None and own.strip() == heading.strip():
            carried = (page, heading, text)
            continue
        yield page, heading, text
    if carried is not None:
        yield carried


class _OverBudget(Exception):
    """A run needs more chunks than the document has left."""


def _char_start(data: bytes, position: int) -> int:
    """``position`` moved back to the first byte of the UTF-8 character it falls in."""
    while 0 < position < len(data) and data[position] & 0xC0 == 0x80:
        position -= 1
    return position


@dataclass
class _Run:
    """One page-and-heading run of text, split into chunks."""

    text: str
    encoder: tiktoken.Encoding
    limit: int
    overlap: int

    def __post_init__(self) -> None:
        self.data = self.text.encode("utf-8")
        token_ids = self.encoder.encode_ordinary(self.text)
        lengths = map(_token_lengths(self.encoder).__getitem__, token_ids)
        self.starts = list(accumulate(lengths, initial=0))[:-1]  # byte offset where each token starts

    def estimate(self, start: int, end: int) -> int:
        """The tokens of the run's tokenisation that start in [start, end)."""
        return bisect_left(self.starts, end) - bisect_left(self.starts, start)

    def count(self, start: int, end: int) -> tuple[str, int]:
        text = self.data[start:end].decode("utf-8").strip()
        return text, len(self.encoder.encode_ordinary(text))

    def chunks(self, most: int) -> list[tuple[str, int]]:
        if len(self.starts) > most * self.limit:  # cannot fit in the chunks left, whatever the splits
            raise _OverBudget
        atoms = self._atoms(0, len(self.data), 0, self.limit - self.overlap - BOUNDARY_SLACK_TOKENS)
        out: list[tuple[str, int]] = []
        i = 0
        start = atoms[0][0]
        while i < len(atoms):
            if self.estimate(start, atoms[i][1]) > self.limit:  # the overlap and this piece do not fit together
                first = bisect_left(self.starts, atoms[i][1]) - self.limit
                start = self._word_start(self.starts[first] if first >= 0 else start, atoms[i][0])
            j = i
            while j + 1 < len(atoms) and self.estimate(start, atoms[j + 1][1]) <= self.limit:
                j += 1
            text, count = self.count(start, atoms[j][1])
            while count > self.limit:  # the estimate was short: give back a piece, then the overlap, then halve
                if j > i:
                    j -= 1
                elif start < atoms[i][0]:
                    start = self._word_start(start + 1, atoms[i][0])  # a shorter overlap
                else:
                    atoms[i : i + 1] = self._halves(*atoms[i])
                text, count = self.count(start, atoms[j][1])
            if text:
                if len(out) == most:
                    raise _OverBudget
                out.append((text, count))
            end = atoms[j][1]
            i = j + 1
            if i < len(atoms):
                start = min(self._overlap_start(start, end), atoms[i][0]) if self.overlap else atoms[i][0]
        return out

    def _atoms(self, start: int, end: int, level: int, most: int) -> list[tuple[int, int]]:
        """[start, end) as contiguous spans of at most ``most`` tokens, cut at the coarsest boundaries possible."""
        if self.estimate(start, end) <= most:
            return [(start, end)]
        if level == len(_SPLITTERS):
            return self._token_slices(start, end, most)
        pattern, after = _SPLITTERS[level]
        cuts = [m.end() if after else m.start() for m in pattern.finditer(self.data, start, end)]
        cuts = [cut for cut in cuts if start < cut < end]
        atoms: list[tuple[int, int]] = []
        for piece_start, piece_end in zip([start, *cuts], [*cuts, end], strict=True):
            atoms.extend(self._atoms(piece_start, piece_end, level + 1, most))
        return atoms

    def _token_slices(self, start: int, end: int, most: int) -> list[tuple[int, int]]:
        first, last = bisect_left(self.starts, start), bisect_left(self.starts, end)
        cuts = sorted({_char_start(self.data, self.starts[k]) for k in range(first + most, last, most)})
        cuts = [cut for cut in cuts if start < cut < end]
        return list(zip([start, *cuts], [*cuts, end], strict=True))

    def _halves(self, start: int, end: int) -> list[tuple[int, int]]:
        middle = _char_start(self.data, (start + end) // 2)
        if middle <= start:  # one character: cannot be split, and always fits (limit > 16 tokens)
            return [(start, end)]
        return [(start, middle), (middle, end)]

    def _word_start(self, position: int, limit: int) -> int:
        """The first word that starts at or after ``position``, before ``limit`` (else ``limit``)."""
        if position >= limit:
            return limit
        if position > 0 and not self.data[position - 1 : position].isspace():
            space = _SPACE.search(self.data, position, limit)
            if space is None:
                return limit
            position = space.end()
        word = _NOT_SPACE.search(self.data, position, limit)
        return word.start() if word else limit

    def _overlap_start(self, chunk_start: int, end: int) -> int:
        """Where the next chunk starts: about ``overlap`` tokens before the end of the chunk [chunk_start, end),
        at the start of a sentence if one starts there (and leaves enough), else of a word; at least its last
        word when that fits, and mid-word only in text without spaces."""
        end = chunk_start + len(self.data[chunk_start:end].rstrip())
        first = bisect_left(self.starts, chunk_start) + 1  # the overlap never repeats the whole chunk
        token = max(bisect_left(self.starts, end) - self.overlap, first)
        if token >= len(self.starts) or self.starts[token] >= end:
            return end
        candidate = _char_start(self.data, self.starts[token])
        sentence = _SENTENCE_END.search(self.data, candidate, end)
        if sentence:
            begins = _NOT_SPACE.search(self.data, sentence.end(), end)
            if begins and self.estimate(begins.start(), end) >= self.overlap * MIN_SENTENCE_OVERLAP_SHARE:
                return begins.start()
        word = self._word_start(candidate, end)
        if word < end:
            return word
        last_word = max(self.data.rfind(space, chunk_start, end) for space in _SPACE_BYTES) + 1
        if chunk_start < last_word < candidate and self.estimate(last_word, end) <= self.overlap:
            return last_word
        return candidate
