"""The built-in server's tests: settings with documents (moto), a vector store and fake embeddings of their
own, a file area of their own, and ready documents made by the real ingestion pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from privategpt.aws_clients import s3_client
from privategpt.dev.local_aws import LocalAWS
from privategpt.rag.ingest.pipeline import Outcome, ingest
from privategpt.rag.ingest.services import Services
from privategpt.settings import Settings
from privategpt.storage import documents
from tests.support.aws import own_resources
from tests.support.fake_embeddings import FakeEmbeddings, running_embeddings

READ_CHARS = 400
MAX_FILES = 5


@pytest.fixture(scope="session")
def tools_embeddings() -> Iterator[FakeEmbeddings]:
    with running_embeddings("openai") as fake:
        yield fake


@pytest.fixture(scope="session")
def tools_settings(
    settings: Settings, local_aws: LocalAWS, tools_embeddings: FakeEmbeddings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return settings.model_copy(
        update={
            **own_resources(local_aws),
            "embedding_backend": "openai",
            "embedding_base_url": tools_embeddings.url,
            "embedding_api_key": SecretStr(tools_embeddings.api_key or "unused"),
            "embedding_model": "text-embedding-3-small",
            "embedding_retries": 0,
            "embedded_store_dir": tmp_path_factory.mktemp("tools-vectors"),
            "data_dir": tmp_path_factory.mktemp("tools-data"),
            "tools_read_max_chars": READ_CHARS,
            "files_max_count": MAX_FILES,
        }
    )


def ready_document(
    settings: Settings, user_id: str, data: bytes, *, filename: str = "notes.txt", content_type: str = "text/plain"
) -> str:
    """A document uploaded to the bucket and indexed by ingestion, as it is after an upload: ready."""
    item = documents.create(user_id, filename=filename, content_type=content_type, size=len(data))
    assert settings.documents_bucket is not None
    s3_client(settings).put_object(Bucket=settings.documents_bucket, Key=item.object_key, Body=data)
    started = documents.start_processing(user_id, item.document_id, 1)
    assert started is not None
    outcome = ingest(started, generation=1, start=0, services=Services(settings), remaining_seconds=lambda: 3600.0)
    assert outcome == Outcome.READY
    return item.document_id
