"""The documents API's AWS calls: the presigned upload POST, deleting an upload, and the reindex message.

boto3 loads with the first call (never on the API's import path); its clients are built once per process
and configuration, since building one costs tens of milliseconds of CPU. With ``aws_endpoint_url`` set they
go to a local S3/SQS (moto under ``privategpt dev`` and in the tests), addressed path-style.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from privategpt.errors import ServiceUnavailable
from privategpt.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

Service = Literal["s3", "sqs"]
REINDEX = "reindex"

_clients: dict[tuple[Service, str, str | None, float], Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class PresignedUpload:
    url: str
    fields: dict[str, str]
    expires_at: datetime


def _client(settings: Settings, service: Service) -> Any:
    key = (service, settings.aws_region, settings.aws_endpoint_url, settings.documents_aws_timeout_seconds)
    with _lock:
        client = _clients.get(key)
        if client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=settings.documents_aws_timeout_seconds,
                read_timeout=settings.documents_aws_timeout_seconds,
                retries={"mode": "standard"},
                signature_version="s3v4" if service == "s3" else None,
                s3={"addressing_style": "path"} if settings.aws_endpoint_url else None,
            )
            client = boto3.session.Session().client(
                service, region_name=settings.aws_region, endpoint_url=settings.aws_endpoint_url, config=config
            )
            _clients[key] = client
        return client


def s3_client(settings: Settings) -> S3Client:
    client: S3Client = _client(settings, "s3")
    return client


def sqs_client(settings: Settings) -> SQSClient:
    client: SQSClient = _client(settings, "sqs")
    return client


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
