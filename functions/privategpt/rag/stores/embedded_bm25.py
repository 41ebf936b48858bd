"""BM25 for the embedded store's keyword search, with settable k1 and b (FTS5's ``bm25()`` fixes them at 1.2 and
0.75). FTS5 finds the chunks that have a query word and how often; the scores are computed here, over the whole
store's statistics, the way Lucene (so OpenSearch) scores a ``match`` query:

    score(chunk) = sum over the query's words of idf * tf / (tf + k1 * (1 - b + b * length / average length))
    idf = log(1 + (chunks - df + 0.5) / (df + 0.5))

Lucene dropped the constant factor (k1 + 1) of the textbook formula; it changes no ranking. ``tokens`` splits a
text as FTS5's ``unicode61 remove_diacritics 2`` tokenizer does, so the word counts kept beside FTS5 (in how many
chunks a word is, how long a chunk is) agree with what FTS5 matches.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

ASCII_TOKEN = re.compile(r"[a-z0-9]+")
# FTS5 treats the combining diacritical marks (U+0300 to U+036F) as part of a word, then drops them
DIACRITICS = range(0x300, 0x370)
TOKEN_CATEGORIES = ("L", "N")  # letters and numbers, plus private use (Co): unicode61's default token characters


@lru_cache(maxsize=65_536)
def _fold(char: str) -> str | None:
    """What unicode61 keeps of a character: lower-cased, a Latin letter without its diacritics, "" for a
    diacritic, None for a separator."""
    code = ord(char)
    if code in DIACRITICS:
        return ""
    category = unicodedata.category(char)
    if category[0] not in TOKEN_CATEGORIES and category != "Co":
        return None
    if char == "\u017f":  # long s: folded to s as FTS5 does (str.lower keeps it)
        return "s"
    lower = char.lower()
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and all(ord(mark) in DIACRITICS for mark in marks):
        return base
    return "".join(part for part in lower if ord(part) not in DIACRITICS)


def tokens(text: str) -> list[str]:
    """The words of a text as FTS5 indexes them (in order, repeats kept)."""
    if text.isascii():
        return ASCII_TOKEN.findall(text.lower())
    words: list[str] = []
    word: list[str] = []
    for char in text:
        folded = _fold(char)
        if folded is None:
            if word:
                words.append("".join(word))
                word = []
        elif folded:
            word.append(folded)
    if word:
        words.append("".join(word))
    return [word for word in words if word]


@dataclass(frozen=True)
class Bm25:
    k1: float
    b: float

    def scores(
        self,
        *,
        chunks: int,
        tokens: int,
        frequencies: Mapping[str, int],
        matches: Mapping[str, Mapping[int, int]],
        lengths: Mapping[int, int],
    ) -> dict[int, float]:
        """Each matching chunk's score. ``chunks`` and ``tokens``: how many chunks the store has and how many words
        in all; ``frequencies``: in how many chunks each query word is; ``matches``: for each query word, how often
        it is in each candidate chunk (by key); ``lengths``: each candidate chunk's number of words."""
        if chunks <= 0:
            return {}
        average = tokens / chunks if tokens > 0 else 1.0
        totals: dict[int, float] = {}
        for term, counts in matches.items():
            df = max(frequencies.get(term, 0), len(counts))  # never fewer chunks than were found
            idf = math.log(1 + (chunks - df + 0.5) / (df + 0.5))
            for key, tf in counts.items():
                norm = self.k1 * (1 - self.b + self.b * lengths.get(key, 0) / average)
                totals[key] = totals.get(key, 0.0) + idf * tf / (tf + norm)
        return totals
