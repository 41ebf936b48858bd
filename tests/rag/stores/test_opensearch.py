"""The OpenSearch store against a recording HTTP server that answers in OpenSearch's documented shapes: the exact
requests (mapping, pipeline, queries with the owner filter inside the knn clause, bulk lines with and without
``_id``, delete-by-query), the parsing of the answers (hits, bulk errors, ``_meta``), the failures that must
become ``VectorStoreUnavailable``, and SigV4 signatures for ``es`` and ``aoss``.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pytest

from privategpt.dev.dynamodb_local import free_port
from privategpt.rag.errors import IndexMismatch, VectorStoreUnavailable
from privategpt.rag.stores.opensearch import OpenSearchStore, connect
from privategpt.rag.types import Chunk, Hit, VectorStore, chunk_id
from tests.conftest import make_settings
from tests.rag.stores.contract import DIMENSION as CONTRACT_DIMENSION
from tests.rag.stores.contract import MODEL as CONTRACT_MODEL
from tests.rag.stores.contract import StoreContract
from tests.support.fake_opensearch import fake_opensearch
from tests.support.recording_server import Recorded, RecordingServer, recording_server

INDEX = "chunks"
PIPELINE_PATH = f"/_search/pipeline/{INDEX}-hybrid"
MODEL = "local/all-MiniLM-L6-v2-int8"
REGION = "eu-west-3"
ACCESS_KEY = "AKIDTESTOPENSEARCH00"
SECRET_KEY = "test-secret-key-not-a-real-one"
OWNER = "user-1"
# exactly representable in float32 and unit length, so the JSON floats compare exactly
VECTORS = np.array([[0.5, 0.5, 0.5, 0.5], [1.0, 0.0, 0.0, 0.0], [0.0, 0.6, 0.8, 0.0]], dtype=np.float32)
QUERY = np.array([0.0, 0.0, 0.6, 0.8], dtype=np.float32)
HIT_FIELDS = ["chunk_id", "document_id", "text", "filename", "page", "heading", "index"]


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[RecordingServer, str]]:
    with recording_server() as running:
        yield running


@pytest.fixture
def server(fake: tuple[RecordingServer, str]) -> RecordingServer:
    fake[0].reset()
    return fake[0]


@pytest.fixture
def url(fake: tuple[RecordingServer, str]) -> str:
    return fake[1]


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Static fake credentials where botocore looks first (the environment)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def make_store(url: str, **overrides: Any) -> OpenSearchStore:
    values: dict[str, Any] = {
        "vector_store": "opensearch",
        "opensearch_url": url,
        "opensearch_index": INDEX,
        "opensearch_max_retries": 0,
        "aws_region": REGION,
    }
    values.update(overrides)
    return OpenSearchStore(make_settings(**values))


def chunks(document_id: str = "doc-1", owner_id: str = OWNER, n: int = 3) -> list[Chunk]:
    return [
        Chunk(
            chunk_id=chunk_id(document_id, i),
            document_id=document_id,
            owner_id=owner_id,
            index=i,
            text=f"text {i}",
            filename="report.pdf",
            page=i + 1,
            heading="Intro" if i else None,
            token_count=10 + i,
        )
        for i in range(n)
    ]


def source(chunk: Chunk, vector: list[float]) -> dict[str, Any]:
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
        "embedding": vector,
    }


# --- OpenSearch's answers, in their documented shapes ---


def error_reply(status: int, error_type: str, reason: str) -> dict[str, Any]:
    cause = {"type": error_type, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


def acknowledged() -> dict[str, Any]:
    return {"acknowledged": True}


def mapping_reply(meta: dict[str, Any] | None) -> dict[str, Any]:
    mappings: dict[str, Any] = {"properties": {"text": {"type": "text"}}}
    if meta is not None:
        mappings["_meta"] = meta
    return {f"{INDEX}-000001": {"mappings": mappings}}


def search_reply(*hits: tuple[str, float, dict[str, Any]]) -> dict[str, Any]:
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(hits), "relation": "eq"},
            "max_score": max((score for _, score, _ in hits), default=None),
            "hits": [
                {"_index": INDEX, "_id": doc_id, "_score": score, **({"_source": src} if src else {})}
                for doc_id, score, src in hits
            ],
        },
    }


def hit_source(chunk: Chunk) -> dict[str, Any]:
    return {
        "chunk_id": chunk.chunk_id,
        "document_id": chunk.document_id,
        "text": chunk.text,
        "filename": chunk.filename,
        "page": chunk.page,
        "heading": chunk.heading,
        "index": chunk.index,
    }


def bulk_item(action: str, doc_id: str, status: int, error: dict[str, Any] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"_index": INDEX, "_id": doc_id, "status": status}
    if error is None:
        result.update(
            _version=1,
            result={201: "created", 200: "updated", 404: "not_found"}.get(status, "deleted"),
            _shards={"total": 2, "successful": 1, "failed": 0},
            _seq_no=0,
            _primary_term=1,
        )
    else:
        result["error"] = error
    return {action: result}


def bulk_reply(*items: dict[str, Any], errors: bool = False) -> dict[str, Any]:
    return {"took": 11, "errors": errors, "items": list(items)}


def delete_by_query_reply(deleted: int, failures: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "took": 147,
        "timed_out": False,
        "total": deleted,
        "deleted": deleted,
        "batches": 1,
        "version_conflicts": 0,
        "noops": 0,
        "retries": {"bulk": 0, "search": 0},
        "throttled_millis": 0,
        "requests_per_second": -1.0,
        "throttled_until_millis": 0,
        "failures": failures or [],
    }


def calls(server: RecordingServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in server.requests]


def owner_filter_in(request: Recorded, owner_id: str = OWNER) -> bool:
    """The owner's term filter in the query's filter list, and inside every knn clause's own filter."""
    term = {"term": {"owner_id": owner_id}}
    query = request.json()["query"]
    parts = query["hybrid"]["queries"] if "hybrid" in query else [query]
    for part in parts:
        if "knn" in part:
            if term not in part["knn"]["embedding"]["filter"]["bool"]["filter"]:
                return False
        elif term not in part["bool"]["filter"]:
            return False
    return True


# --- index and pipeline ---

EXPECTED_INDEX_BODY = {
    "settings": {"index": {"knn": True}},
    "mappings": {
        "_meta": {"model_id": MODEL, "dimension": 4},
        "dynamic": "strict",
        "properties": {
            "embedding": {
                "type": "knn_vector",
                "dimension": 4,
                "method": {"name": "hnsw", "engine": "faiss", "space_type": "innerproduct"},
            },
            "text": {"type": "text"},
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


def test_a_missing_index_is_created_with_the_knn_mapping_and_the_hybrid_pipeline(
    server: RecordingServer, url: str
) -> None:
    server.reply("HEAD", f"/{INDEX}", 404)
    server.reply("PUT", f"/{INDEX}", 200, {"acknowledged": True, "shards_acknowledged": True, "index": INDEX})
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())

    make_store(
        url, rag_hybrid_keyword_weight=1.0, rag_hybrid_vector_weight=3.0, rag_bm25_k1=1.5, rag_bm25_b=0.3
    ).ensure_index(MODEL, 4)

    assert calls(server) == [("HEAD", f"/{INDEX}"), ("PUT", f"/{INDEX}"), ("PUT", PIPELINE_PATH)]
    # BM25 with the settings' k1 and b, as the index's default similarity (so the text field's)
    similarity = {"default": {"type": "BM25", "k1": 1.5, "b": 0.3}}
    assert server.requests[1].json() == {
        **EXPECTED_INDEX_BODY,
        "settings": {"index": {"knn": True, "similarity": similarity}},
    }
    assert server.requests[2].json() == {
        "description": "privategpt hybrid search: min-max normalised BM25 and k-NN scores, weighted mean",
        "phase_results_processors": [
            {
                "normalization-processor": {
                    "normalization": {"technique": "min_max"},
                    # keyword first, as in the hybrid query; OpenSearch wants them to add up to 1
                    "combination": {"technique": "arithmetic_mean", "parameters": {"weights": [0.25, 0.75]}},
                }
            }
        ],
    }
    assert server.unmatched == []


def test_an_existing_index_of_the_same_model_is_kept(server: RecordingServer, url: str) -> None:
    server.reply("HEAD", f"/{INDEX}", 200)
    server.reply("GET", f"/{INDEX}/_mapping", 200, mapping_reply({"model_id": MODEL, "dimension": 4}))
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())

    make_store(url).ensure_index(MODEL, 4)

    assert calls(server) == [("HEAD", f"/{INDEX}"), ("GET", f"/{INDEX}/_mapping"), ("PUT", PIPELINE_PATH)]


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"model_id": "openai/text-embedding-3-small", "dimension": 4}, "openai/text-embedding-3-small"),
        ({"model_id": MODEL, "dimension": 384}, "dimension 384"),
        (None, "no model_id/dimension"),
    ],
)
def test_an_index_of_another_embedding_space_is_refused(
    server: RecordingServer, url: str, meta: dict[str, Any] | None, expected: str
) -> None:
    server.reply("HEAD", f"/{INDEX}", 200)
    server.reply("GET", f"/{INDEX}/_mapping", 200, mapping_reply(meta))
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())

    with pytest.raises(IndexMismatch, match=expected):
        make_store(url).ensure_index(MODEL, 4)
    assert ("PUT", PIPELINE_PATH) not in calls(server)


def test_an_index_created_meanwhile_by_another_instance_is_checked_not_failed(
    server: RecordingServer, url: str
) -> None:
    server.reply("HEAD", f"/{INDEX}", 404)
    server.reply(
        "PUT",
        f"/{INDEX}",
        400,
        error_reply(400, "resource_already_exists_exception", f"index [{INDEX}/abc] already exists"),
    )
    server.reply("GET", f"/{INDEX}/_mapping", 200, mapping_reply({"model_id": MODEL, "dimension": 4}))
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())

    make_store(url).ensure_index(MODEL, 4)

    assert calls(server)[-2:] == [("GET", f"/{INDEX}/_mapping"), ("PUT", PIPELINE_PATH)]


# --- writes (managed domain) ---


def test_upsert_bulk_indexes_under_the_chunk_id_in_batches(server: RecordingServer, url: str) -> None:
    items = chunks()
    server.reply("POST", f"/{INDEX}/_bulk", 200, bulk_reply(bulk_item("index", items[0].chunk_id, 201)))

    make_store(url, opensearch_bulk_docs=2).upsert(items, VECTORS)

    bulks = server.sent("POST", f"/{INDEX}/_bulk")
    assert len(bulks) == 2
    assert bulks[0].headers["content-type"].startswith("application/json")
    assert bulks[0].ndjson() == [
        {"index": {"_id": "doc-1:000000"}},
        source(items[0], [0.5, 0.5, 0.5, 0.5]),
        {"index": {"_id": "doc-1:000001"}},
        source(items[1], [1.0, 0.0, 0.0, 0.0]),
    ]
    assert bulks[1].ndjson() == [{"index": {"_id": "doc-1:000002"}}, source(items[2], VECTORS[2].tolist())]
    assert "refresh" not in bulks[0].query


def test_bulk_errors_raise_with_opensearchs_reason(server: RecordingServer, url: str) -> None:
    items = chunks(n=2)
    server.reply(
        "POST",
        f"/{INDEX}/_bulk",
        200,
        bulk_reply(
            bulk_item("index", items[0].chunk_id, 201),
            bulk_item(
                "index",
                items[1].chunk_id,
                400,
                {"type": "mapper_parsing_exception", "reason": "failed to parse field [embedding]"},
            ),
            errors=True,
        ),
    )

    with pytest.raises(VectorStoreUnavailable, match=r"1 of 2 bulk actions.*mapper_parsing_exception") as raised:
        make_store(url).upsert(items, VECTORS[:2])
    assert raised.value.details["failures"][0]["id"] == items[1].chunk_id


def test_a_throttled_bulk_item_raises(server: RecordingServer, url: str) -> None:
    items = chunks(n=1)
    server.reply(
        "POST",
        f"/{INDEX}/_bulk",
        200,
        bulk_reply(
            bulk_item("index", items[0].chunk_id, 429, {"type": "es_rejected_execution_exception", "reason": "full"}),
            errors=True,
        ),
    )
    with pytest.raises(VectorStoreUnavailable, match="429"):
        make_store(url).upsert(items, VECTORS[:1])


def test_vectors_of_another_dimension_are_refused_before_sending(server: RecordingServer, url: str) -> None:
    server.reply("HEAD", f"/{INDEX}", 200)
    server.reply("GET", f"/{INDEX}/_mapping", 200, mapping_reply({"model_id": MODEL, "dimension": 8}))
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())
    store = make_store(url)
    store.ensure_index(MODEL, 8)
    with pytest.raises(ValueError, match="dimension 4"):
        store.upsert(chunks(), VECTORS)
    assert server.sent("POST", f"/{INDEX}/_bulk") == []


def test_delete_document_refreshes_then_deletes_by_query(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_refresh", 200, {"_shards": {"total": 2, "successful": 1, "failed": 0}})
    server.reply("POST", f"/{INDEX}/_delete_by_query", 200, delete_by_query_reply(3))

    make_store(url).delete_document(OWNER, "doc-1")

    assert calls(server) == [("POST", f"/{INDEX}/_refresh"), ("POST", f"/{INDEX}/_delete_by_query")]
    request = server.requests[1]
    assert request.query == {"conflicts": "proceed"}
    assert request.json() == {
        "query": {"bool": {"filter": [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-1"]}}]}}
    }


def test_delete_by_query_failures_raise(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_refresh", 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
    failure = {"index": INDEX, "id": "doc-1:000001", "status": 500, "cause": {"type": "x", "reason": "y"}}
    server.reply("POST", f"/{INDEX}/_delete_by_query", 200, delete_by_query_reply(2, [failure]))
    with pytest.raises(VectorStoreUnavailable, match="failed to delete 1 chunks"):
        make_store(url).delete_document(OWNER, "doc-1")


def test_without_an_index_there_is_nothing_to_delete_find_or_count(server: RecordingServer, url: str) -> None:
    missing = error_reply(404, "index_not_found_exception", f"no such index [{INDEX}]")
    for method, path in [
        ("POST", f"/{INDEX}/_refresh"),
        ("POST", f"/{INDEX}/_delete_by_query"),
        ("POST", f"/{INDEX}/_search"),
        ("POST", f"/{INDEX}/_count"),
    ]:
        server.reply(method, path, 404, missing)
    store = make_store(url)

    store.delete_document(OWNER, "doc-1")
    assert store.search(OWNER, text="q", vector=None, top_k=3, mode="keyword") == []
    assert store.count(OWNER) == 0
    assert server.unmatched == []


# --- reads ---


def test_keyword_search_filters_by_owner_and_documents_and_parses_hits(server: RecordingServer, url: str) -> None:
    items = chunks()
    server.reply(
        "POST",
        f"/{INDEX}/_search",
        200,
        search_reply(("doc-1:000002", 2.5, hit_source(items[2])), ("doc-1:000000", 1.25, hit_source(items[0]))),
    )

    hits = make_store(url).search(OWNER, text="quarterly revenue", vector=None, top_k=5, mode="keyword",
                                  document_ids=["doc-1", "doc-2"])  # fmt: skip

    assert server.requests[0].json() == {
        "size": 5,
        "_source": HIT_FIELDS,
        "query": {
            "bool": {
                "must": [{"match": {"text": {"query": "quarterly revenue"}}}],
                "filter": [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-1", "doc-2"]}}],
            }
        },
    }
    assert "search_pipeline" not in server.requests[0].query
    assert hits == [
        Hit("doc-1:000002", "doc-1", "text 2", "report.pdf", 2.5, page=3, heading="Intro", index=2),
        Hit("doc-1:000000", "doc-1", "text 0", "report.pdf", 1.25, page=1, heading=None, index=0),
    ]


def test_vector_search_puts_the_owner_filter_inside_the_knn_clause(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply())

    assert make_store(url).search(OWNER, text="q", vector=QUERY, top_k=4, mode="vector") == []

    assert server.requests[0].json() == {
        "size": 4,
        "_source": HIT_FIELDS,
        "query": {
            "knn": {
                "embedding": {
                    "vector": [0.0, 0.0, 0.6000000238418579, 0.800000011920929],
                    "k": 4,
                    "filter": {"bool": {"filter": [{"term": {"owner_id": OWNER}}]}},
                }
            }
        },
    }


def test_hybrid_search_sends_both_queries_through_the_pipeline(server: RecordingServer, url: str) -> None:
    items = chunks()
    server.reply(
        "POST",
        f"/{INDEX}/_search",
        200,
        search_reply(*[(item.chunk_id, 1.0 - item.index / 10, hit_source(item)) for item in items]),
    )

    hits = make_store(url, rag_hybrid_candidates=20).search(
        OWNER, text="cats", vector=QUERY, top_k=2, mode="hybrid", document_ids=["doc-1"]
    )

    request = server.requests[0]
    assert request.query == {"search_pipeline": f"{INDEX}-hybrid"}
    filters = [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-1"]}}]
    assert request.json() == {
        "size": 20,
        "_source": HIT_FIELDS,
        "query": {
            "hybrid": {
                "queries": [
                    {"bool": {"must": [{"match": {"text": {"query": "cats"}}}], "filter": filters}},
                    {
                        "knn": {
                            "embedding": {
                                "vector": QUERY.tolist(),
                                "k": 20,
                                "filter": {"bool": {"filter": filters}},
                            }
                        }
                    },
                ]
            }
        },
    }
    assert [hit.chunk_id for hit in hits] == ["doc-1:000000", "doc-1:000001"]  # the best top_k of the fused list


def test_every_read_carries_the_owner_filter(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply())
    server.reply("POST", f"/{INDEX}/_count", 200, {"count": 7, "_shards": {"total": 1, "successful": 1}})
    store = make_store(url)

    for mode in ("keyword", "vector", "hybrid"):
        store.search(OWNER, text="q", vector=QUERY, top_k=3, mode=mode)
    assert store.count(OWNER) == 7
    assert store.count(OWNER, "doc-9") == 7

    reads = server.sent("POST", f"/{INDEX}/_search") + server.sent("POST", f"/{INDEX}/_count")
    assert len(reads) == 5
    assert all(owner_filter_in(request) for request in reads)
    assert reads[-1].json() == {
        "query": {"bool": {"filter": [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-9"]}}]}}
    }


def test_an_empty_document_filter_finds_nothing_without_asking(server: RecordingServer, url: str) -> None:
    assert make_store(url).search(OWNER, text="q", vector=QUERY, top_k=3, mode="hybrid", document_ids=[]) == []
    assert server.requests == []


def test_vector_modes_need_the_vector(server: RecordingServer, url: str) -> None:
    with pytest.raises(ValueError, match="needs the query's vector"):
        make_store(url).search(OWNER, text="q", vector=None, top_k=3, mode="hybrid")


def test_refresh_refreshes_the_index(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_refresh", 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
    make_store(url).refresh()
    assert calls(server) == [("POST", f"/{INDEX}/_refresh")]


# --- failures ---


@pytest.mark.parametrize("status", [500, 503, 429, 403])
def test_failing_answers_make_the_store_unavailable(server: RecordingServer, url: str, status: int) -> None:
    server.reply("POST", f"/{INDEX}/_search", status, error_reply(status, "some_exception", "the node is unwell"))
    with pytest.raises(VectorStoreUnavailable, match=f"answered {status}") as raised:
        make_store(url).search(OWNER, text="q", vector=None, top_k=3, mode="keyword")
    assert raised.value.status_code == 503


def test_a_5xx_on_bulk_makes_the_store_unavailable(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_bulk", 502, error_reply(502, "bad_gateway", "upstream"))
    with pytest.raises(VectorStoreUnavailable, match="answered 502"):
        make_store(url).upsert(chunks(n=1), VECTORS[:1])


def test_an_unreachable_cluster_makes_the_store_unavailable() -> None:
    store = make_store(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(VectorStoreUnavailable, match="unreachable"):
        store.count(OWNER)


def test_a_slow_cluster_times_out_as_unavailable(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_count", 200, {"count": 1}, delay_seconds=1.0)
    with pytest.raises(VectorStoreUnavailable, match="unreachable"):
        make_store(url, opensearch_timeout_seconds=0.2).count(OWNER)


def test_retries_are_bounded_by_the_setting(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_count", 503, error_reply(503, "unavailable", "busy"))
    with pytest.raises(VectorStoreUnavailable):
        make_store(url, opensearch_max_retries=2).count(OWNER)
    assert len(server.sent("POST", f"/{INDEX}/_count")) == 3


# --- SigV4 ---

AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]+)/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/(?P<service>\w+)"
    r"/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def check_signature(request: Recorded, base_url: str, service: str) -> None:
    """The Authorization header names our key, region and service, and its signature is the one botocore
    computes for this very request (method, path, query, signed headers, body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    match = AUTHORIZATION.fullmatch(request.headers["authorization"])
    assert match, request.headers["authorization"]
    assert (match["key"], match["region"], match["service"]) == (ACCESS_KEY, REGION, service)
    assert request.headers["x-amz-content-sha256"] == hashlib.sha256(request.body).hexdigest()
    signed = match["signed"].split(";")
    assert {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed)

    url = base_url + request.path + (f"?{urlencode(request.query)}" if request.query else "")
    replay = AWSRequest(
        method=request.method, url=url, data=request.body, headers={name: request.headers[name] for name in signed}
    )
    replay.context["timestamp"] = request.headers["x-amz-date"]
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, REGION)
    expected = signer.signature(signer.string_to_sign(replay, signer.canonical_request(replay)), replay)
    assert match["signature"] == expected


@pytest.mark.usefixtures("aws_credentials")
def test_managed_domain_requests_are_signed_for_es(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply())
    make_store(url, opensearch_auth="es").search(OWNER, text="q", vector=QUERY, top_k=3, mode="hybrid")
    check_signature(server.requests[0], url, "es")


# --- OpenSearch Serverless (aoss) ---


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_upsert_deletes_visible_copies_then_indexes_without_ids(server: RecordingServer, url: str) -> None:
    items = chunks(n=2)
    # the first search finds an older copy of chunk 0; the second (excluding it) finds nothing more
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply(("gen-id-1", 0.0, {})), times=1)
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply())
    server.reply("POST", f"/{INDEX}/_bulk", 200, bulk_reply(bulk_item("delete", "gen-id-1", 200)), times=1)
    server.reply("POST", f"/{INDEX}/_bulk", 200, bulk_reply(bulk_item("index", "gen-id-2", 201)))

    make_store(url, opensearch_auth="aoss").upsert(items, VECTORS[:2])

    assert calls(server) == [("POST", f"/{INDEX}/_search"), ("POST", f"/{INDEX}/_bulk")] * 2
    filters = [{"term": {"owner_id": OWNER}}, {"terms": {"chunk_id": ["doc-1:000000", "doc-1:000001"]}}]
    first, delete, second, index = server.requests
    assert first.json() == {"size": 200, "_source": False, "query": {"bool": {"filter": filters}}}
    assert delete.ndjson() == [{"delete": {"_id": "gen-id-1"}}]
    assert second.json()["query"]["bool"]["must_not"] == [{"ids": {"values": ["gen-id-1"]}}]
    assert index.ndjson() == [
        {"index": {}},
        source(items[0], VECTORS[0].tolist()),
        {"index": {}},
        source(items[1], VECTORS[1].tolist()),
    ]
    for request in server.requests:
        check_signature(request, url, "aoss")


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_delete_document_searches_then_bulk_deletes(server: RecordingServer, url: str) -> None:
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply(("a", 0.0, {}), ("b", 0.0, {})), times=1)
    server.reply("POST", f"/{INDEX}/_search", 200, search_reply())
    # "b" was already gone: a 404 on delete is not a failure
    server.reply(
        "POST", f"/{INDEX}/_bulk", 200, bulk_reply(bulk_item("delete", "a", 200), bulk_item("delete", "b", 404))
    )

    make_store(url, opensearch_auth="aoss", opensearch_bulk_docs=50).delete_document(OWNER, "doc-1")

    assert ("POST", f"/{INDEX}/_delete_by_query") not in calls(server)
    assert ("POST", f"/{INDEX}/_refresh") not in calls(server)
    searches = server.sent("POST", f"/{INDEX}/_search")
    assert searches[0].json() == {
        "size": 50,
        "_source": False,
        "query": {"bool": {"filter": [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-1"]}}]}},
    }
    assert searches[1].json()["query"]["bool"]["must_not"] == [{"ids": {"values": ["a", "b"]}}]
    assert server.sent("POST", f"/{INDEX}/_bulk")[0].ndjson() == [{"delete": {"_id": "a"}}, {"delete": {"_id": "b"}}]


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_search_oversamples_and_keeps_one_hit_per_chunk(server: RecordingServer, url: str) -> None:
    items = chunks()
    server.reply(
        "POST",
        f"/{INDEX}/_search",
        200,
        search_reply(
            ("g1", 3.0, hit_source(items[1])),
            ("g2", 3.0, hit_source(items[1])),  # the same chunk indexed twice
            ("g3", 2.0, hit_source(items[0])),
            ("g4", 1.0, hit_source(items[2])),
        ),
    )

    hits = make_store(url, opensearch_auth="aoss").search(OWNER, text="q", vector=QUERY, top_k=2, mode="vector")

    assert server.requests[0].json()["size"] == 4
    assert server.requests[0].json()["query"]["knn"]["embedding"]["k"] == 4
    assert [(hit.chunk_id, hit.score) for hit in hits] == [("doc-1:000001", 3.0), ("doc-1:000000", 2.0)]


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_count_counts_distinct_chunks(server: RecordingServer, url: str) -> None:
    reply = search_reply()
    reply["aggregations"] = {"chunks": {"value": 42}}
    server.reply("POST", f"/{INDEX}/_search", 200, reply)

    assert make_store(url, opensearch_auth="aoss").count(OWNER, "doc-1") == 42

    assert server.requests[0].json() == {
        "size": 0,
        "query": {"bool": {"filter": [{"term": {"owner_id": OWNER}}, {"terms": {"document_id": ["doc-1"]}}]}},
        "aggs": {"chunks": {"cardinality": {"field": "chunk_id", "precision_threshold": 40000}}},
    }
    assert ("POST", f"/{INDEX}/_count") not in calls(server)


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_refresh_sends_nothing(server: RecordingServer, url: str) -> None:
    make_store(url, opensearch_auth="aoss").refresh()
    assert server.requests == []


@pytest.mark.usefixtures("aws_credentials")
def test_serverless_creates_the_index_without_a_custom_similarity(server: RecordingServer, url: str) -> None:
    server.reply("HEAD", f"/{INDEX}", 404)
    server.reply("PUT", f"/{INDEX}", 200, {"acknowledged": True, "shards_acknowledged": True, "index": INDEX})
    server.reply("PUT", PIPELINE_PATH, 200, acknowledged())

    make_store(url, opensearch_auth="aoss", rag_bm25_k1=1.5, rag_bm25_b=0.3).ensure_index(MODEL, 4)

    assert server.requests[1].json() == EXPECTED_INDEX_BODY  # Serverless: OpenSearch's own BM25 (k1 1.2, b 0.75)
    for request in server.requests:
        check_signature(request, url, "aoss")


def test_the_bm25_settings_change_the_keyword_ranking_on_the_fake() -> None:
    """k1 and b reach the scoring through the created index: a short chunk with the word once against a long one
    with it three times ranks one way without length normalisation (b 0) and the other with it full (b 1)."""
    from tests.rag.stores.contract import make_chunks

    texts = ["proton decay", "proton proton proton " + " ".join(f"filler{i}" for i in range(30)), "neutron"]
    ranked = []
    with fake_opensearch() as (_, url):
        for name, k1, b in [("plain-tf", 2.0, 0.0), ("length-normalised", 0.5, 1.0)]:
            store = make_store(url, opensearch_index=name, rag_bm25_k1=k1, rag_bm25_b=b)
            store.ensure_index(CONTRACT_MODEL, CONTRACT_DIMENSION)
            store.upsert(*make_chunks("alice", "doc", texts))
            hits = store.search("alice", text="proton", vector=None, top_k=2, mode="keyword")
            ranked.append([hit.index for hit in hits])
            store.close()
    assert ranked == [[1, 0], [0, 1]]


# --- the shared contract, against the in-memory OpenSearch (a domain, and Serverless) ---


@pytest.fixture(scope="module")
def fake_domain_store() -> Iterator[OpenSearchStore]:
    with fake_opensearch() as (_, url):
        store = make_store(url)
        store.ensure_index(CONTRACT_MODEL, CONTRACT_DIMENSION)
        yield store
        store.close()


@pytest.fixture(scope="module")
def fake_serverless_store() -> Iterator[OpenSearchStore]:
    with pytest.MonkeyPatch.context() as env, fake_opensearch(serverless=True) as (_, url):
        env.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        env.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        store = make_store(url, opensearch_auth="aoss")
        store.ensure_index(CONTRACT_MODEL, CONTRACT_DIMENSION)
        yield store
        store.close()


class TestContractOnAFakeDomain(StoreContract):
    @pytest.fixture
    def store(self, fake_domain_store: OpenSearchStore) -> VectorStore:
        return fake_domain_store


class TestContractOnFakeServerless(StoreContract):
    """No custom _id, no _refresh, no _delete_by_query: the Serverless paths of the store."""

    @pytest.fixture
    def store(self, fake_serverless_store: OpenSearchStore) -> VectorStore:
        return fake_serverless_store


# --- the shared contract, against a live cluster (PGPT_TEST_OPENSEARCH_URL) ---

LIVE_URL = os.environ.get("PGPT_TEST_OPENSEARCH_URL")


@pytest.fixture(scope="module")
def live_store() -> Iterator[OpenSearchStore]:
    """A store on an index of its own (``pgpt-test-<random>``), deleted with its pipeline afterwards."""
    if not LIVE_URL:
        pytest.skip("PGPT_TEST_OPENSEARCH_URL is not set: no OpenSearch cluster to run the store contract against")
    settings = make_settings(
        vector_store="opensearch", opensearch_url=LIVE_URL, opensearch_index=f"pgpt-test-{uuid.uuid4().hex[:12]}"
    )
    store = OpenSearchStore(settings)
    store.ensure_index(CONTRACT_MODEL, CONTRACT_DIMENSION)
    yield store
    store.close()
    admin = connect(settings)
    try:
        admin.indices.delete(index=store.index)
        admin.search_pipeline.delete(id=store.pipeline)
    finally:
        admin.close()


class TestLiveCluster(StoreContract):
    @pytest.fixture
    def store(self, live_store: OpenSearchStore) -> VectorStore:
        return live_store
