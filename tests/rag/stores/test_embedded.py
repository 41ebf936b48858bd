"""The embedded store: the contract suite (scoring exactly, and walking the HNSW graphs), plus what is its own:
persistence across a restart (with a saved graph, and after a crash that left an older one), another instance
on the same files (another process), concurrent writes and searches, and the store factory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from privategpt.rag.errors import IndexMismatch
from privategpt.rag.stores import close_stores, store_for
from privategpt.rag.stores.embedded import EmbeddedStore, keyword_terms
from privategpt.rag.types import SEARCH_MODES, VectorStore
from tests.conftest import make_settings
from tests.rag.stores.contract import DIMENSION, MODEL, TOPICS, StoreContract, make_chunks, unit


def open_store(directory: Path, **overrides: Any) -> EmbeddedStore:
    return EmbeddedStore(make_settings(embedded_store_dir=directory, **overrides))


@pytest.fixture(scope="module")
def exact_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = open_store(tmp_path_factory.mktemp("exact"))
    store.ensure_index(MODEL, DIMENSION)
    yield store
    store.close()


@pytest.fixture(scope="module")
def graph_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    # every search walks the graph, with a document filter too (oversampled, exact when that finds too few)
    store = open_store(tmp_path_factory.mktemp("graph"), embedded_exact_search_max_chunks=1)
    store.ensure_index(MODEL, DIMENSION)
    yield store
    store.close()


class TestExactScoring(StoreContract):
    @pytest.fixture
    def store(self, exact_store: EmbeddedStore) -> VectorStore:
        return exact_store


class TestGraphSearch(StoreContract):
    @pytest.fixture
    def store(self, graph_store: EmbeddedStore) -> VectorStore:
        return graph_store


# --- its own ---


def test_a_store_without_an_index_finds_nothing_and_refuses_writes(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for mode in SEARCH_MODES:
        assert store.search("alice", text="sourdough", vector=unit(0), top_k=3, mode=mode) == []
    assert store.count("alice") == 0
    chunks, vectors = make_chunks("alice", "doc-a")
    with pytest.raises(ValueError, match="ensure_index"):
        store.upsert(chunks, vectors)
    store.close()


def test_vectors_of_another_dimension_are_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.ensure_index(MODEL, DIMENSION)
    chunks, vectors = make_chunks("alice", "doc-a")
    with pytest.raises(ValueError, match=f"dimension {DIMENSION}"):
        store.upsert(chunks, np.hstack([vectors, vectors]))
    store.upsert(chunks, vectors)
    with pytest.raises(IndexMismatch):
        store.search("alice", text="x", vector=np.ones(DIMENSION * 2, dtype=np.float32), top_k=3, mode="vector")
    with pytest.raises(ValueError, match="needs the query's vector"):
        store.search("alice", text="x", vector=None, top_k=3, mode="hybrid")
    store.close()


def test_the_index_model_survives_a_restart(tmp_path: Path) -> None:
    open_store(tmp_path).ensure_index(MODEL, DIMENSION)
    reopened = open_store(tmp_path)
    reopened.ensure_index(MODEL, DIMENSION)
    with pytest.raises(IndexMismatch, match=MODEL):
        reopened.ensure_index("other/model", DIMENSION)
    reopened.close()


def graph_files(directory: Path) -> list[Path]:
    return sorted((directory / "graphs").glob("*.usearch"))


def test_chunks_and_graphs_survive_a_restart(tmp_path: Path) -> None:
    settings = {"embedded_exact_search_max_chunks": 1, "embedded_graph_save_changes": 1_000_000}
    first = open_store(tmp_path, **settings)
    first.ensure_index(MODEL, DIMENSION)
    chunks, vectors = make_chunks("alice", "doc-a")
    first.upsert(chunks, vectors)
    assert first.search("alice", text="", vector=unit(1), top_k=1, mode="vector")[0].chunk_id == chunks[1].chunk_id
    first.close()  # saves the graph
    assert len(graph_files(tmp_path)) == 1

    second = open_store(tmp_path, **settings)
    assert second.count("alice") == len(TOPICS)
    assert second.search("alice", text="", vector=unit(1), top_k=1, mode="vector")[0].chunk_id == chunks[1].chunk_id
    # writes after the saved graph, then a crash (no close): the next start replays them onto the saved graph
    second.delete_document("alice", "doc-a")
    more, more_vectors = make_chunks("alice", "doc-b", TOPICS[:2])
    second.upsert(more, more_vectors)
    assert [hit.document_id for hit in second.search("alice", text="", vector=unit(0), top_k=5, mode="vector")] == [
        "doc-b",
        "doc-b",
    ]

    third = open_store(tmp_path, **settings)
    for mode in SEARCH_MODES:
        hits = third.search("alice", text="sourdough black", vector=unit(0), top_k=5, mode=mode)
        assert [hit.chunk_id for hit in hits][:1] == [more[0].chunk_id], mode
        assert {hit.document_id for hit in hits} == {"doc-b"}, mode
    third.close()
    second.close()
    assert len(graph_files(tmp_path)) == 1  # older saves are removed


def test_a_corrupt_graph_file_is_rebuilt_from_the_database(tmp_path: Path) -> None:
    store = open_store(tmp_path, embedded_exact_search_max_chunks=1)
    store.ensure_index(MODEL, DIMENSION)
    chunks, vectors = make_chunks("alice", "doc-a")
    store.upsert(chunks, vectors)
    store.search("alice", text="", vector=unit(0), top_k=1, mode="vector")
    store.close()
    for path in graph_files(tmp_path):
        path.write_bytes(b"not a graph")
    reopened = open_store(tmp_path, embedded_exact_search_max_chunks=1)
    assert reopened.search("alice", text="", vector=unit(2), top_k=1, mode="vector")[0].chunk_id == chunks[2].chunk_id
    reopened.close()


def test_another_instance_on_the_same_files_sees_every_write(tmp_path: Path) -> None:
    writer, reader = open_store(tmp_path), open_store(tmp_path, embedded_exact_search_max_chunks=1)
    writer.ensure_index(MODEL, DIMENSION)
    assert reader.search("alice", text="", vector=unit(0), top_k=3, mode="vector") == []
    chunks, vectors = make_chunks("alice", "doc-a")
    writer.upsert(chunks, vectors)
    assert reader.search("alice", text="", vector=unit(0), top_k=1, mode="vector")[0].chunk_id == chunks[0].chunk_id
    writer.delete_document("alice", "doc-a")
    assert reader.search("alice", text="sourdough", vector=unit(0), top_k=3, mode="hybrid") == []
    writer.close()
    reader.close()


@pytest.mark.parametrize("exact_max", [1, 10_000])
def test_concurrent_writes_and_searches(tmp_path: Path, exact_max: int) -> None:
    store = open_store(tmp_path, embedded_exact_search_max_chunks=exact_max, embedded_graph_save_changes=20)
    store.ensure_index(MODEL, DIMENSION)
    documents = [f"doc-{n}" for n in range(24)]

    def write(document_id: str) -> None:
        chunks, vectors = make_chunks("alice", document_id)
        store.upsert(chunks, vectors)
        store.upsert(chunks, vectors)  # redelivered
        if document_id.endswith("3"):
            store.delete_document("alice", document_id)

    def read(n: int) -> int:
        hits = store.search("alice", text="sourdough bread", vector=unit(n), top_k=5, mode=SEARCH_MODES[n % 3])
        assert all(hit.document_id in documents for hit in hits)
        return len(hits)

    with ThreadPoolExecutor(max_workers=8) as pool:
        writes = [pool.submit(write, document_id) for document_id in documents]
        reads = [pool.submit(read, n) for n in range(120)]
        for future in writes + reads:
            future.result()

    kept = [document_id for document_id in documents if not document_id.endswith("3")]
    assert store.count("alice") == len(kept) * len(TOPICS)
    for document_id in documents:
        hits = store.search("alice", text="", vector=unit(0), top_k=10, mode="vector", document_ids=[document_id])
        assert len(hits) == (len(TOPICS) if document_id in kept else 0)
    store.close()


def test_keyword_terms_are_fts5_words_each_once() -> None:
    assert keyword_terms('sour* "dough" AND (bread') == ["sour", "dough", "and", "bread"]
    assert keyword_terms("Ünïcode façade façade") == ["unicode", "facade"]
    assert keyword_terms(' " () * ') == []


# --- the factory ---


def test_store_for_opens_one_store_per_configuration(tmp_path: Path) -> None:
    settings = make_settings(embedded_store_dir=tmp_path / "a")
    try:
        store = store_for(settings)
        assert isinstance(store, EmbeddedStore)
        assert store_for(make_settings(embedded_store_dir=tmp_path / "a")) is store
        assert store_for(make_settings(embedded_store_dir=tmp_path / "b")) is not store
        default = store_for(make_settings(data_dir=tmp_path / "data"))
        assert isinstance(default, EmbeddedStore) and default.root == tmp_path / "data" / "vectors"
    finally:
        close_stores()
    assert store_for(settings) is not store
    close_stores()


def test_the_store_factory_imports_no_heavy_module() -> None:
    code = (
        "import sys, privategpt.rag.stores, privategpt.rag.fusion\n"
        "heavy = {'numpy', 'usearch', 'opensearchpy'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_words_in_most_chunks_are_left_out_of_keyword_search(tmp_path: Path) -> None:
    store = open_store(tmp_path, embedded_common_term_min_chunks=2)
    store.ensure_index(MODEL, DIMENSION)
    texts = ["the cat sat", "the dog ran", "the bird flew", "a fish swam"]
    chunks, vectors = make_chunks("alice", "doc-a", texts)
    store.upsert(chunks, vectors)
    store.upsert(chunks, vectors)  # counted once

    def found(query: str) -> list[str]:
        return [hit.text for hit in store.search("alice", text=query, vector=None, top_k=10, mode="keyword")]

    assert found("the cat") == ["the cat sat"]  # "the" is in 3 of 4 chunks: no weight, and not scored
    assert sorted(found("the")) == sorted(texts[:3])  # every word common: the rarest stays
    assert sorted(found("a fish")) == ["a fish swam"]
    store.delete_document("alice", "doc-a")
    others, other_vectors = make_chunks("alice", "doc-b", ["the end", "no article here", "nor here", "nor there"])
    store.upsert(others, other_vectors)
    assert found("the end") == ["the end"]  # "the" is now in 1 of 4 chunks: kept, and ranked
    assert found("the") == ["the end"]
    store.close()
