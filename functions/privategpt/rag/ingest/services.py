"""What ingestion works with, each built on first need and kept while the process lives (a warm Lambda
reuses them): the settings, the embedder, the vector store, and boto3 clients for S3 and SQS.

A test or the local worker may hand in its own parts; whatever is not handed in comes from the settings.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from privategpt.aws_clients import s3_client, sqs_client
from privategpt.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from privategpt.rag.types import Embedder, VectorStore


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
