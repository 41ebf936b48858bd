"""One owner's vectors in memory: a matrix for exact scoring and a usearch HNSW graph over the same keys.

The graph holds nobody else's vectors, so the owner filter is structural: no other user's vector is ever scored.
A search scores exactly (one matrix product) when the candidates are few (at most
``embedded_exact_search_max_chunks``: the owner's chunks, or those of the documents asked for), and walks the
graph otherwise. With a document filter over many chunks, the graph is asked for more neighbours, in proportion
to how few of the owner's chunks the filter keeps, and the filter applied to them; should that leave fewer than
``top_k``, the candidates are scored exactly instead, so a filter never loses hits.

Keys are the chunk rows' ids in SQLite (never reused), so the graph can be saved and brought up to date later by
replaying the rows written and removed since.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from usearch.index import Index

# a filtered graph search asks for this many times the neighbours the filter's share predicts it needs
FILTER_OVERSAMPLING = 2.0
INITIAL_CAPACITY = 1024


@dataclass(frozen=True)
class GraphParams:
    connectivity: int
    expansion_add: int
    expansion_search: int
    exact_max: int


def new_graph(dimension: int, params: GraphParams) -> Index:
    return Index(
        ndim=dimension,
        metric="ip",  # the vectors are L2-normalised: inner product is the cosine
        dtype="f32",
        connectivity=params.connectivity,
        expansion_add=params.expansion_add,
        expansion_search=params.expansion_search,
    )


class OwnerVectors:
    """Not thread-safe: the store holds the owner's lock around every call."""

    def __init__(self, dimension: int, params: GraphParams, graph: Index | None = None) -> None:
        self.dimension = dimension
        self.params = params
        self.seq = 0  # the last write (store-wide sequence number) reflected here
        self.unsaved = 0  # graph changes since it was last saved
        self._matrix = np.zeros((INITIAL_CAPACITY, dimension), dtype=np.float32)
        self._keys = np.zeros(INITIAL_CAPACITY, dtype=np.int64)
        self._documents = np.zeros(INITIAL_CAPACITY, dtype=np.int64)
        self._size = 0
        self._position: dict[int, int] = {}
        self._document_codes: dict[str, int] = {}
        self.graph = graph if graph is not None else new_graph(dimension, params)

    def __len__(self) -> int:
        return self._size

    @property
    def keys(self) -> NDArray[np.int64]:
        return self._keys[: self._size]

    # --- writes ---

    def add(self, keys: Sequence[int], documents: Sequence[str], vectors: NDArray[np.float32], *, graph: bool) -> None:
        """Rows new to the matrix (and to the graph, unless it already has them: ``graph=False``)."""
        if not keys:
            return
        self.remove(key for key in keys if key in self._position)
        count = len(keys)
        self._reserve(self._size + count)
        end = self._size + count
        self._matrix[self._size : end] = vectors
        self._keys[self._size : end] = keys
        self._documents[self._size : end] = [self._code(document) for document in documents]
        for offset, key in enumerate(keys):
            self._position[key] = self._size + offset
        self._size = end
        if graph:
            key_array = np.asarray(keys, dtype=np.uint64)
            self.graph.remove(key_array)  # a key the graph already has (replayed onto a saved graph)
            self.graph.add(key_array, vectors)
            self.unsaved += count

    def remove(self, keys: Iterable[int]) -> None:
        gone = [key for key in keys if key in self._position]
        for key in gone:
            position = self._position.pop(key)
            last = self._size - 1
            if position != last:
                moved = int(self._keys[last])
                self._matrix[position] = self._matrix[last]
                self._keys[position] = moved
                self._documents[position] = self._documents[last]
                self._position[moved] = position
            self._size = last
        if gone:
            self.graph.remove(np.asarray(gone, dtype=np.uint64))
            self.unsaved += len(gone)

    def forget_graph_keys(self, keys: Sequence[int]) -> None:
        """Keys removed since a saved graph was written, that the matrix (read afresh) no longer has."""
        if keys:
            self.graph.remove(np.asarray(keys, dtype=np.uint64))
            self.unsaved += len(keys)

    def readd_to_graph(self, keys: Sequence[int]) -> None:
        """Rows written since a saved graph was written: their vectors (from the matrix) into the graph."""
        present = [key for key in keys if key in self._position]
        if present:
            key_array = np.asarray(present, dtype=np.uint64)
            self.graph.remove(key_array)
            self.graph.add(key_array, self._matrix[[self._position[key] for key in present]])
            self.unsaved += len(present)

    def graph_matches(self) -> bool:
        return len(self.graph) == self._size

    def rebuild_graph(self) -> None:
        self.graph = new_graph(self.dimension, self.params)
        if self._size:
            self.graph.add(self.keys.astype(np.uint64), self._matrix[: self._size])
        self.unsaved = self._size

    def save_graph(self, path: Path) -> None:
        temporary = path.with_name(path.name + ".tmp")
        self.graph.save(str(temporary))
        temporary.replace(path)
        self.unsaved = 0

    # --- search ---

    def search(
        self, query: NDArray[np.float32], top_k: int, document_ids: Sequence[str] | None = None
    ) -> list[tuple[int, float]]:
        """(key, cosine) of the best ``top_k`` rows, best first."""
        if not self._size or top_k <= 0:
            return []
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        if document_ids is None:
            if self._size <= self.params.exact_max:
                return self._exact(query, top_k, None)
            return self._graph_search(query, top_k)
        codes = [self._document_codes[doc] for doc in document_ids if doc in self._document_codes]
        if not codes:
            return []
        positions = np.flatnonzero(np.isin(self._documents[: self._size], codes))
        if not len(positions):
            return []
        if len(positions) <= self.params.exact_max:
            return self._exact(query, top_k, positions)
        wanted = math.ceil(top_k * FILTER_OVERSAMPLING * self._size / len(positions))
        allowed = set(self._keys[positions].tolist())
        found = [(key, score) for key, score in self._graph_search(query, wanted) if key in allowed]
        if len(found) >= min(top_k, len(positions)):
            return found[:top_k]
        return self._exact(query, top_k, positions)

    def _exact(
        self, query: NDArray[np.float32], top_k: int, positions: NDArray[np.intp] | None
    ) -> list[tuple[int, float]]:
        rows = self._matrix[: self._size] if positions is None else self._matrix[positions]
        # einsum, not BLAS: one thread per search, as the API's thread pool and the ingestion worker share the cores
        # (a multithreaded BLAS matrix-vector product was several times slower here under load)
        scores = np.einsum("ij,j->i", rows, query)
        k = min(top_k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        best = best[np.argsort(-scores[best], kind="stable")]
        keys = self._keys[best] if positions is None else self._keys[positions[best]]
        return [(int(key), float(score)) for key, score in zip(keys, scores[best], strict=True)]

    def _graph_search(self, query: NDArray[np.float32], top_k: int) -> list[tuple[int, float]]:
        count = min(top_k, self._size)
        if self.graph.expansion_search < count:  # breadth at least the neighbours asked for
            self.graph.expansion_search = count  # type: ignore[misc]  # usearch has the setter, untyped
        matches = self.graph.search(query, count)
        if self.graph.expansion_search != self.params.expansion_search:
            self.graph.expansion_search = self.params.expansion_search  # type: ignore[misc]
        return [
            (int(key), 1.0 - float(distance)) for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]

    # --- internals ---

    def _code(self, document_id: str) -> int:
        return self._document_codes.setdefault(document_id, len(self._document_codes))

    def _reserve(self, size: int) -> None:
        capacity = len(self._keys)
        if size <= capacity:
            return
        while capacity < size:
            capacity *= 2
        matrix = np.zeros((capacity, self.dimension), dtype=np.float32)
        matrix[: self._size] = self._matrix[: self._size]
        self._matrix = matrix
        self._keys = np.resize(self._keys, capacity)
        self._documents = np.resize(self._documents, capacity)
