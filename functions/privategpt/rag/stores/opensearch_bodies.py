"""The JSON the OpenSearch store sends and reads: index mapping, hybrid search pipeline, queries, bulk lines, and
the parsing of the documented response shapes. Plain data in, plain data out (no client, no numpy), so every
request body can be checked exactly and every response shape parsed without a cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from privategpt.rag.types import Chunk, Hit

Json = dict[str, Any]

VECTOR_FIELD = "embedding"
TEXT_FIELD = "text"
# What a search returns of a chunk: everything a Hit needs, never the vector
HIT_FIELDS = ["chunk_id", "document_id", "text", "filename", "page", "heading", "index"]
# The largest precision_threshold OpenSearch accepts for a cardinality aggregation; below it the count is exact
# (the aggregation keeps every hash)
CARDINALITY_MAX_PRECISION = 40_000


def index_body(model_id: str, dimension: int, *, bm25: tuple[float, float] | None = None) -> Json:
    """A k-NN index for one embedding space. The vectors are L2-normalised, so the inner product is the cosine:
    faiss HNSW with ``innerproduct`` (the faiss engine's efficient filtering keeps the owner filter inside the
    graph search). ``_meta`` records the space so a later deployment with another model is refused. ``bm25``
    (k1, b): the index's ``default`` similarity, BM25 with these parameters for every text field; None leaves
    OpenSearch's (k1 1.2, b 0.75)."""
    index_settings: Json = {"knn": True}
    if bm25 is not None:
        k1, b = bm25
        index_settings["similarity"] = {"default": {"type": "BM25", "k1": k1, "b": b}}
    return {
        "settings": {"index": index_settings},
        "mappings": {
            "_meta": {"model_id": model_id, "dimension": dimension},
            "dynamic": "strict",
            "properties": {
                VECTOR_FIELD: {
                    "type": "knn_vector",
                    "dimension": dimension,
                    "method": {"name": "hnsw", "engine": "faiss", "space_type": "innerproduct"},
                },
                TEXT_FIELD: {"type": "text"},  # BM25, the standard analyzer
                "owner_id": {"type": "keyword"},
                "document_id": {"type": "keyword"},
                "chunk_id": {"type": "keyword"},
                "filename": {"type": "keyword"},
                "heading": {"type": "keyword"},
                "page": {"type": "integer"},
                "index": {"type": "integer"},
                "token_count": {"type": "integer"},
            },
        },
    }


def hybrid_pipeline_body(keyword_weight: float, vector_weight: float) -> Json:
    """min-max normalisation of each side, then their weighted arithmetic mean: what rag/fusion.py does for the
    embedded store. OpenSearch wants the weights to add up to 1 (in the order of the hybrid query's queries:
    keyword first, vector second); dividing by their sum leaves the weighted mean unchanged."""
    total = keyword_weight + vector_weight
    if total <= 0:
        raise ValueError("the hybrid weights must not both be 0")
    return {
        "description": "privategpt hybrid search: min-max normalised BM25 and k-NN scores, weighted mean",
        "phase_results_processors": [
            {
                "normalization-processor": {
                    "normalization": {"technique": "min_max"},
                    "combination": {
                        "technique": "arithmetic_mean",
                        "parameters": {"weights": [keyword_weight / total, vector_weight / total]},
                    },
                }
            }
        ],
    }


def owner_filters(owner_id: str, document_ids: Sequence[str] | None = None) -> list[Json]:
    """Every read and delete goes through these: one owner's chunks, and only the given documents when asked."""
    filters: list[Json] = [{"term": {"owner_id": owner_id}}]
    if document_ids is not None:
        filters.append({"terms": {"document_id": list(document_ids)}})
    return filters


def keyword_query(text: str, filters: list[Json]) -> Json:
    return {"bool": {"must": [{"match": {TEXT_FIELD: {"query": text}}}], "filter": filters}}


def knn_query(vector: list[float], k: int, filters: list[Json]) -> Json:
    """The filter sits inside the knn clause (efficient k-NN filtering): the graph search only visits the
    owner's chunks, so ``k`` of them come back however few they are among everyone's."""
    return {VECTOR_FIELD: {"vector": vector, "k": k, "filter": {"bool": {"filter": filters}}}}


def keyword_search(text: str, filters: list[Json], size: int) -> Json:
    return {"size": size, "_source": HIT_FIELDS, "query": keyword_query(text, filters)}


def vector_search(vector: list[float], filters: list[Json], size: int) -> Json:
    return {"size": size, "_source": HIT_FIELDS, "query": {"knn": knn_query(vector, size, filters)}}


def hybrid_search(text: str, vector: list[float], filters: list[Json], size: int) -> Json:
    """Both sides in one ``hybrid`` query (keyword first: the pipeline's weights follow this order); each side
    brings up to ``size`` candidates, the search pipeline fuses them."""
    return {
        "size": size,
        "_source": HIT_FIELDS,
        "query": {"hybrid": {"queries": [keyword_query(text, filters), {"knn": knn_query(vector, size, filters)}]}},
    }


def filter_query(filters: list[Json]) -> Json:
    return {"bool": {"filter": filters}}


def ids_search(filters: list[Json], exclude_ids: Sequence[str], size: int) -> Json:
    """The ``_id`` of matching chunks (no source), leaving out those already deleted: a Serverless collection
    shows a delete only some seconds later, and each page must bring new ids for the loop to end."""
    query: Json = {"bool": {"filter": filters}}
    if exclude_ids:
        query["bool"]["must_not"] = [{"ids": {"values": list(exclude_ids)}}]
    return {"size": size, "_source": False, "query": query}


def distinct_chunks_count(filters: list[Json]) -> Json:
    """How many distinct chunk_ids match (a chunk indexed twice on Serverless counts once)."""
    return {
        "size": 0,
        "query": filter_query(filters),
        "aggs": {"chunks": {"cardinality": {"field": "chunk_id", "precision_threshold": CARDINALITY_MAX_PRECISION}}},
    }


def chunk_source(chunk: Chunk, vector: list[float]) -> Json:
    return {
        "owner_id": chunk.owner_id,
        "document_id": chunk.document_id,
        "chunk_id": chunk.chunk_id,
        "index": chunk.index,
        "text": chunk.text,
        "filename": chunk.filename,
        "page": chunk.page,
        "heading": chunk.heading,
        "token_count": chunk.token_count,
        VECTOR_FIELD: vector,
    }


def index_actions(chunks: Sequence[Chunk], vectors: Sequence[list[float]], *, with_ids: bool) -> list[Json]:
    """Bulk lines. With ``with_ids`` the ``_id`` is the chunk_id, so indexing a chunk again overwrites it;
    Serverless vector collections refuse a custom ``_id``, so there the id is left to OpenSearch."""
    lines: list[Json] = []
    for chunk, vector in zip(chunks, vectors, strict=True):
        lines.append({"index": {"_id": chunk.chunk_id}} if with_ids else {"index": {}})
        lines.append(chunk_source(chunk, vector))
    return lines


def delete_actions(ids: Sequence[str]) -> list[Json]:
    return [{"delete": {"_id": doc_id}} for doc_id in ids]


# --- responses ---


def mapping_meta(response: Mapping[str, Any]) -> Json | None:
    """``GET <index>/_mapping`` answers ``{"<concrete index>": {"mappings": {"_meta": {...}, ...}}}`` (the key is
    the concrete name even when the request named an alias)."""
    for value in response.values():
        meta = value.get("mappings", {}).get("_meta") if isinstance(value, Mapping) else None
        return dict(meta) if isinstance(meta, Mapping) else None
    return None


def meta_mismatch(meta: Json | None, model_id: str, dimension: int) -> str | None:
    """Why an existing index cannot take this embedding space, or None when it can."""
    if meta is None or "model_id" not in meta or "dimension" not in meta:
        return "it has no model_id/dimension in its mapping _meta (it was not created by this application)"
    if meta["model_id"] != model_id or meta["dimension"] != dimension:
        return (
            f"it was built by model {meta['model_id']!r} (dimension {meta['dimension']}), "
            f"not {model_id!r} (dimension {dimension})"
        )
    return None


def parse_hits(response: Mapping[str, Any]) -> list[Hit]:
    """``hits.hits[]``: ``_score`` and the requested ``_source`` fields."""
    hits: list[Hit] = []
    for raw in response.get("hits", {}).get("hits", []):
        source = raw.get("_source") or {}
        hits.append(
            Hit(
                chunk_id=source["chunk_id"],
                document_id=source["document_id"],
                text=source["text"],
                filename=source["filename"],
                score=float(raw.get("_score") or 0.0),
                page=source.get("page"),
                heading=source.get("heading"),
                index=int(source.get("index") or 0),
            )
        )
    return hits


def hit_ids(response: Mapping[str, Any]) -> list[str]:
    return [str(raw["_id"]) for raw in response.get("hits", {}).get("hits", [])]


def best_per_chunk(hits: Sequence[Hit]) -> list[Hit]:
    """The first (best) hit of each chunk_id, in order."""
    seen: set[str] = set()
    kept: list[Hit] = []
    for hit in hits:
        if hit.chunk_id not in seen:
            seen.add(hit.chunk_id)
            kept.append(hit)
    return kept


def bulk_failures(response: Mapping[str, Any]) -> list[Json]:
    """The failed actions of a ``_bulk`` answer (``errors: true``, then a ``status`` >= 300 and an ``error`` per
    failed item). Deleting what is already gone (404) is not a failure."""
    if not response.get("errors"):
        return []
    failures: list[Json] = []
    for item in response.get("items", []):
        for action, result in item.items():
            status = int(result.get("status", 0))
            if status < 300 or (action == "delete" and status == 404):
                continue
            error = result.get("error") or {}
            failures.append(
                {
                    "action": action,
                    "id": result.get("_id"),
                    "status": status,
                    "type": error.get("type") if isinstance(error, Mapping) else None,
                    "reason": error.get("reason") if isinstance(error, Mapping) else str(error),
                }
            )
    if not failures and not any(
        result.get("status") == 404 for item in response.get("items", []) for result in item.values()
    ):
        failures.append({"action": None, "id": None, "status": None, "type": None, "reason": "errors without items"})
    return failures
