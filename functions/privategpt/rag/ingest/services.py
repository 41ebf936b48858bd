"""What ingestion works with, each built on first need and kept while the process lives (a warm Lambda
reuses them): the settings, the embedder, the vector store, and boto3 clients for S3 and SQS.

A test or the local worker may hand in its own parts; whatever is not handed in comes from the settings.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from privategpt.settings import Settings

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from privategpt.rag.types import Embedder, VectorStore

#: A local S3/SQS (moto, LocalStack) accepts any credentials but needs a signed request; these name no account.
_LOCAL_ENDPOINT_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


_session: boto3.session.Session | None = None
_session_lock = threading.Lock()


def _boto3_session() -> boto3.session.Session:
    """One session per process: its clients share the parsed service models (a client of a fresh session
    parses them again, a tenth of a second or more). Clients are thread-safe; making them is not, hence the lock."""
    global _session
    import boto3

    if _session is None:
        _session = boto3.session.Session()
    return _session


def _client_options(settings: Settings) -> dict[str, Any]:
    credentials = _LOCAL_ENDPOINT_CREDENTIALS if settings.aws_endpoint_url else {}
    return {"region_name": settings.aws_region, "endpoint_url": settings.aws_endpoint_url, **credentials}


def s3_client(settings: Settings) -> S3Client:
    """AWS's S3, or ``aws_endpoint_url`` (moto under ``dev`` and in tests)."""
    with _session_lock:
        return _boto3_session().client("s3", **_client_options(settings))


def sqs_client(settings: Settings) -> SQSClient:
    with _session_lock:
        return _boto3_session().client("sqs", **_client_options(settings))


class Services:
    def __init__(
        self, settings: Settings, *, embedder: Embedder | None = None, store: VectorStore | None = None
    ) -> None:
        self.settings = settings
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        if store is not None:
            self.__dict__["store"] = store

    @cached_property
    def embedder(self) -> Embedder:
        from privategpt.rag.embeddings import embedder_for

        return embedder_for(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        from privategpt.rag.stores import store_for

        return store_for(self.settings)

    @cached_property
    def s3(self) -> S3Client:
        return s3_client(self.settings)

    @cached_property
    def sqs(self) -> SQSClient:
        return sqs_client(self.settings)
