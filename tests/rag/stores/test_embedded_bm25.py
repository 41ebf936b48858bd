"""The embedded store's BM25: scores equal to BM25 computed by hand for two k1/b settings, statistics kept over the
whole store (other owners' chunks count, deleted ones do not, an older store's are counted afresh), and words
split as FTS5 splits them."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from privategpt.rag.stores.embedded import DATABASE, EmbeddedStore
from privategpt.rag.stores.embedded_bm25 import tokens
from tests.conftest import make_settings
from tests.rag.stores.contract import DIMENSION, MODEL, make_chunks

CORPUS = [
    "sourdough bread needs a starter",
    "bread bread bread and more bread in a very long text about baking bread at home on weekends",
    "a starter is flour and water",
    "rye bread",
]
OTHER_OWNER = ["tomatoes need sun", "bread crumbs"]


def hand_bm25(query: Sequence[str], corpus: Sequence[Sequence[str]], k1: float, b: float) -> list[float]:
    """BM25 as Lucene scores it, written out for the test: every word counted by hand."""
    average = sum(len(words) for words in corpus) / len(corpus)
    scores = []
    for words in corpus:
        score = 0.0
        for term in query:
            df = sum(term in other for other in corpus)
            tf = words.count(term)
            if tf:
                idf = math.log(1 + (len(corpus) - df + 0.5) / (df + 0.5))
                score += idf * tf / (tf + k1 * (1 - b + b * len(words) / average))
        scores.append(score)
    return scores


def open_store(directory: Path, k1: float, b: float) -> EmbeddedStore:
    store = EmbeddedStore(make_settings(embedded_store_dir=directory, rag_bm25_k1=k1, rag_bm25_b=b))
    store.ensure_index(MODEL, DIMENSION)
    return store


def keyword_scores(store: EmbeddedStore, owner_id: str, text: str) -> dict[str, float]:
    hits = store.search(owner_id, text=text, vector=None, top_k=10, mode="keyword")
    return {hit.chunk_id: hit.score for hit in hits}


@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (0.9, 0.4)])
def test_scores_are_bm25_with_the_settings_over_the_whole_store(tmp_path: Path, k1: float, b: float) -> None:
    store = open_store(tmp_path, k1, b)
    chunks, vectors = make_chunks("alice", "doc-a", CORPUS)
    store.upsert(chunks, vectors)
    store.upsert(*make_chunks("bob", "doc-b", OTHER_OWNER))
    corpus = [text.split() for text in CORPUS + OTHER_OWNER]  # bob's chunks count in the statistics

    expected = hand_bm25(["bread", "starter"], corpus, k1, b)[: len(CORPUS)]
    scores = keyword_scores(store, "alice", "Bread? STARTER!")
    assert scores.keys() == {chunk.chunk_id for chunk in chunks}  # bob's chunks are never found
    assert [scores[chunk.chunk_id] for chunk in chunks] == pytest.approx(expected, rel=1e-9)
    hits = store.search("alice", text="bread starter", vector=None, top_k=2, mode="keyword")
    assert [hit.score for hit in hits] == pytest.approx(sorted(expected, reverse=True)[:2], rel=1e-9)

    store.delete_document("bob", "doc-b")  # gone from the statistics too
    expected = hand_bm25(["bread"], corpus[: len(CORPUS)], k1, b)
    scores = keyword_scores(store, "alice", "bread")
    assert [scores.get(chunk.chunk_id, 0.0) for chunk in chunks] == pytest.approx(expected, rel=1e-9)
    store.close()


def test_the_two_settings_rank_differently() -> None:
    """The corpus above is one where k1 and b matter: else the test before could pass with them ignored."""
    corpus = [text.split() for text in CORPUS + OTHER_OWNER]
    assert hand_bm25(["bread", "starter"], corpus, 1.2, 0.75) != pytest.approx(
        hand_bm25(["bread", "starter"], corpus, 0.9, 0.4), rel=1e-3
    )


def test_a_replaced_chunk_is_counted_once(tmp_path: Path) -> None:
    store = open_store(tmp_path, 0.9, 0.4)
    chunks, vectors = make_chunks("alice", "doc-a", CORPUS)
    store.upsert(chunks, vectors)
    store.upsert(chunks, vectors)  # a redelivered ingestion message
    expected = hand_bm25(["starter"], [text.split() for text in CORPUS], 0.9, 0.4)
    scores = keyword_scores(store, "alice", "starter")
    assert [scores.get(chunk.chunk_id, 0.0) for chunk in chunks] == pytest.approx(expected, rel=1e-9)
    store.close()


def test_a_store_without_word_counts_has_them_counted_when_opened(tmp_path: Path) -> None:
    store = open_store(tmp_path, 0.9, 0.4)
    chunks, vectors = make_chunks("alice", "doc-a", CORPUS)
    store.upsert(chunks, vectors)
    before = keyword_scores(store, "alice", "bread starter")
    store.close()
    with sqlite3.connect(tmp_path / DATABASE) as db:  # as a store written before lengths and tokens were kept
        db.execute("DELETE FROM meta WHERE key = 'tokens'")
        db.execute("DELETE FROM chunk_lengths")
        db.execute("UPDATE terms SET chunks = 0")
    db.close()
    reopened = open_store(tmp_path, 0.9, 0.4)
    assert keyword_scores(reopened, "alice", "bread starter") == pytest.approx(before, rel=1e-9)
    reopened.close()


TRICKY = [
    "Héllo ÉCOLE naïve e\u0301cole \u0301 x\u0301",
    "bar_baz x-y 3.14 ½ ² a'b don\u2019t",
    "Straße ẞ ǅemal İstanbul ﬁne \u017f K Å ǰ ŉ",
    "ПРИВЕТ й ё Ωmega ᾳ ά",
    "日本語 テスト ภาษาไทย \ue000x ª",
    "हिन्दी العَرَبِيَّة a\u20d7b ١٢٣ abc\u200bdef",
    "Ḁḁ ṩ ǖ Ø ø Đ đ ł Æ œ \u0131",
]


def test_words_are_split_as_fts5_splits_them() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE VIRTUAL TABLE t USING fts5 (text, tokenize='unicode61 remove_diacritics 2');"
        "CREATE VIRTUAL TABLE v USING fts5vocab (t, instance);"
    )
    db.executemany("INSERT INTO t (rowid, text) VALUES (?, ?)", list(enumerate(TRICKY)))
    for row, text in enumerate(TRICKY):
        indexed = [term for (term,) in db.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", (row,))]
        assert tokens(text) == indexed, text
    db.close()
