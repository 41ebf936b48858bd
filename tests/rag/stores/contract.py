"""What every ``VectorStore`` must do, as tests any implementation can run.

Subclass ``StoreContract`` in a test module and override its ``store`` fixture with a store whose index was made
by ``ensure_index(MODEL, DIMENSION)`` (any scope: each test writes under owners of its own, so one store can serve
the whole class). A store whose writes become searchable only later may have a ``refresh()`` method: the suite
calls it after every write (OpenSearch's refresh; Serverless, eventually consistent, may instead wait there).

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self) -> VectorStore: ...
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from privategpt.rag.errors import IndexMismatch
from privategpt.rag.types import SEARCH_MODES, Chunk, Hit, SearchMode, VectorStore, chunk_id

MODEL = "contract/test-embedder"
DIMENSION = 8

# one topic per chunk, each with a direction of its own
TOPICS = [
    "Sourdough bread needs a lively starter, flour, water and a long cold fermentation.",
    "Black holes bend light so strongly that nothing escapes past the event horizon.",
    "The quarterly report shows revenue growth in the northern sales region.",
    "Alpine glaciers retreat as summers grow warmer and winters shorter.",
    "Python's asyncio runs coroutines on one event loop in a single thread.",
]

# a query in FTS5 / Lucene syntax, or plain noise, must never be a syntax error
HOSTILE_QUERIES = [
    '"',
    '"unbalanced quote',
    "AND",
    "OR NOT",
    "a AND (b",
    "NEAR(sourdough bread)",
    "text:sourdough",
    "^sourdough",
    "sour*",
    "-bread +starter",
    "'; DROP TABLE chunks; --",
    "{ } [ ] ( ) \\ / : ; ~ ^ * ? ! @ # $ % & | < > =",
    "",
    "   ",
    "…",
]


def unit(index: int, *, noise: float = 0.0, seed: int = 0) -> NDArray[np.float32]:
    vector = np.zeros(DIMENSION, dtype=np.float32)
    vector[index % DIMENSION] = 1.0
    if noise:
        vector += np.random.default_rng(seed).normal(0, noise, DIMENSION).astype(np.float32)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def make_chunks(
    owner_id: str,
    document_id: str,
    texts: Sequence[str] = TOPICS,
    *,
    filename: str = "notes.pdf",
) -> tuple[list[Chunk], NDArray[np.float32]]:
    chunks = [
        Chunk(
            chunk_id=chunk_id(document_id, i),
            document_id=document_id,
            owner_id=owner_id,
            index=i,
            text=text,
            filename=filename,
            page=i + 1 if i % 2 == 0 else None,
            heading=f"Part {i}" if i % 2 == 0 else None,
            token_count=len(text.split()),
        )
        for i, text in enumerate(texts)
    ]
    vectors = np.stack([unit(i, noise=0.05, seed=i) for i in range(len(texts))]).astype(np.float32)
    return chunks, vectors


class StoreContract:
    @pytest.fixture
    def store(self) -> VectorStore:
        raise NotImplementedError("override the store fixture: a store with ensure_index(MODEL, DIMENSION) done")

    @pytest.fixture
    def owner(self) -> str:
        return f"owner-{uuid.uuid4().hex[:12]}"

    @pytest.fixture
    def other_owner(self) -> str:
        return f"other-{uuid.uuid4().hex[:12]}"

    # --- helpers ---

    @staticmethod
    def written(store: VectorStore) -> None:
        refresh = getattr(store, "refresh", None)
        if callable(refresh):
            refresh()

    def add(self, store: VectorStore, owner_id: str, document_id: str, texts: Sequence[str] = TOPICS) -> list[Chunk]:
        chunks, vectors = make_chunks(owner_id, document_id, texts)
        store.upsert(chunks, vectors)
        self.written(store)
        return chunks

    @staticmethod
    def find(
        store: VectorStore,
        owner_id: str,
        text: str,
        vector: NDArray[np.float32] | None,
        mode: SearchMode,
        *,
        top_k: int = 3,
        document_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        return store.search(
            owner_id, text=text, vector=None if mode == "keyword" else vector, top_k=top_k, mode=mode,
            document_ids=document_ids,
        )  # fmt: skip

    # --- the index ---

    def test_ensure_index_again_with_the_same_model_is_fine(self, store: VectorStore) -> None:
        store.ensure_index(MODEL, DIMENSION)
        store.ensure_index(MODEL, DIMENSION)

    @pytest.mark.parametrize(("model", "dimension"), [("other/embedder", DIMENSION), (MODEL, DIMENSION * 2)])
    def test_ensure_index_of_another_embedding_space_raises(
        self, store: VectorStore, model: str, dimension: int
    ) -> None:
        with pytest.raises(IndexMismatch):
            store.ensure_index(model, dimension)

    # --- search ---

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_each_mode_finds_the_matching_chunk_first(self, store: VectorStore, owner: str, mode: SearchMode) -> None:
        chunks = self.add(store, owner, "doc-a")
        for target in (0, 3):
            query = " ".join(TOPICS[target].split()[:4])
            hits = self.find(store, owner, query, unit(target), mode)
            assert hits, mode
            assert hits[0].chunk_id == chunks[target].chunk_id
            assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)

    def test_hybrid_finds_what_either_side_finds(self, store: VectorStore, owner: str) -> None:
        chunks = self.add(store, owner, "doc-a")
        hits = self.find(store, owner, "glaciers retreat", unit(1), "hybrid", top_k=5)  # words of 3, direction of 1
        assert {chunks[1].chunk_id, chunks[3].chunk_id} <= {hit.chunk_id for hit in hits[:2]}

    def test_fields_round_trip(self, store: VectorStore, owner: str) -> None:
        chunks = self.add(store, owner, "doc-a")
        for mode in SEARCH_MODES:
            for target in (0, 1):  # with page and heading, and without
                hit = self.find(store, owner, TOPICS[target], unit(target), mode, top_k=1)[0]
                chunk = chunks[target]
                assert (hit.chunk_id, hit.document_id, hit.text, hit.filename) == (
                    chunk.chunk_id,
                    chunk.document_id,
                    chunk.text,
                    chunk.filename,
                )
                assert (hit.page, hit.heading, hit.index) == (chunk.page, chunk.heading, chunk.index)

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_top_k_is_respected(self, store: VectorStore, owner: str, mode: SearchMode) -> None:
        self.add(store, owner, "doc-a")
        query = "the and of a sourdough black report glaciers python"
        assert len(self.find(store, owner, query, unit(0), mode, top_k=2)) == 2
        assert len(self.find(store, owner, query, unit(0), mode, top_k=1)) == 1
        assert len(self.find(store, owner, query, unit(0), mode, top_k=50)) <= len(TOPICS)

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_an_owner_without_chunks_finds_nothing(self, store: VectorStore, owner: str, mode: SearchMode) -> None:
        assert self.find(store, owner, "sourdough bread", unit(0), mode) == []
        assert store.count(owner) == 0
        assert store.count(owner, "doc-a") == 0

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_an_empty_document_filter_finds_nothing(self, store: VectorStore, owner: str, mode: SearchMode) -> None:
        self.add(store, owner, "doc-a")
        assert self.find(store, owner, "sourdough bread", unit(0), mode, document_ids=[]) == []

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_the_document_filter_keeps_only_those_documents(
        self, store: VectorStore, owner: str, mode: SearchMode
    ) -> None:
        self.add(store, owner, "doc-a")
        self.add(store, owner, "doc-b")
        self.add(store, owner, "doc-c")
        for wanted in (["doc-b"], ["doc-a", "doc-c"]):
            hits = self.find(store, owner, "sourdough bread", unit(0), mode, top_k=5, document_ids=wanted)
            assert hits
            assert {hit.document_id for hit in hits} <= set(wanted)
            assert hits[0].text == TOPICS[0]
        assert self.find(store, owner, "sourdough", unit(0), mode, document_ids=["doc-unknown"]) == []

    @pytest.mark.parametrize("query", HOSTILE_QUERIES)
    def test_keyword_syntax_in_the_query_never_errors(self, store: VectorStore, owner: str, query: str) -> None:
        self.add(store, owner, "doc-a")
        for mode in ("keyword", "hybrid"):
            hits = self.find(store, owner, query, unit(0), mode)
            assert all(hit.document_id == "doc-a" for hit in hits)

    def test_words_among_punctuation_are_still_found(self, store: VectorStore, owner: str) -> None:
        chunks = self.add(store, owner, "doc-a")
        hits = self.find(store, owner, 'glaciers: "retreat" AND (summers', None, "keyword")
        assert hits[0].chunk_id == chunks[3].chunk_id

    # --- writes ---

    def test_upserting_again_overwrites_and_never_duplicates(self, store: VectorStore, owner: str) -> None:
        chunks = self.add(store, owner, "doc-a")
        self.add(store, owner, "doc-a")
        assert store.count(owner) == len(TOPICS)
        assert store.count(owner, "doc-a") == len(TOPICS)
        for mode in SEARCH_MODES:
            hits = self.find(store, owner, "sourdough bread black holes report", unit(0), mode, top_k=10)
            ids = [hit.chunk_id for hit in hits]
            assert len(ids) == len(set(ids)), mode

        changed = [*TOPICS]
        changed[2] = "Migrating birds navigate by the stars and the magnetic field."
        self.add(store, owner, "doc-a", changed)
        assert store.count(owner) == len(TOPICS)
        assert self.find(store, owner, "quarterly revenue", None, "keyword") == []
        hit = self.find(store, owner, "migrating birds", unit(2), "hybrid", top_k=1)[0]
        assert (hit.chunk_id, hit.text) == (chunks[2].chunk_id, changed[2])

    def test_delete_document_removes_it_from_every_mode_and_the_count(self, store: VectorStore, owner: str) -> None:
        self.add(store, owner, "doc-a")
        kept = self.add(store, owner, "doc-b")
        store.delete_document(owner, "doc-a")
        self.written(store)
        assert store.count(owner, "doc-a") == 0
        assert store.count(owner) == len(TOPICS)
        for mode in SEARCH_MODES:
            hits = self.find(store, owner, "sourdough bread", unit(0), mode, top_k=10)
            assert {hit.document_id for hit in hits} == {"doc-b"}, mode
            assert hits[0].chunk_id == kept[0].chunk_id
            assert self.find(store, owner, "sourdough", unit(0), mode, document_ids=["doc-a"]) == []

    def test_delete_document_is_idempotent(self, store: VectorStore, owner: str) -> None:
        self.add(store, owner, "doc-a")
        store.delete_document(owner, "doc-a")
        self.written(store)
        store.delete_document(owner, "doc-a")
        store.delete_document(owner, "doc-never-indexed")
        self.written(store)
        assert store.count(owner) == 0

    # --- owners ---

    @pytest.mark.parametrize("mode", SEARCH_MODES)
    def test_an_owner_never_finds_another_owners_chunks(
        self, store: VectorStore, owner: str, other_owner: str, mode: SearchMode
    ) -> None:
        self.add(store, owner, f"{owner}-doc")
        self.add(store, other_owner, f"{other_owner}-doc", TOPICS[2:])  # no sourdough of its own
        for document_ids in (None, [f"{owner}-doc"], [f"{owner}-doc", f"{other_owner}-doc"]):
            hits = self.find(store, other_owner, "sourdough bread", unit(0), mode, top_k=10, document_ids=document_ids)
            assert all(hit.document_id == f"{other_owner}-doc" for hit in hits), (mode, document_ids)
        assert store.count(other_owner, f"{owner}-doc") == 0

    def test_deleting_another_owners_document_deletes_nothing(
        self, store: VectorStore, owner: str, other_owner: str
    ) -> None:
        self.add(store, owner, f"{owner}-doc")
        store.delete_document(other_owner, f"{owner}-doc")
        self.written(store)
        assert store.count(owner) == len(TOPICS)
