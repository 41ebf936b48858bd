"""boto3 clients for S3 and SQS (the documents API and ingestion), one per process and configuration.

boto3 loads with the first call, never on a Lambda's import path. The clients come from one boto3 session, so
they share its parsed service models (a client of a fresh session parses them again: a tenth of a second or
more), and are kept: clients are thread-safe, making them is not, hence the lock. With ``aws_endpoint_url``
set they go to a local S3/SQS (moto under ``privategpt dev`` and in the tests), addressed path-style and
signed with placeholder credentials that name no account (a local endpoint takes any, but wants a signature).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Literal

from privategpt.settings import Settings

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

Service = Literal["s3", "sqs"]
_LOCAL_ENDPOINT_KEY = "local"

_session: boto3.session.Session | None = None
_clients: dict[tuple[Service, str, str | None, float], Any] = {}
_lock = threading.Lock()


def _client(settings: Settings, service: Service) -> Any:
    global _session
    key = (service, settings.aws_region, settings.aws_endpoint_url, settings.aws_timeout_seconds)
    with _lock:
        client = _clients.get(key)
        if client is None:
            import boto3
            from botocore.config import Config

            local = settings.aws_endpoint_url is not None
            config = Config(
                connect_timeout=settings.aws_timeout_seconds,
                read_timeout=settings.aws_timeout_seconds,
                retries={"mode": "standard"},
                signature_version="s3v4" if service == "s3" else None,
                s3={"addressing_style": "path"} if local else None,
            )
            _session = _session or boto3.session.Session()
            key_id = _LOCAL_ENDPOINT_KEY if local else None
            client = _session.client(
                service,
                region_name=settings.aws_region,
                endpoint_url=settings.aws_endpoint_url,
                config=config,
                aws_access_key_id=key_id,
                aws_secret_access_key=key_id,
            )
            _clients[key] = client
        return client


def s3_client(settings: Settings) -> S3Client:
    client: S3Client = _client(settings, "s3")
    return client


def sqs_client(settings: Settings) -> SQSClient:
    client: SQSClient = _client(settings, "sqs")
    return client
