"""The ingestion Lambda's entry point with SQS events as Lambda delivers them: partial batch failures."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.handlers import ingest
from privategpt.settings import Settings
from privategpt.storage import documents
from privategpt.storage.models import DocumentItem
from tests.rag.ingest.helpers import (
    Context,
    ingest_embeddings,
    ingest_settings,
    new_user,
    numbered_text,
    s3_body,
    sqs_record,
    upload,
)
from tests.support.fake_embeddings import EmbeddingFault, FakeEmbeddings

__all__ = ["ingest_embeddings"]

HEAVY = ("boto3", "numpy", "onnxruntime", "pypdf", "docx", "opensearchpy", "tiktoken", "privategpt.rag.ingest.pipeline")


@pytest.fixture
def configured(settings: Settings, local_aws: LocalAWS, ingest_embeddings: FakeEmbeddings) -> Iterator[Settings]:
    ingest_embeddings.reset()
    own = ingest_settings(settings, local_aws, ingest_embeddings)
    ingest.configure(own)
    yield own
    ingest_embeddings.reset()


def _status(item: DocumentItem) -> tuple[str, str | None]:
    found = documents.find(item.user_id, item.document_id)
    assert found is not None
    return found.status, found.error_code


def test_only_the_records_that_failed_are_reported(configured: Settings, ingest_embeddings: FakeEmbeddings) -> None:
    failing = upload(configured, new_user(), numbered_text(3))
    good = upload(configured, new_user(), numbered_text(3))
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": configured.documents_bucket})
    event = {
        "Records": [
            sqs_record(s3_body(failing.object_key, int(failing.size)), message_id="failing"),
            sqs_record("garbage", message_id="garbage"),
            sqs_record(test_event, message_id="test-event"),
            sqs_record(s3_body(good.object_key, int(good.size)), message_id="good"),
        ]
    }
    ingest_embeddings.fail(EmbeddingFault("status", 503))  # the first embedding request: the failing document's
    response = ingest.handler(event, Context())  # type: ignore[arg-type]
    assert response == {"batchItemFailures": [{"itemIdentifier": "failing"}]}
    assert _status(failing) == (documents.PROCESSING, None)  # SQS will deliver it again
    assert _status(good) == (documents.READY, None)


def test_on_the_last_receive_the_document_fails_and_so_does_the_record(
    configured: Settings, ingest_embeddings: FakeEmbeddings
) -> None:
    item = upload(configured, new_user(), numbered_text(3))
    last = configured.ingest_max_receive_count
    ingest_embeddings.fail(EmbeddingFault("status", 503))
    record = sqs_record(s3_body(item.object_key, int(item.size)), receive_count=last, message_id="only")
    response = ingest.handler({"Records": [record]}, Context())  # type: ignore[arg-type]
    # Every record failed: the same answer, not an exception (SQS moves the message to the dead-letter queue).
    assert response == {"batchItemFailures": [{"itemIdentifier": "only"}]}
    assert _status(item) == (documents.FAILED, "ingestion_failed")


def test_importing_the_handler_loads_nothing_heavy() -> None:
    code = f"import sys, privategpt.handlers.ingest; print([m for m in {HEAVY!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
