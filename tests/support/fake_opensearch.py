"""A small OpenSearch over HTTP, in memory, for running the store contract suite without a cluster: the REST
calls the OpenSearch store makes, with OpenSearch's semantics where the suite can see them.

- indices with a mapping (``_meta``, ``dynamic: strict`` refusing unknown fields, the knn_vector dimension
  checked), ``_bulk`` (index with or without ``_id``, delete; per-item errors), ``_search``, ``_count``,
  ``_delete_by_query``, ``_refresh``, search pipelines;
- queries: ``bool`` (``must`` match, ``filter`` term/terms/ids/bool, ``must_not`` ids), ``match`` scored with
  BM25 (lower-cased word tokens; k1 and b of the index's ``default`` similarity, else 1.2 and 0.75), ``knn``
  scored as faiss ``innerproduct`` with the filter applied during the search (exact here), ``hybrid`` fused by
  the named pipeline's ``normalization-processor`` (min_max with OpenSearch's 0.001 floor, weighted arithmetic
  mean), the ``cardinality`` aggregation;
- ``serverless=True`` behaves as an OpenSearch Serverless vector collection: a custom ``_id`` on index is
  refused, and ``_refresh`` and ``_delete_by_query`` do not exist.

Writes are visible at once (as after a refresh). Anything else answers 400 with OpenSearch's error shape, so a
request the store should not make fails loudly.
"""

from __future__ import annotations

import json
import math
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from tests.support.server import serve

Json = dict[str, Any]
BM25_K1 = 1.2
BM25_B = 0.75
MIN_MAX_FLOOR = 0.001  # neural-search's MIN_SCORE for min_max
SINGLE_RESULT_SCORE = 1.0


class Refused(Exception):
    def __init__(self, status: int, error_type: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.error_type, self.reason = status, error_type, reason

    def body(self) -> Json:
        cause = {"type": self.error_type, "reason": self.reason}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass
class Index:
    mappings: Json
    docs: dict[str, Json] = field(default_factory=dict)
    k1: float = BM25_K1
    b: float = BM25_B

    @classmethod
    def create(cls, body: Json) -> Index:
        similarity = body.get("settings", {}).get("index", {}).get("similarity", {}).get("default")
        if similarity is None:
            return cls(body.get("mappings", {}))
        if similarity.get("type") != "BM25":
            raise Refused(400, "illegal_argument_exception", f"similarity [{similarity.get('type')}] not supported")
        return cls(
            body.get("mappings", {}), k1=float(similarity.get("k1", BM25_K1)), b=float(similarity.get("b", BM25_B))
        )

    def check(self, source: Json) -> None:
        properties = self.mappings.get("properties", {})
        if self.mappings.get("dynamic") == "strict":
            unknown = sorted(set(source) - set(properties))
            if unknown:
                raise Refused(400, "strict_dynamic_mapping_exception", f"mapping set to strict, {unknown[0]} added")
        for name, spec in properties.items():
            vector = source.get(name)
            if spec.get("type") == "knn_vector" and vector is not None and len(vector) != spec["dimension"]:
                raise Refused(400, "mapper_parsing_exception", f"Vector dimension mismatch for [{name}]")


@dataclass
class FakeOpenSearch:
    serverless: bool = False
    indices: dict[str, Index] = field(default_factory=dict)
    pipelines: dict[str, Json] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- HTTP ---

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        method, path = scope["method"], scope["path"]
        query = dict(parse_qsl(scope["query_string"].decode()))
        try:
            with self._lock:
                status, answer = self.handle(method, path, query, body)
        except Refused as refused:
            status, answer = refused.status, refused.body()
        data = b"" if answer is None else json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json; charset=UTF-8"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else data})

    def handle(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, Json | None]:
        parts = [part for part in path.split("/") if part]
        if parts[:2] == ["_search", "pipeline"] and len(parts) == 3:
            if method == "PUT":
                self.pipelines[parts[2]] = json.loads(body)
                return 200, {"acknowledged": True}
            if method == "DELETE" and self.pipelines.pop(parts[2], None) is not None:
                return 200, {"acknowledged": True}
            raise Refused(404, "resource_not_found_exception", f"pipeline [{parts[2]}] not found")
        name, action = parts[0], (parts[1] if len(parts) > 1 else None)
        if action is None:
            return self._index_level(method, name, body)
        if (self.serverless and action in ("_refresh", "_delete_by_query")) or action not in _ACTIONS:
            raise Refused(400, "illegal_argument_exception", f"no handler found for uri [{path}] and method [{method}]")
        index = self.indices.get(name)
        if index is None:
            raise Refused(404, "index_not_found_exception", f"no such index [{name}]")
        if action == "_mapping":
            return 200, {name: {"mappings": index.mappings}}
        if action == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_bulk":
            return 200, self._bulk(index, body)
        request = json.loads(body) if body else {}
        if action == "_count":
            return 200, {"count": len(self._matching(index, request.get("query")))}
        if action == "_delete_by_query":
            ids = list(self._matching(index, request.get("query")))
            for doc_id in ids:
                del index.docs[doc_id]
            return 200, {"took": 1, "timed_out": False, "total": len(ids), "deleted": len(ids), "failures": []}
        return 200, self._search(index, request, query.get("search_pipeline"))

    def _index_level(self, method: str, name: str, body: bytes) -> tuple[int, Json | None]:
        if method == "HEAD":
            return (200 if name in self.indices else 404), None
        if method == "PUT":
            if name in self.indices:
                raise Refused(400, "resource_already_exists_exception", f"index [{name}/x] already exists")
            self.indices[name] = Index.create(json.loads(body))
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
        if method == "DELETE" and self.indices.pop(name, None) is not None:
            return 200, {"acknowledged": True}
        raise Refused(404, "index_not_found_exception", f"no such index [{name}]")

    # --- writes ---

    def _bulk(self, index: Index, body: bytes) -> Json:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items: list[Json] = []
        position = 0
        while position < len(lines):
            ((action, meta),) = lines[position].items()
            position += 1
            doc_id = meta.get("_id")
            try:
                if action == "delete":
                    found = index.docs.pop(str(doc_id), None) is not None
                    items.append({"delete": {"_id": doc_id, "status": 200 if found else 404,
                                             "result": "deleted" if found else "not_found"}})  # fmt: skip
                    continue
                source = lines[position]
                position += 1
                if self.serverless and doc_id is not None:
                    raise Refused(
                        400,
                        "illegal_argument_exception",
                        "Document ID is not supported in create/index operation request",
                    )
                index.check(source)
                doc_id = str(doc_id) if doc_id is not None else uuid.uuid4().hex
                created = doc_id not in index.docs
                index.docs[doc_id] = source
                items.append({action: {"_id": doc_id, "status": 201 if created else 200,
                                       "result": "created" if created else "updated"}})  # fmt: skip
            except Refused as refused:
                items.append({action: {"_id": doc_id, "status": refused.status,
                                       "error": {"type": refused.error_type, "reason": refused.reason}}})  # fmt: skip
        return {
            "took": 1,
            "errors": any("error" in result for item in items for result in item.values()),
            "items": items,
        }

    # --- reads ---

    def _search(self, index: Index, request: Json, pipeline_name: str | None) -> Json:
        size = int(request.get("size", 10))
        query = request.get("query")
        if query is not None and "hybrid" in query:
            if pipeline_name is None or pipeline_name not in self.pipelines:
                raise Refused(400, "illegal_argument_exception", "hybrid query needs a search pipeline")
            scores = self._hybrid(index, query["hybrid"]["queries"], size, self.pipelines[pipeline_name])
        else:
            scores = self._matching(index, query)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        source_fields = request.get("_source", True)
        hits = []
        for doc_id, score in ranked[:size]:
            hit: Json = {"_index": "x", "_id": doc_id, "_score": score}
            if source_fields is not False:
                doc = index.docs[doc_id]
                hit["_source"] = doc if source_fields is True else {k: doc.get(k) for k in source_fields}
            hits.append(hit)
        answer: Json = {
            "took": 1,
            "timed_out": False,
            "hits": {"total": {"value": len(scores), "relation": "eq"}, "max_score": None, "hits": hits},
        }
        for name, agg in request.get("aggs", {}).items():
            field_name = agg["cardinality"]["field"]
            answer.setdefault("aggregations", {})[name] = {
                "value": len({index.docs[doc_id].get(field_name) for doc_id in scores})
            }
        return answer

    def _hybrid(self, index: Index, queries: list[Json], size: int, pipeline: Json) -> dict[str, float]:
        processor = pipeline["phase_results_processors"][0]["normalization-processor"]
        assert processor["normalization"]["technique"] == "min_max"
        assert processor["combination"]["technique"] == "arithmetic_mean"
        weights = processor["combination"]["parameters"]["weights"]
        if len(weights) != len(queries) or abs(sum(weights) - 1.0) > 1e-6:
            raise Refused(400, "illegal_argument_exception", "weights must match the queries and add up to 1.0")
        fused: dict[str, float] = {}
        for subquery, weight in zip(queries, weights, strict=True):
            top = sorted(self._matching(index, subquery).items(), key=lambda item: -item[1])[:size]
            if not top:
                continue
            low, high = min(score for _, score in top), max(score for _, score in top)
            for doc_id, score in top:
                normalised = SINGLE_RESULT_SCORE if high == low else ((score - low) / (high - low)) or MIN_MAX_FLOOR
                fused[doc_id] = fused.get(doc_id, 0.0) + weight * normalised
        return fused

    def _matching(self, index: Index, query: Json | None) -> dict[str, float]:
        """The matching documents with their scores (1.0 where only filters apply)."""
        if query is None:
            return dict.fromkeys(index.docs, 1.0)
        ((kind, spec),) = query.items()
        if kind == "knn":
            ((field_name, knn),) = spec.items()
            allowed = [doc_id for doc_id in index.docs if self._passes(index.docs[doc_id], doc_id, knn.get("filter"))]
            scored = {doc_id: _faiss_inner_product(knn["vector"], index.docs[doc_id][field_name]) for doc_id in allowed}
            return dict(sorted(scored.items(), key=lambda item: -item[1])[: int(knn["k"])])
        if kind == "bool":
            candidates = [
                doc_id
                for doc_id, doc in index.docs.items()
                if all(self._passes(doc, doc_id, clause) for clause in spec.get("filter", []))
                and not any(self._passes(doc, doc_id, clause) for clause in spec.get("must_not", []))
            ]
            scores = dict.fromkeys(candidates, 1.0) if not spec.get("must") else {}
            for clause in spec.get("must", []):
                ((must_kind, must_spec),) = clause.items()
                if must_kind != "match":
                    raise Refused(400, "parsing_exception", f"unknown query [{must_kind}]")
                ((field_name, match),) = must_spec.items()
                scores = self._bm25(index, candidates, field_name, match["query"])
            return scores
        raise Refused(400, "parsing_exception", f"unknown query [{kind}]")

    def _passes(self, doc: Json, doc_id: str, clause: Json | None) -> bool:
        if clause is None:
            return True
        ((kind, spec),) = clause.items()
        if kind == "bool":
            return all(self._passes(doc, doc_id, inner) for inner in spec.get("filter", []))
        if kind == "ids":
            return doc_id in spec["values"]
        ((field_name, value),) = spec.items()
        if kind == "term":
            return bool(doc.get(field_name) == value)
        if kind == "terms":
            return doc.get(field_name) in value
        raise Refused(400, "parsing_exception", f"unknown filter [{kind}]")

    @staticmethod
    def _bm25(index: Index, candidates: list[str], field_name: str, text: str) -> dict[str, float]:
        all_docs = [tokens(str(doc.get(field_name) or "")) for doc in index.docs.values()]
        if not all_docs:
            return {}
        average = sum(len(doc) for doc in all_docs) / len(all_docs)
        terms = set(tokens(text))
        frequency = {term: sum(1 for doc in all_docs if term in doc) for term in terms}
        scores: dict[str, float] = {}
        for doc_id in candidates:
            words = tokens(str(index.docs[doc_id].get(field_name) or ""))
            score = 0.0
            for term in terms:
                tf = words.count(term)
                if tf:
                    idf = math.log(1 + (len(all_docs) - frequency[term] + 0.5) / (frequency[term] + 0.5))
                    score += (
                        idf * tf * (index.k1 + 1) / (tf + index.k1 * (1 - index.b + index.b * len(words) / average))
                    )
            if score > 0:
                scores[doc_id] = score
        return scores


_ACTIONS = ("_mapping", "_refresh", "_bulk", "_search", "_count", "_delete_by_query")


def _faiss_inner_product(query: list[float], vector: list[float]) -> float:
    """The k-NN plugin's score for faiss ``innerproduct``: 1 + ip for a non-negative ip, else 1 / (1 - ip)."""
    product = sum(a * b for a, b in zip(query, vector, strict=True))
    return 1 + product if product >= 0 else 1 / (1 - product)


@contextmanager
def fake_opensearch(*, serverless: bool = False) -> Iterator[tuple[FakeOpenSearch, str]]:
    fake = FakeOpenSearch(serverless=serverless)
    with serve(fake) as url:
        yield fake, url
