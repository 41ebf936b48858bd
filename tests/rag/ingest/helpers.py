"""What the ingestion tests share: Lambda's SQS records and context, uploads to moto, settings."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from privategpt.aws_clients import s3_client, sqs_client
from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from privategpt.storage import documents
from privategpt.storage.models import DocumentItem
from tests.support.fake_embeddings import FakeEmbeddings, running_embeddings

TEXT = "text/plain"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOTS_OF_TIME_MS = 15 * 60 * 1000  # a fresh 15-minute invocation


@pytest.fixture(scope="session")
def ingest_embeddings() -> Iterator[FakeEmbeddings]:
    """The fake OpenAI embeddings server the ingestion tests embed with (fast, deterministic, faults on demand).
    Import it into a test module (or conftest) to use it there."""
    with running_embeddings("openai") as fake:
        yield fake


def ingest_settings(base: Settings, aws: LocalAWS, embeddings: FakeEmbeddings, **overrides: Any) -> Settings:
    """The session's settings with a fresh bucket and queue of their own, the fake embeddings, small chunks and
    batches (so a few lines of text make several batches)."""
    update: dict[str, Any] = {
        **own_resources(base, aws),
        "embedding_backend": "openai",
        "embedding_base_url": embeddings.url,
        "embedding_api_key": SecretStr(embeddings.api_key or "unused"),
        "embedding_model": "text-embedding-3-small",
        "embedding_retries": 0,
        "embedding_batch_size": 4,
        "chunk_tokens": 24,
        "chunk_overlap_tokens": 0,
        "ingest_time_reserve_seconds": 1.0,
        **overrides,
    }
    return base.model_copy(update=update)


def own_resources(base: Settings, aws: LocalAWS) -> dict[str, str]:
    """A fresh bucket (without notifications) and queue on the session's moto (made with this process's shared
    boto3 session: a client of a new session costs a tenth of a second or more)."""
    name = f"ingest-{uuid.uuid4().hex[:12]}"
    local = base.model_copy(update={"aws_endpoint_url": aws.endpoint_url})
    s3_client(local).create_bucket(Bucket=name)
    queue_url = sqs_client(local).create_queue(QueueName=name)["QueueUrl"]
    return {"aws_endpoint_url": aws.endpoint_url, "documents_bucket": name, "ingest_queue_url": queue_url}


def new_user(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def numbered_text(paragraphs: int) -> bytes:
    """Distinct paragraphs (each one chunk or more at ``chunk_tokens`` 24), searchable by their words."""
    return "\n\n".join(
        f"Paragraph {n} tells of the {_WORDS[n % len(_WORDS)]} harbour, where ships number {n * 7} and sail at dawn."
        for n in range(paragraphs)
    ).encode()


_WORDS = ("northern", "southern", "eastern", "western", "granite", "amber", "silver")


def upload(
    settings: Settings, user_id: str, data: bytes, *, filename: str = "notes.txt", content_type: str = TEXT
) -> DocumentItem:
    """A document as the API creates it, then its object put where the upload goes."""
    item = documents.create(user_id, filename=filename, content_type=content_type, size=len(data))
    assert settings.documents_bucket is not None
    s3_client(settings).put_object(Bucket=settings.documents_bucket, Key=item.object_key, Body=data)
    return item


def s3_notification(*records: tuple[str, str, int]) -> str:
    """An S3 event notification body as S3 sends it to SQS: (eventName, key as sent, size) per record."""
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": "2026-11-26T08:00:00.000Z",
                    "eventName": name,
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "bucket": {"name": "documents", "arn": "arn:aws:s3:::documents"},
                        "object": {"key": key, "size": size, "eTag": "0" * 32, "sequencer": "0055AED6DCD90281E5"},
                    },
                }
                for name, key, size in records
            ]
        }
    )


def s3_body(key: str, size: int, *, event_name: str = "ObjectCreated:Post", encoded: bool = True) -> str:
    """One object's notification, its key URL-encoded as S3 does."""
    from urllib.parse import quote_plus

    return s3_notification((event_name, quote_plus(key, safe="/") if encoded else key, size))


def reindex_body(item: DocumentItem, generation: int) -> str:
    return json.dumps(
        {"type": "reindex", "user_id": item.user_id, "document_id": item.document_id, "generation": generation}
    )


def sqs_record(body: str, *, receive_count: int = 1, message_id: str | None = None) -> dict[str, Any]:
    """A record of Lambda's SQS event, as the event source mapping delivers it."""
    now = str(int(time.time() * 1000))
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB" + uuid.uuid4().hex,
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": now,
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": now,
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:privategpt-ingest",
        "awsRegion": "us-east-1",
    }


class Context:
    """Lambda's context with a remaining time the test sets (milliseconds)."""

    function_name = "privategpt-ingest"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:privategpt-ingest"
    memory_limit_in_mb = 2048
    log_group_name = "/aws/lambda/privategpt-ingest"
    log_stream_name = "test"

    def __init__(self, remaining_ms: int = LOTS_OF_TIME_MS) -> None:
        self.remaining_ms = remaining_ms
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
