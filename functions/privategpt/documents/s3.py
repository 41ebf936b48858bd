"""The documents API's AWS calls: the presigned upload POST, deleting an upload, and the reindex message.

The clients come from ``privategpt.aws_clients`` (boto3 loads with the first call, never on the API's import
path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from privategpt.aws_clients import s3_client, sqs_client
from privategpt.errors import ServiceUnavailable
from privategpt.settings import Settings

REINDEX = "reindex"


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    expires_at: datetime


def bucket(settings: Settings) -> str:
    if not settings.documents_bucket:
        raise ServiceUnavailable("documents are not configured", details={"setting": "PGPT_DOCUMENTS_BUCKET"})
    return settings.documents_bucket


def presigned_upload(settings: Settings, key: str, *, content_type: str, size: int) -> PresignedUpload:
    """A POST policy for exactly this object: this key, this Content-Type, exactly ``size`` bytes.

    S3 refuses a POST that breaks any condition (403 AccessDenied), so the declared size and type are what
    arrives; the browser sends the file straight to S3 with ``fields`` as the form's other fields."""
    seconds = settings.document_upload_url_seconds
    expires_at = datetime.now(UTC) + timedelta(seconds=seconds)
    post = s3_client(settings).generate_presigned_post(
        bucket(settings),
        key,
        Fields={"Content-Type": content_type},
        Conditions=[["content-length-range", size, size], {"Content-Type": content_type}],
        ExpiresIn=seconds,
    )
    return PresignedUpload(post["url"], {name: str(value) for name, value in post["fields"].items()}, expires_at)


def delete_object(settings: Settings, key: str) -> None:
    """The upload gone (S3 answers the same whether or not it was there)."""
    s3_client(settings).delete_object(Bucket=bucket(settings), Key=key)


def reindex_body(user_id: str, document_id: str, generation: int) -> str:
    """The queue message ingestion reads as a reindex (``rag/ingest/messages.py``)."""
    return json.dumps({"type": REINDEX, "user_id": user_id, "document_id": document_id, "generation": generation})


def send_reindex(settings: Settings, user_id: str, document_id: str, generation: int) -> None:
    if not settings.ingest_queue_url:
        raise ServiceUnavailable("document ingestion is not configured", details={"setting": "PGPT_INGEST_QUEUE_URL"})
    sqs_client(settings).send_message(
        QueueUrl=settings.ingest_queue_url, MessageBody=reindex_body(user_id, document_id, generation)
    )
