"""Retrieval quality and speed on the Vaswani test collection, through the real ingestion and search code.

    .venv/bin/python bench/retrieval.py [--data DIR] [--limit-docs N] [--rounds 5] [--skip-100k]

The collection (``../shared/data/vaswani`` beside the repository unless ``--data``: 11,429 physics abstracts,
93 queries, binary relevance judgments) is indexed as one owner's documents, each abstract a document of its
own (``<docno>.txt``, text/plain), through ``parsing.parse`` → ``chunking.split`` → ``pipeline.embed_and_index``
with the settings' embedder and vector store (by default the local MiniLM int8 and the embedded store, in a
temporary data directory that is removed afterwards; nothing is cached between runs).

Printed:
- ingestion throughput: parse + chunk (a document counts as one page; characters/s too), then embed + index
  with the configured embedder (chunks/s, pages/s), each with the process CPU time beside the wall time;
- quality per search mode: nDCG@10, recall@100 and MAP (``bench/ir_metrics.py``; trec_eval's definitions),
  over the judged queries. Each query asks the store for ``--depth`` chunks (more while fewer than ``--depth``
  distinct documents come back), and chunks are folded into a document ranking at each document's best chunk;
  MAP is over that ranking, cut at ``--depth`` documents. A hybrid search at that depth fuses ``--depth``
  candidates from each side; the row "hybrid @ app depth" is what a chat retrieval sees (``top_k`` 10 with the
  configured ``rag_hybrid_candidates`` a side), nDCG@10 only. The row "hybrid, RRF" fuses the same keyword and
  vector lists by reciprocal rank (k 60): a comparison of fusion methods, not the product's search;
- search latency p50/p95 per mode at the collection's size: ``store.search`` with ``rag_default_top_k`` over all
  queries, ``--rounds`` rounds after a warm-up round (query vectors embedded beforehand; the query embedding's
  own latency is printed apart), then ``bench.vector_search`` at 100,000 synthetic chunks unless ``--skip-100k``.

Reference figures (the collection's README) and the goals of issue 9 are printed beside. Absolute times on a
shared 2-core machine move with its load (printed).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import percentile
from bench.ir_metrics import average_precision, dedupe, mean, ndcg_at, recall_at

if TYPE_CHECKING:
    from privategpt.rag.types import Chunk, Embedder, Hit, SearchMode, Vectors, VectorStore
    from privategpt.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "vaswani"
OWNER = "bench-retrieval"
DEPTH = 1000  # documents ranked per query (trec_eval's default cutoff)
NDCG_AT = 10
RECALL_AT = 100
RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al. 2009)
APP_TOP_K = 10  # a chat retrieval's hits, for the "hybrid @ app depth" row
ROUNDS = 5
SYNTHETIC_CHUNKS = 100_000

REFERENCE = {"keyword": "BM25 0.370", "vector": "MiniLM dense 0.435"}
GOAL_HYBRID_NDCG = 0.47
GOAL_PAGES_PER_S = 100.0
GOAL_P50_MS_AT_100K = 10.0

_DOC = re.compile(r"<DOC>\s*<DOCNO>\s*(\S+?)\s*</DOCNO>(.*?)</DOC>", re.S)
_QUERY = re.compile(r"<num>\s*(\S+?)\s*</num>\s*<title>(.*?)</title>", re.S)


# --- the collection ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    documents: list[tuple[str, str]]  # (docno, text)
    queries: dict[str, str]
    qrels: dict[str, set[str]]  # query -> relevant docnos (only among the documents kept)


def load(data: Path, limit_docs: int | None = None) -> Collection:
    documents = [(docno, text.strip()) for docno, text in _DOC.findall((data / "doc-text.trec").read_text())]
    if limit_docs is not None:
        documents = documents[:limit_docs]
    queries = {num: " ".join(title.split()) for num, title in _QUERY.findall((data / "query-text.trec").read_text())}
    kept = {docno for docno, _ in documents}
    qrels: dict[str, set[str]] = {query: set() for query in queries}
    for line in (data / "qrels").read_text().splitlines():
        if not line.strip():
            continue
        query, _, docno, relevance = line.split()
        if int(relevance) > 0 and docno in kept:
            qrels.setdefault(query, set()).add(docno)
    return Collection(documents, queries, qrels)


# --- ingestion -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    @classmethod
    def since(cls, wall: float, cpu: float) -> Timing:
        return cls(time.perf_counter() - wall, time.process_time() - cpu)


def parse_and_split(collection: Collection, settings: Settings) -> tuple[list[Chunk], Timing]:
    from privategpt.rag.chunking import split
    from privategpt.rag.parsing import parse

    def one(docno: str, text: str) -> list[Chunk]:
        filename = f"{docno}.txt"
        parsed = parse(text.encode(), declared_type="text/plain", filename=filename, settings=settings)
        return split(parsed, document_id=docno, owner_id=OWNER, filename=filename, settings=settings)

    one("warm-up", collection.documents[0][1])  # loads the tokeniser's tables once per process
    wall, cpu = time.perf_counter(), time.process_time()
    chunks = [chunk for docno, text in collection.documents for chunk in one(docno, text)]
    return chunks, Timing.since(wall, cpu)


class TimedEmbedder:
    """The embedder, with the wall time its ``embed_documents`` calls took: the rest of indexing is the store's."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.seconds = 0.0

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def dimension(self) -> int:
        return self.embedder.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        vectors = self.embedder.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        return vectors

    def embed_query(self, text: str) -> Vectors:
        return self.embedder.embed_query(text)


def index(chunks: Sequence[Chunk], embedder: TimedEmbedder, store: VectorStore, settings: Settings) -> Timing:
    from privategpt.rag.ingest.pipeline import embed_and_index

    store.ensure_index(embedder.model_id, embedder.dimension)
    wall, cpu = time.perf_counter(), time.process_time()
    done = embed_and_index(chunks, embedder=embedder, store=store, settings=settings)
    timing = Timing.since(wall, cpu)
    if done != len(chunks):
        raise RuntimeError(f"embed_and_index stopped at {done} of {len(chunks)} chunks")
    return timing


# --- retrieval -----------------------------------------------------------------------------------------


def ranked_hits(store: VectorStore, text: str, vector: Vectors, mode: SearchMode, depth: int) -> list[Hit]:
    """At least ``depth`` distinct documents' chunks, best first (fewer only when the index has no more)."""
    top_k = depth
    while True:
        hits = store.search(OWNER, text=text, vector=vector, top_k=top_k, mode=mode)
        if len(hits) < top_k or len(dedupe(hit.document_id for hit in hits)) >= depth:
            return hits
        top_k *= 2


def documents_of(hits: Sequence[Hit], depth: int) -> list[str]:
    return dedupe(hit.document_id for hit in hits)[:depth]


def rrf(*lists: Sequence[Hit], k: int = RRF_K) -> list[Hit]:
    scores: dict[str, float] = defaultdict(float)
    first: dict[str, Hit] = {}
    for hits in lists:
        for rank, hit in enumerate(hits, start=1):
            scores[hit.chunk_id] += 1.0 / (k + rank)
            first.setdefault(hit.chunk_id, hit)
    return [first[chunk] for chunk in sorted(scores, key=lambda chunk: -scores[chunk])]


@dataclass
class Quality:
    ndcg: float
    recall: float
    map: float


def quality(run: Mapping[str, Sequence[str]], qrels: Mapping[str, Set[str]], depth: int) -> Quality:
    return Quality(
        ndcg=mean(partial(ndcg_at, NDCG_AT), run, qrels),
        recall=mean(partial(recall_at, RECALL_AT), run, qrels),
        map=mean(partial(average_precision, cutoff=depth), run, qrels),
    )


@dataclass
class Row:
    name: str
    quality: Quality | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    depth_metrics: bool = True  # recall@100 and MAP mean something for this row
    note: str = ""

    @classmethod
    def timed(cls, name: str, quality: Quality, latencies_ms: Sequence[float], note: str = "") -> Row:
        return cls(name, quality, percentile(latencies_ms, 50), percentile(latencies_ms, 95), note=note)


def latencies(
    store: VectorStore, queries: Sequence[tuple[str, Vectors]], mode: SearchMode, top_k: int, rounds: int
) -> list[float]:
    measured: list[float] = []
    for round_ in range(rounds + 1):  # the first round warms up
        for text, vector in queries:
            started = time.perf_counter()
            store.search(OWNER, text=text, vector=vector, top_k=top_k, mode=mode)
            if round_:
                measured.append((time.perf_counter() - started) * 1000)
    return measured


# --- the run -------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    from privategpt.rag.stores import close_stores
    from privategpt.settings import Settings

    collection = load(args.data, args.limit_docs)
    judged = sum(1 for relevant in collection.qrels.values() if relevant)
    chars = sum(len(text) for _, text in collection.documents)
    print(
        f"{args.data}: {len(collection.documents)} documents ({chars:,} characters), {len(collection.queries)} "
        f"queries, {judged} with relevant documents among these (the others are left out of the means)"
    )
    print(f"{os.cpu_count()} CPUs, load average {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp))
        try:
            rows, dimension = _measure(args, collection, settings, chars)
        finally:
            close_stores()
    table(rows)  # printed before the 100k run, which takes a while; its rows follow as part of the same table
    if not args.skip_100k:
        table(synthetic_rows(dimension), header=False)
    print(f"load average {_load()}")


def _measure(args: argparse.Namespace, collection: Collection, settings: Settings, chars: int) -> tuple[list[Row], int]:
    """The throughput lines printed, and the table's rows; the embedder's dimension (for the 100k run)."""
    from privategpt.rag.embeddings import embedder_for
    from privategpt.rag.stores import store_for
    from privategpt.rag.types import SEARCH_MODES

    pages = len(collection.documents)
    chunks, parsing = parse_and_split(collection, settings)
    print(
        f"\nparse + chunk: {pages} pages → {len(chunks)} chunks in {parsing.wall:.2f} s (CPU {parsing.cpu:.2f} s): "
        f"{pages / parsing.wall:,.0f} pages/s, {chars / parsing.wall:,.0f} chars/s "
        f"[goal ≥ {GOAL_PAGES_PER_S:.0f} pages/s]"
    )
    embedder = embedder_for(settings)
    loading = time.perf_counter()
    embedder.embed_query("warm-up")  # the model loads here, not inside the timed loop
    loaded = time.perf_counter() - loading
    # after the embedder: importing onnxruntime once usearch is loaded crashes the process (usearch 2.26.6,
    # onnxruntime 1.32.0), so the store (usearch) comes second
    store = store_for(settings)
    print(f"embedder {embedder.model_id} ({embedder.dimension} dimensions), loaded in {loaded:.1f} s")
    print(f"store {type(store).__name__}, batch {settings.embedding_batch_size}, threads {settings.embedding_threads}")
    timed = TimedEmbedder(embedder)
    indexing = index(chunks, timed, store, settings)
    total = parsing.wall + indexing.wall
    print(
        f"embed + index: {len(chunks)} chunks in {indexing.wall:.1f} s (CPU {indexing.cpu:.1f} s; embedding "
        f"{timed.seconds:.1f} s of the wall time): "
        f"{len(chunks) / indexing.wall:,.1f} chunks/s, {pages / indexing.wall:,.1f} pages/s; "
        f"parse + chunk + embed + index {pages / total:,.1f} pages/s"
    )

    embedded: list[tuple[str, str, Vectors]] = []
    query_ms: list[float] = []
    for query, text in collection.queries.items():
        started = time.perf_counter()
        embedded.append((query, text, embedder.embed_query(text)))
        query_ms.append((time.perf_counter() - started) * 1000)
    print(f"query embedding: p50 {percentile(query_ms, 50):.1f} ms, p95 {percentile(query_ms, 95):.1f} ms")

    depth = args.depth
    hits: dict[SearchMode, dict[str, list[Hit]]] = {mode: {} for mode in SEARCH_MODES}
    app_depth: dict[str, list[str]] = {}
    for query, text, vector in embedded:
        for mode in SEARCH_MODES:
            hits[mode][query] = ranked_hits(store, text, vector, mode, depth)
        app_hits = store.search(OWNER, text=text, vector=vector, top_k=APP_TOP_K, mode="hybrid")
        app_depth[query] = documents_of(app_hits, depth)

    qrels = collection.qrels
    pairs = [(text, vector) for _, text, vector in embedded]
    rows: list[Row] = []
    for mode in SEARCH_MODES:
        run_ = {query: documents_of(found, depth) for query, found in hits[mode].items()}
        measured = latencies(store, pairs, mode, settings.rag_default_top_k, args.rounds)
        rows.append(Row.timed(mode, quality(run_, qrels, depth), measured, note=REFERENCE.get(mode, "")))
    rows.append(
        Row(
            f"hybrid @ app depth (top {APP_TOP_K}, {settings.rag_hybrid_candidates} a side)",
            quality(app_depth, qrels, depth),
            depth_metrics=False,
        )
    )
    fused = {query: documents_of(rrf(hits["keyword"][query], hits["vector"][query]), depth) for query in qrels}
    rows.append(Row(f"hybrid, RRF k={RRF_K} (fusion comparison)", quality(fused, qrels, depth)))
    return rows, embedder.dimension


def synthetic_rows(dimension: int) -> list[Row]:
    from bench import vector_search

    figures = vector_search.run(chunks=SYNTHETIC_CHUNKS, dimension=dimension)
    p50 = figures["p50_ms"]
    verdict = "met" if p50 <= GOAL_P50_MS_AT_100K else "NOT met"
    goal = f"goal p50 ≤ {GOAL_P50_MS_AT_100K:.0f} ms ({verdict})"
    name = (
        f"{figures['chunks']:,} synthetic chunks (one owner {figures['heavy_owner_chunks']:,}; bench/vector_search.py)"
    )
    return [
        Row(
            f"vector, {name}",
            p50_ms=p50,
            p95_ms=figures["p95_ms"],
            note=f"recall@10 {figures['recall_at_10']:.3f} against exact search; {goal}",
        ),
        Row(f"hybrid, {name}", p50_ms=figures["hybrid_p50_ms"], p95_ms=figures["hybrid_p95_ms"]),
    ]


def table(rows: Sequence[Row], *, header: bool = True) -> None:
    if header:
        print(f"\n| mode | nDCG@{NDCG_AT} | recall@{RECALL_AT} | MAP | p50 ms | p95 ms | reference / goal |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        q = row.quality
        note = row.note
        if row.name == "hybrid" and q is not None:
            note = f"goal ≥ {GOAL_HYBRID_NDCG} ({'met' if q.ndcg >= GOAL_HYBRID_NDCG else 'NOT met'})"
        cells = [
            row.name,
            _cell(q.ndcg if q else None),
            _cell(q.recall if q and row.depth_metrics else None),
            _cell(q.map if q and row.depth_metrics else None),
            _cell(row.p50_ms, 1),
            _cell(row.p95_ms, 1),
            note,
        ]
        print("| " + " | ".join(cells) + " |")


def _cell(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the Vaswani collection's directory")
    parser.add_argument("--limit-docs", type=int, help="index only the first N documents (a quick smoke run)")
    parser.add_argument("--depth", type=int, default=DEPTH, help="documents ranked per query (MAP's cutoff)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="latency rounds over all queries, after a warm-up")
    parser.add_argument("--skip-100k", action="store_true", help="skip the 100,000-chunk synthetic latency run")
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # progress shows when the output goes to a file
    run(parser.parse_args())


if __name__ == "__main__":
    main()
