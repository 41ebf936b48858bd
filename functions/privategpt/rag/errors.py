"""Errors of the RAG parts. ``DocumentRejected`` carries a reason a person understands: it becomes the
document's ``error`` and its status ``failed``; it is never retried."""

from __future__ import annotations

from privategpt.errors import AppError


class IndexMismatch(AppError):
    """The index was built by another embedding model or dimension: searching it would return garbage."""

    status_code = 409
    code = "index_mismatch"


class EmbeddingUnavailable(AppError):
    """The embedding backend failed or is unreachable (retried by ingestion; a 503 for a search)."""

    status_code = 503
    code = "embedding_unavailable"


class VectorStoreUnavailable(AppError):
    status_code = 503
    code = "vector_store_unavailable"


class DocumentRejected(Exception):
    """The document cannot be indexed, for a reason that retrying will not change."""

    def __init__(self, reason: str, *, code: str = "rejected") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
