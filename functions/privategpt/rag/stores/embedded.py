"""The embedded vector store (``PGPT_VECTOR_STORE=embedded``): SQLite for chunks, their text and BM25, usearch HNSW
graphs (one per owner) for the vectors. Nothing to run beside the app; files under ``embedded_store_dir``
(default ``data_dir / "vectors"``).

SQLite (stdlib, WAL) is the source of truth: every chunk row carries its text, metadata and vector, and an FTS5
table over the text finds the chunks a keyword search matches, scored by BM25 with the settings' k1 and b
(``embedded_bm25``). Each write gets a store-wide sequence number; a
removed row leaves its key and number behind. An owner's vectors are loaded into memory on the first search
(``embedded_vectors.OwnerVectors``) and brought up to date on each later one by replaying what was written and
removed since, so writes by the ingestion worker (another thread, or another process) are seen by the next search.
A graph is saved beside the database once enough has changed (and on ``close``); after a restart it is restored
and the changes since replayed, rather than rebuilt.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from usearch.index import Index

from privategpt.rag.errors import IndexMismatch
from privategpt.rag.fusion import fuse
from privategpt.rag.stores.embedded_bm25 import Bm25, tokens
from privategpt.rag.stores.embedded_vectors import GraphParams, OwnerVectors
from privategpt.rag.types import Chunk, Hit, SearchMode
from privategpt.settings import Settings

if TYPE_CHECKING:
    from privategpt.rag.types import Vectors

Row = tuple[int, str, str, str]  # a chunk's key, owner, document and text

DATABASE = "chunks.sqlite3"
GRAPHS = "graphs"
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_SECONDS = 30.0  # how long a write waits for another process's write to finish

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- the vector's key in the owner's graph; never reused
    chunk_id TEXT NOT NULL UNIQUE,
    owner_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    filename TEXT NOT NULL,
    page INTEGER,
    heading TEXT,
    token_count INTEGER NOT NULL,
    vector BLOB NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_owner_document ON chunks (owner_id, document_id);
CREATE INDEX IF NOT EXISTS chunks_owner_seq ON chunks (owner_id, seq);
CREATE TABLE IF NOT EXISTS removed (id INTEGER PRIMARY KEY, owner_id TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS removed_owner_seq ON removed (owner_id, seq);
CREATE TABLE IF NOT EXISTS owners (owner_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
-- in how many chunks each word is (as FTS5 splits them, see embedded_bm25.tokens): BM25's IDF, and to leave out
-- words too common to rank by; meta 'tokens' holds the number of words in all chunks
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) WITHOUT ROWID;
-- each chunk's number of words, with its owner and document: keyword search filters and scores its matches from
-- this narrow table (a chunk row, with its text and vector, is wide: joining it made the search three times slower)
CREATE TABLE IF NOT EXISTS chunk_lengths (
    id INTEGER PRIMARY KEY, owner_id TEXT NOT NULL, document_id TEXT NOT NULL, tokens INTEGER NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_text USING fts5 (
    text, content='chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
-- one row per occurrence of a word: a query word's chunks and how often it is in each
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_words USING fts5vocab (chunks_text, instance);
CREATE TRIGGER IF NOT EXISTS chunks_text_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_text (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS chunks_text_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_text (chunks_text, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

# A query word's chunks among an owner's, with how often it is in each and the chunk's length. CROSS JOIN: from
# the word's occurrences (counted per chunk first) to the chunks by primary key, never a scan of the owner's chunks
WORD_IN_CHUNKS = """
SELECT w.doc, w.tf, l.tokens
FROM (SELECT doc, count(*) AS tf FROM chunks_words WHERE term = ? GROUP BY doc) w
CROSS JOIN chunk_lengths l ON l.id = w.doc
WHERE l.owner_id = ?
"""
WORD_IN_DOCUMENTS = """
SELECT w.doc, w.tf, l.tokens
FROM (SELECT doc, count(*) AS tf FROM chunks_words WHERE term = ? GROUP BY doc) w
CROSS JOIN chunk_lengths l ON l.id = w.doc
WHERE l.owner_id = ? AND l.document_id IN (SELECT value FROM json_each(?))
"""
# CROSS JOIN: SQLite keeps this order, looking the rows up by primary key (not scanning the owner's index)
ROWS_BY_KEY = """
SELECT c.id, c.chunk_id, c.document_id, c.idx, c.text, c.filename, c.page, c.heading
FROM json_each(?) AS wanted CROSS JOIN chunks c ON c.id = wanted.value
WHERE c.owner_id = ?
"""


def keyword_terms(text: str) -> list[str]:
    """A query's words, each once, as FTS5 indexes them. They reach SQLite only as bound parameters (never as FTS5
    query syntax), so any user text is safe."""
    return list(dict.fromkeys(tokens(text)))


def term_counts(texts: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(keyword_terms(text))
    return counts


def _hit(row: Sequence[Any], score: float) -> Hit:
    _, chunk_id, document_id, index, text, filename, page, heading = row
    return Hit(
        chunk_id=chunk_id,
        document_id=document_id,
        text=text,
        filename=filename,
        score=score,
        page=page,
        heading=heading,
        index=index,
    )


class EmbeddedStore:
    def __init__(self, settings: Settings) -> None:
        self._root = settings.embedded_store_dir or settings.data_dir / "vectors"
        self._graphs = self._root / GRAPHS
        self._graphs.mkdir(parents=True, exist_ok=True)
        self._params = GraphParams(
            connectivity=settings.embedded_hnsw_connectivity,
            expansion_add=settings.embedded_hnsw_expansion_add,
            expansion_search=settings.embedded_hnsw_expansion_search,
            exact_max=settings.embedded_exact_search_max_chunks,
        )
        self._save_after_changes = settings.embedded_graph_save_changes
        self._keyword_weight = settings.rag_hybrid_keyword_weight
        self._vector_weight = settings.rag_hybrid_vector_weight
        self._candidates = settings.rag_hybrid_candidates
        self._common_term_min_chunks = settings.embedded_common_term_min_chunks
        self._bm25 = Bm25(k1=settings.rag_bm25_k1, b=settings.rag_bm25_b)
        self._lock = threading.Lock()  # the dicts below, the connection list
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._generation = 0  # bumped by close(): every thread opens a new connection afterwards
        self._owners: dict[str, OwnerVectors] = {}
        self._owner_locks: dict[str, threading.Lock] = {}
        self._dimension: int | None = None
        self._connection().executescript(SCHEMA)  # idempotent; executescript commits, so not in a transaction
        with self._transaction(write=True) as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', '0')")
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('chunks', '0')")
            if db.execute("SELECT 1 FROM meta WHERE key = 'tokens'").fetchone() is None:
                self._count_all_words(db)

    @property
    def root(self) -> Path:
        return self._root

    # --- index ---

    def ensure_index(self, model_id: str, dimension: int) -> None:
        with self._transaction(write=True) as db:
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('model_id', 'dimension')").fetchall())
            if not meta:
                db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("model_id", model_id), ("dimension", str(dimension))],
                )
            elif meta.get("model_id") != model_id or meta.get("dimension") != str(dimension):
                raise IndexMismatch(
                    f"the embedded vector store in {self._root} was built by {meta.get('model_id')!r} "
                    f"(dimension {meta.get('dimension')}), not {model_id!r} (dimension {dimension}): re-index into "
                    "another PGPT_EMBEDDED_STORE_DIR or embed with the store's model",
                    details={"model_id": model_id, "dimension": dimension},
                )
        self._dimension = dimension

    def _index_dimension(self) -> int | None:
        if self._dimension is None:
            with self._transaction(write=False) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()
            self._dimension = int(row[0]) if row else None
        return self._dimension

    # --- writes ---

    def upsert(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        if not chunks:
            return
        dimension = self._index_dimension()
        if dimension is None:
            raise ValueError("the embedded vector store has no index yet: call ensure_index first")
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.shape != (len(chunks), dimension):
            raise ValueError(
                f"{len(chunks)} chunks need vectors of shape ({len(chunks)}, {dimension}), got {matrix.shape}: "
                f"the index has dimension {dimension}"
            )
        with self._transaction(write=True) as db:
            seq = self._next_seq(db)
            ids = [chunk.chunk_id for chunk in chunks]
            previous = db.execute(
                "SELECT id, owner_id, document_id, text FROM chunks WHERE chunk_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            ).fetchall()
            touched = {chunk.owner_id for chunk in chunks} | {owner for _, owner, _, _ in previous}
            self._remove_rows(db, previous, seq)
            db.executemany(
                "INSERT INTO chunks (chunk_id, owner_id, document_id, idx, text, filename, page, heading, "
                "token_count, vector, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        chunk.chunk_id,
                        chunk.owner_id,
                        chunk.document_id,
                        chunk.index,
                        chunk.text,
                        chunk.filename,
                        chunk.page,
                        chunk.heading,
                        chunk.token_count,
                        vector.tobytes(),
                        seq,
                    )
                    for chunk, vector in zip(chunks, matrix, strict=True)
                ],
            )
            written = db.execute(
                "SELECT id, owner_id, document_id, text FROM chunks WHERE chunk_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            ).fetchall()
            self._count_terms(db, written, +1)
            self._touch(db, touched, seq)

    def delete_document(self, owner_id: str, document_id: str) -> None:
        with self._transaction(write=True) as db:
            rows = db.execute(
                "SELECT id, owner_id, document_id, text FROM chunks WHERE owner_id = ? AND document_id = ?",
                (owner_id, document_id),
            ).fetchall()
            if rows:
                seq = self._next_seq(db)
                self._remove_rows(db, rows, seq)
                self._touch(db, {owner_id}, seq)

    @staticmethod
    def _next_seq(db: sqlite3.Connection) -> int:
        row = db.execute("UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value").fetchone()
        return int(row[0])

    @classmethod
    def _remove_rows(cls, db: sqlite3.Connection, rows: Sequence[Row], seq: int) -> None:
        db.executemany("DELETE FROM chunks WHERE id = ?", [(row_id,) for row_id, _, _, _ in rows])
        db.executemany(
            "INSERT INTO removed (id, owner_id, seq) VALUES (?, ?, ?)",
            [(row_id, owner, seq) for row_id, owner, _, _ in rows],
        )
        cls._count_terms(db, rows, -1)

    @staticmethod
    def _count_terms(db: sqlite3.Connection, rows: Sequence[Row], sign: int) -> None:
        """Keep BM25's statistics: chunks, words in all, chunks per word, words per chunk."""
        if not rows:
            return
        lengths = [(row_id, owner, document, len(tokens(text))) for row_id, owner, document, text in rows]
        db.execute("UPDATE meta SET value = value + ? WHERE key = 'chunks'", (sign * len(rows),))
        db.execute("UPDATE meta SET value = value + ? WHERE key = 'tokens'", (sign * sum(row[-1] for row in lengths),))
        db.executemany(
            "INSERT INTO terms (term, chunks) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET chunks = chunks + ?",
            [(term, sign * count, sign * count) for term, count in term_counts([row[-1] for row in rows]).items()],
        )
        if sign > 0:
            db.executemany(
                "INSERT OR REPLACE INTO chunk_lengths (id, owner_id, document_id, tokens) VALUES (?, ?, ?, ?)", lengths
            )
        else:
            db.executemany("DELETE FROM chunk_lengths WHERE id = ?", [(row[0],) for row in lengths])

    @classmethod
    def _count_all_words(cls, db: sqlite3.Connection) -> None:
        """Count BM25's statistics afresh from the chunks: for a store written before they were all kept."""
        db.execute("DELETE FROM terms")
        db.execute("DELETE FROM chunk_lengths")
        db.execute("UPDATE meta SET value = '0' WHERE key = 'chunks'")
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('tokens', '0')")
        cls._count_terms(db, db.execute("SELECT id, owner_id, document_id, text FROM chunks").fetchall(), +1)

    @staticmethod
    def _touch(db: sqlite3.Connection, owners: set[str], seq: int) -> None:
        db.executemany(
            "INSERT INTO owners (owner_id, seq) VALUES (?, ?) ON CONFLICT (owner_id) DO UPDATE SET seq = excluded.seq",
            [(owner, seq) for owner in owners],
        )

    # --- reads ---

    def count(self, owner_id: str, document_id: str | None = None) -> int:
        with self._transaction(write=False) as db:
            if document_id is None:
                row = db.execute("SELECT count(*) FROM chunks WHERE owner_id = ?", (owner_id,)).fetchone()
            else:
                row = db.execute(
                    "SELECT count(*) FROM chunks WHERE owner_id = ? AND document_id = ?", (owner_id, document_id)
                ).fetchone()
        return int(row[0])

    def search(
        self,
        owner_id: str,
        *,
        text: str,
        vector: Vectors | None,
        top_k: int,
        mode: SearchMode,
        document_ids: Sequence[str] | None = None,
    ) -> list[Hit]:
        if mode != "keyword" and vector is None:
            raise ValueError(f"a {mode} search needs the query's vector")
        if top_k <= 0 or (document_ids is not None and not document_ids):
            return []
        documents = None if document_ids is None else list(dict.fromkeys(document_ids))
        if mode == "keyword":
            return self._keyword(owner_id, text, top_k, documents)
        assert vector is not None
        if mode == "vector":
            return self._vector(owner_id, vector, top_k, documents)
        depth = max(top_k, self._candidates)
        return fuse(
            self._keyword(owner_id, text, depth, documents),
            self._vector(owner_id, vector, depth, documents),
            keyword_weight=self._keyword_weight,
            vector_weight=self._vector_weight,
            top_k=top_k,
        )

    def _keyword(self, owner_id: str, text: str, top_k: int, documents: list[str] | None) -> list[Hit]:
        terms = keyword_terms(text)
        if not terms:
            return []
        with self._transaction(write=False) as db:  # one snapshot: the statistics agree with the matches
            chunks, words = (
                int(value)
                for (value,) in db.execute("SELECT value FROM meta WHERE key IN ('chunks', 'tokens') ORDER BY key")
            )
            frequencies: dict[str, int] = dict(
                db.execute(
                    "SELECT term, chunks FROM terms WHERE term IN (SELECT value FROM json_each(?))",
                    (json.dumps(terms),),
                ).fetchall()
            )
            sql = WORD_IN_CHUNKS if documents is None else WORD_IN_DOCUMENTS
            params: list[object] = [owner_id] if documents is None else [owner_id, json.dumps(documents)]
            matches: dict[str, dict[int, int]] = {}
            lengths: dict[int, int] = {}
            for term in self._rare_terms(terms, chunks, frequencies):
                found = db.execute(sql, [term, *params]).fetchall()
                matches[term] = {key: tf for key, tf, _ in found}
                lengths.update((key, length) for key, _, length in found)
            scores = self._bm25.scores(
                chunks=chunks, tokens=words, frequencies=frequencies, matches=matches, lengths=lengths
            )
            best = heapq.nlargest(top_k, scores.items(), key=lambda item: (item[1], -item[0]))  # ties: older first
            rows = db.execute(ROWS_BY_KEY, (json.dumps([key for key, _ in best]), owner_id)).fetchall()
        by_key = {row[0]: row for row in rows}
        return [_hit(by_key[key], score) for key, score in best]

    def _rare_terms(self, terms: list[str], chunks: int, frequencies: dict[str, int]) -> list[str]:
        """The words of a query less common than in half the chunks. The others weigh little (their IDF is below
        log 2), yet each would have every chunk that has it scored: "the" made a search of a large owner slow. A
        word is left out only when at least ``embedded_common_term_min_chunks`` chunks have it (a small store
        ranks by every word); should every word be left out, the rarest one stays."""
        limit = max(chunks / 2, self._common_term_min_chunks)
        rare = [term for term in terms if frequencies.get(term, 0) <= limit]
        return rare or [min(terms, key=lambda term: frequencies.get(term, 0))]

    def _vector(self, owner_id: str, vector: Vectors, top_k: int, documents: list[str] | None) -> list[Hit]:
        dimension = self._index_dimension()
        if dimension is None:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape != (dimension,):
            raise IndexMismatch(
                f"the query vector has dimension {query.shape[0]}, the embedded vector store's index {dimension}",
                details={"dimension": int(query.shape[0])},
            )
        found = self._nearest(owner_id, query, top_k, documents)
        if not found:
            return []
        with self._transaction(write=False) as db:
            rows = db.execute(
                ROWS_BY_KEY,
                (json.dumps([key for key, _ in found]), owner_id),
            ).fetchall()
        by_key = {row[0]: row for row in rows}
        return [_hit(by_key[key], score) for key, score in found if key in by_key]  # a row deleted meanwhile: gone

    def _nearest(
        self, owner_id: str, query: np.ndarray[Any, np.dtype[np.float32]], top_k: int, documents: list[str] | None
    ) -> list[tuple[int, float]]:
        with self._owner_lock(owner_id):
            vectors = self._owner_vectors(owner_id, query.shape[0])
            if vectors is None:
                return []
            if vectors.unsaved >= self._save_after_changes:
                self._save(owner_id, vectors)
            return vectors.search(query, top_k, documents)

    # --- an owner's vectors in memory ---

    def _owner_lock(self, owner_id: str) -> threading.Lock:
        with self._lock:
            return self._owner_locks.setdefault(owner_id, threading.Lock())

    def _owner_vectors(self, owner_id: str, dimension: int) -> OwnerVectors | None:
        """The owner's vectors as of the last write (the caller holds the owner's lock)."""
        with self._transaction(write=False) as db:  # one snapshot of the database for all that is read here
            row = db.execute("SELECT seq FROM owners WHERE owner_id = ?", (owner_id,)).fetchone()
            if row is None:
                return None
            latest = int(row[0])
            with self._lock:
                vectors = self._owners.get(owner_id)
            if vectors is None or vectors.dimension != dimension:
                vectors = self._load(db, owner_id, latest, dimension)
                with self._lock:
                    self._owners[owner_id] = vectors
            elif vectors.seq != latest:
                self._catch_up(db, owner_id, vectors, latest)
        return vectors

    def _load(self, db: sqlite3.Connection, owner_id: str, latest: int, dimension: int) -> OwnerVectors:
        rows = db.execute(
            "SELECT id, document_id, vector FROM chunks WHERE owner_id = ? ORDER BY id", (owner_id,)
        ).fetchall()
        saved = self._saved_graph(owner_id, latest, dimension)
        vectors = OwnerVectors(dimension, self._params, graph=saved[0] if saved else None)
        keys, documents, matrix = self._unpack(rows, dimension)
        vectors.add(keys, documents, matrix, graph=saved is None)
        if saved is not None:
            since = saved[1]
            removed = db.execute("SELECT id FROM removed WHERE owner_id = ? AND seq > ?", (owner_id, since)).fetchall()
            vectors.forget_graph_keys([key for (key,) in removed])
            written = db.execute("SELECT id FROM chunks WHERE owner_id = ? AND seq > ?", (owner_id, since)).fetchall()
            vectors.readd_to_graph([key for (key,) in written])
            if not vectors.graph_matches():  # a graph file out of step with the database: start afresh
                vectors.rebuild_graph()
        vectors.seq = latest
        return vectors

    def _catch_up(self, db: sqlite3.Connection, owner_id: str, vectors: OwnerVectors, latest: int) -> None:
        removed = db.execute(
            "SELECT id FROM removed WHERE owner_id = ? AND seq > ?", (owner_id, vectors.seq)
        ).fetchall()
        vectors.remove(key for (key,) in removed)
        rows = db.execute(
            "SELECT id, document_id, vector FROM chunks WHERE owner_id = ? AND seq > ? ORDER BY id",
            (owner_id, vectors.seq),
        ).fetchall()
        keys, documents, matrix = self._unpack(rows, vectors.dimension)
        vectors.add(keys, documents, matrix, graph=True)
        vectors.seq = latest

    @staticmethod
    def _unpack(
        rows: Sequence[tuple[int, str, bytes]], dimension: int
    ) -> tuple[list[int], list[str], np.ndarray[Any, np.dtype[np.float32]]]:
        keys = [row[0] for row in rows]
        documents = [row[1] for row in rows]
        matrix = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.float32).reshape(len(rows), dimension)
        return keys, documents, matrix

    # --- saved graphs: <sha256 of the owner>.<seq>.usearch ---

    def _graph_stem(self, owner_id: str) -> str:
        return hashlib.sha256(owner_id.encode()).hexdigest()

    def _saved_graph(self, owner_id: str, latest: int, dimension: int) -> tuple[Index, int] | None:
        stem = self._graph_stem(owner_id)
        saved = sorted(
            (int(path.name.split(".")[1]), path)
            for path in self._graphs.glob(f"{stem}.*.usearch")
            if path.name.split(".")[1].isdigit()
        )
        usable = [(seq, path) for seq, path in saved if seq <= latest]
        if not usable:
            return None
        seq, path = usable[-1]
        try:
            graph = Index.restore(str(path))
        except (OSError, RuntimeError, ValueError):
            return None
        if graph is None or graph.ndim != dimension:
            return None
        graph.expansion_search = self._params.expansion_search  # type: ignore[misc]  # usearch has the setter
        return graph, seq

    def _save(self, owner_id: str, vectors: OwnerVectors) -> None:
        stem = self._graph_stem(owner_id)
        path = self._graphs / f"{stem}.{vectors.seq}.usearch"
        vectors.save_graph(path)
        for older in self._graphs.glob(f"{stem}.*.usearch"):
            if older != path:
                with suppress(FileNotFoundError):
                    older.unlink()

    # --- connections ---

    def _connection(self) -> sqlite3.Connection:
        held: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if held is not None and held[0] == self._generation:
            return held[1]
        db = sqlite3.connect(
            self._root / DATABASE, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, never corrupt
        with self._lock:
            self._connections.append(db)
            self._local.connection = (self._generation, db)
        return db

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def refresh(self) -> None:
        """Writes are searchable as soon as they return: nothing to wait for (the contract suite's hook)."""

    def close(self) -> None:
        """Save the graphs that changed and close the connections; the store opens them again if used."""
        with self._lock:
            owners = list(self._owners.items())
        for owner_id, vectors in owners:
            with self._owner_lock(owner_id):
                if vectors.unsaved:
                    self._save(owner_id, vectors)
        with self._lock:
            self._owners.clear()
            connections, self._connections = self._connections, []
            self._generation += 1
        for db in connections:
            db.close()
