"""The vector store of the deployed stack: an OpenSearch index searched by BM25, by k-NN (faiss HNSW, owner
filter inside the graph search) or by both fused in a search pipeline.

Three deployments, one code path (``PGPT_OPENSEARCH_AUTH``):
- ``none``: a cluster reached directly (local development, the live test suite);
- ``es``: an Amazon OpenSearch Service domain, requests signed with SigV4 for the ``es`` service;
- ``aoss``: an OpenSearch Serverless vector search collection, signed for ``aoss``. Such a collection takes no
  custom ``_id``, has no ``_refresh`` and no ``_delete_by_query``: chunks are indexed under generated ids after
  the visible copies of the same chunk_ids are deleted, deletes go search-then-bulk, and searches keep the best
  hit per chunk_id (a copy indexed in the seconds before a redelivery may not be visible to that delete yet).

opensearch-py and botocore load here, never on the API's import path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from privategpt.rag.errors import IndexMismatch, VectorStoreUnavailable
from privategpt.rag.stores import opensearch_bodies as bodies
from privategpt.rag.types import Chunk, Hit, SearchMode
from privategpt.settings import Settings

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from privategpt.rag.types import Vectors


def connect(settings: Settings) -> OpenSearch:
    """A sync client for ``PGPT_OPENSEARCH_URL``: unsigned (urllib3), or SigV4-signed (requests) with the
    credentials botocore finds (the Lambda role's, in AWS) for ``PGPT_AWS_REGION``."""
    from opensearchpy import OpenSearch, RequestsHttpConnection, Urllib3HttpConnection

    if not settings.opensearch_url:
        raise ValueError("PGPT_VECTOR_STORE=opensearch needs PGPT_OPENSEARCH_URL")
    options: dict[str, Any] = {
        "hosts": [settings.opensearch_url],
        "timeout": settings.opensearch_timeout_seconds,
        "max_retries": settings.opensearch_max_retries,
        "retry_on_timeout": False,
    }
    if settings.opensearch_auth == "none":
        return OpenSearch(connection_class=Urllib3HttpConnection, **options)

    import botocore.session
    from opensearchpy import AWSV4SignerAuth

    credentials = botocore.session.Session().get_credentials()
    if credentials is None:
        raise VectorStoreUnavailable("no AWS credentials to sign OpenSearch requests with (SigV4)")
    auth = AWSV4SignerAuth(credentials, settings.aws_region, settings.opensearch_auth)
    return OpenSearch(http_auth=auth, connection_class=RequestsHttpConnection, **options)


@contextmanager
def _unavailable_on_failure(action: str) -> Iterator[None]:
    """A transport failure of any kind (unreachable, timed out, throttled, refused, a failing node) becomes
    ``VectorStoreUnavailable``: the ingestion retries it, a search answers 503."""
    from opensearchpy.exceptions import ConnectionError, SerializationError, TransportError

    try:
        yield
    except ConnectionError as exc:  # also ConnectionTimeout, SSLError
        raise VectorStoreUnavailable(f"OpenSearch is unreachable ({action}): {exc.error}") from exc
    except TransportError as exc:
        raise VectorStoreUnavailable(
            f"OpenSearch answered {exc.status_code} ({action}): {exc.error}",
            details={"status": exc.status_code, "error": exc.error},
        ) from exc
    except SerializationError as exc:
        raise VectorStoreUnavailable(f"OpenSearch's answer could not be read ({action})") from exc


def _caused_by(exc: VectorStoreUnavailable, status: int, error_type: str) -> bool:
    """Whether OpenSearch answered this status with this error type (``error.type`` of its error body)."""
    from opensearchpy.exceptions import TransportError

    cause = exc.__cause__
    return isinstance(cause, TransportError) and cause.status_code == status and cause.error == error_type


def _index_missing(exc: VectorStoreUnavailable) -> bool:
    return _caused_by(exc, 404, "index_not_found_exception")


class OpenSearchStore:
    def __init__(self, settings: Settings, *, client: OpenSearch | None = None) -> None:
        self._settings = settings
        self._client = client if client is not None else connect(settings)
        self._index = settings.opensearch_index
        self._pipeline = f"{settings.opensearch_index}-hybrid"
        self._serverless = settings.opensearch_auth == "aoss"
        self._dimension: int | None = None

    @property
    def index(self) -> str:
        return self._index

    @property
    def pipeline(self) -> str:
        return self._pipeline

    # --- index ---

    def ensure_index(self, model_id: str, dimension: int) -> None:
        with _unavailable_on_failure("checking the index"):
            exists = bool(self._client.indices.exists(index=self._index))
        created = False
        if not exists:
            try:
                with _unavailable_on_failure("creating the index"):
                    self._client.indices.create(index=self._index, body=self._index_body(model_id, dimension))
                created = True
            except VectorStoreUnavailable as exc:
                # another instance created it between our check and our create: check it like an existing one
                if not _caused_by(exc, 400, "resource_already_exists_exception"):
                    raise
        if not created:
            with _unavailable_on_failure("reading the index mapping"):
                mapping = self._client.indices.get_mapping(index=self._index)
            reason = bodies.meta_mismatch(bodies.mapping_meta(mapping), model_id, dimension)
            if reason:
                raise IndexMismatch(
                    f"OpenSearch index {self._index!r} cannot be used: {reason}. Re-index into a new index "
                    "(PGPT_OPENSEARCH_INDEX) or embed with the index's model",
                    details={"index": self._index, "model_id": model_id, "dimension": dimension},
                )
        pipeline = bodies.hybrid_pipeline_body(
            self._settings.rag_hybrid_keyword_weight, self._settings.rag_hybrid_vector_weight
        )
        with _unavailable_on_failure("creating the hybrid search pipeline"):
            self._client.search_pipeline.put(id=self._pipeline, body=pipeline)
        self._dimension = dimension

    def _index_body(self, model_id: str, dimension: int) -> bodies.Json:
        """Serverless documents no custom similarity among the index settings it accepts: there the index keeps
        OpenSearch's BM25 (k1 1.2, b 0.75) rather than risk a refused create."""
        bm25 = None if self._serverless else (self._settings.rag_bm25_k1, self._settings.rag_bm25_b)
        return bodies.index_body(model_id, dimension, bm25=bm25)

    def refresh(self) -> None:
        """Make every write so far searchable (tests). Serverless has no refresh: there writes become visible
        by themselves, within seconds."""
        if self._serverless:
            return
        with _unavailable_on_failure("refreshing the index"):
            self._client.indices.refresh(index=self._index)

    # --- writes ---

    def upsert(self, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        if self._dimension is not None and len(vectors) and vectors.shape[1] != self._dimension:
            raise ValueError(f"vectors of dimension {vectors.shape[1]} for an index of dimension {self._dimension}")
        step = self._settings.opensearch_bulk_docs
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            batch_vectors: list[list[float]] = vectors[start : start + step].tolist()
            if self._serverless:
                for owner_id in sorted({chunk.owner_id for chunk in batch}):
                    ids = [chunk.chunk_id for chunk in batch if chunk.owner_id == owner_id]
                    self._delete_matching([*bodies.owner_filters(owner_id), {"terms": {"chunk_id": ids}}])
            lines = bodies.index_actions(batch, batch_vectors, with_ids=not self._serverless)
            self._bulk(lines, len(batch), "indexing chunks")

    def delete_document(self, owner_id: str, document_id: str) -> None:
        filters = bodies.owner_filters(owner_id, [document_id])
        if self._serverless:
            self._delete_matching(filters)
            return
        try:
            with _unavailable_on_failure("deleting a document's chunks"):
                # delete_by_query deletes what a search sees: first make the latest writes searchable
                self._client.indices.refresh(index=self._index)
                response = self._client.delete_by_query(
                    index=self._index, body={"query": bodies.filter_query(filters)}, params={"conflicts": "proceed"}
                )
        except VectorStoreUnavailable as exc:
            if _index_missing(exc):  # no index: nothing to delete
                return
            raise
        failures = response.get("failures") or []
        if failures:
            raise VectorStoreUnavailable(
                f"OpenSearch failed to delete {len(failures)} chunks of document {document_id}",
                details={"failures": failures[:5]},
            )

    def _delete_matching(self, filters: list[bodies.Json]) -> None:
        """Search the ids, bulk-delete them, until no new id comes back (Serverless: no _delete_by_query)."""
        deleted: list[str] = []
        while True:
            body = bodies.ids_search(filters, deleted, self._settings.opensearch_bulk_docs)
            response = self._search(body, {}, "finding chunks to delete")
            ids = bodies.hit_ids(response)
            if not ids:
                return
            self._bulk(bodies.delete_actions(ids), len(ids), "deleting chunks")
            deleted.extend(ids)

    def _bulk(self, lines: list[bodies.Json], actions: int, action: str) -> None:
        with _unavailable_on_failure(action):
            response = self._client.bulk(index=self._index, body=lines)
        failures = bodies.bulk_failures(response)
        if failures:
            first = failures[0]
            raise VectorStoreUnavailable(
                f"OpenSearch rejected {len(failures)} of {actions} bulk actions ({action}); "
                f"first: {first['status']} {first['type']}: {first['reason']}",
                details={"failures": failures[:5]},
            )

    # --- reads ---

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
        if top_k <= 0 or (document_ids is not None and not document_ids):
            return []
        if mode != "keyword" and vector is None:
            raise ValueError(f"a {mode} search needs the query's vector")
        filters = bodies.owner_filters(owner_id, document_ids)
        size = top_k * self._settings.opensearch_aoss_oversample if self._serverless else top_k
        params: dict[str, str] = {}
        if mode == "keyword":
            body = bodies.keyword_search(text, filters, size)
        else:
            assert vector is not None
            query_vector: list[float] = vector.reshape(-1).tolist()
            if mode == "vector":
                body = bodies.vector_search(query_vector, filters, size)
            else:
                size = max(size, self._settings.rag_hybrid_candidates)
                body = bodies.hybrid_search(text, query_vector, filters, size)
                params["search_pipeline"] = self._pipeline
        response = self._search(body, params, f"{mode} search")
        return bodies.best_per_chunk(bodies.parse_hits(response))[:top_k]

    def count(self, owner_id: str, document_id: str | None = None) -> int:
        filters = bodies.owner_filters(owner_id, None if document_id is None else [document_id])
        try:
            if self._serverless:
                response = self._search(bodies.distinct_chunks_count(filters), {}, "counting chunks")
                return int(response["aggregations"]["chunks"]["value"])
            with _unavailable_on_failure("counting chunks"):
                response = self._client.count(index=self._index, body={"query": bodies.filter_query(filters)})
            return int(response["count"])
        except VectorStoreUnavailable as exc:
            if _index_missing(exc):  # no index yet: no chunks
                return 0
            raise

    def _search(self, body: bodies.Json, params: dict[str, str], action: str) -> dict[str, Any]:
        try:
            with _unavailable_on_failure(action):
                response: dict[str, Any] = self._client.search(index=self._index, body=body, params=params)
        except VectorStoreUnavailable as exc:
            if _index_missing(exc):  # no index yet: nothing found
                return {"hits": {"hits": []}, "aggregations": {"chunks": {"value": 0}}}
            raise
        return response

    def close(self) -> None:
        self._client.close()
