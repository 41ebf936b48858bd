"""A local S3 and SQS (moto's server, in a thread) for ``privategpt dev`` and the tests.

``with LocalAWS.for_settings(settings) as aws:`` starts moto on a free loopback port and makes what the
deployed stack makes: the documents bucket (CORS open to the dev origins, so the browser can POST an upload
straight to it), the ingestion queue with its dead-letter queue (RedrivePolicy, ``maxReceiveCount`` from
``ingest_max_receive_count``), and the bucket's ``ObjectCreated`` notification to the queue. moto delivers S3
events to SQS as AWS does: the object key in a record is URL-encoded. S3's one ``s3:TestEvent`` (sent when
the notification is set) is taken off the queue, so the queue starts empty.

``aws.settings_overrides()`` are the settings that point the app at it (``aws_endpoint_url``,
``documents_bucket``, ``ingest_queue_url``); ``aws.environment()`` the same as ``PGPT_*`` variables.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

    from privategpt.settings import Settings

DEFAULT_BUCKET: Final = "privategpt-documents"
DEFAULT_QUEUE: Final = "privategpt-ingest"
DEAD_LETTER_SUFFIX: Final = "-dlq"
ANY_ORIGIN: Final = "*"

# moto accepts any credentials but boto3 signs every request and so needs some. While LocalAWS runs, these
# dummy values replace the process's AWS credentials: they name no account and are only ever sent to the
# local endpoint (the settings this class hands out point S3 and SQS there). Never put real secrets here.
_DUMMY_CREDENTIALS: Final = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto's documented dummy value
}
_CLEARED_VARIABLES: Final = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


class LocalAWS:
    """moto's S3 and SQS with the documents bucket and the ingestion queues, for the length of a block."""

    def __init__(
        self,
        *,
        max_receive_count: int,
        cors_origins: Sequence[str] = (ANY_ORIGIN,),
        region: str = "us-east-1",
        bucket: str = DEFAULT_BUCKET,
        queue: str = DEFAULT_QUEUE,
        host: str = "127.0.0.1",
        port: int | None = None,
        quiet: bool = True,
    ) -> None:
        self.region = region
        self.bucket = bucket
        self.queue_name = queue
        self._max_receive_count = max_receive_count
        self._cors_origins = list(cors_origins) or [ANY_ORIGIN]
        self._host = host
        self._port = port
        self._quiet = quiet
        self._server: object | None = None
        self._saved_environment: dict[str, str | None] = {}
        self.endpoint_url = ""
        self._s3: S3Client | None = None
        self._sqs: SQSClient | None = None
        self.queue_url = ""
        self.dlq_url = ""

    @classmethod
    def for_settings(cls, settings: Settings, *, bucket: str = DEFAULT_BUCKET, queue: str = DEFAULT_QUEUE) -> LocalAWS:
        """Region, redrive count and CORS origins from the settings (any origin when none is configured)."""
        return cls(
            max_receive_count=settings.ingest_max_receive_count,
            cors_origins=settings.cors_origins,
            region=settings.aws_region,
            bucket=bucket,
            queue=queue,
        )

    def settings_overrides(self) -> dict[str, str]:
        return {
            "aws_endpoint_url": self.endpoint_url,
            "documents_bucket": self.bucket,
            "ingest_queue_url": self.queue_url,
        }

    def environment(self) -> dict[str, str]:
        return {f"PGPT_{name.upper()}": value for name, value in self.settings_overrides().items()}

    def s3(self) -> S3Client:
        """A client of this S3 (made once; safe to share between threads)."""
        if self._s3 is None:
            import boto3

            self._s3 = boto3.session.Session().client("s3", region_name=self.region, endpoint_url=self.endpoint_url)
        return self._s3

    def sqs(self) -> SQSClient:
        """A client of this SQS (made once; safe to share between threads)."""
        if self._sqs is None:
            import boto3

            self._sqs = boto3.session.Session().client("sqs", region_name=self.region, endpoint_url=self.endpoint_url)
        return self._sqs

    def __enter__(self) -> LocalAWS:
        from moto.server import ThreadedMotoServer

        if self._quiet:  # moto's server logs every request through werkzeug's logger
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._use_dummy_credentials()
        try:
            # Port 0: the system picks a free one as the server binds (no window for another process to take it).
            server = ThreadedMotoServer(ip_address=self._host, port=self._port or 0, verbose=False)
            server.start()
            self._server = server
            host, port = server.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
            self._create_resources()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        server, self._server = self._server, None
        self._s3 = self._sqs = None
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}

    def _use_dummy_credentials(self) -> None:
        for name in (*_DUMMY_CREDENTIALS, *_CLEARED_VARIABLES):
            self._saved_environment[name] = os.environ.get(name)
            os.environ.pop(name, None)
        os.environ.update(_DUMMY_CREDENTIALS)

    def _create_resources(self) -> None:
        s3, sqs = self.s3(), self.sqs()
        self.dlq_url = sqs.create_queue(QueueName=self.queue_name + DEAD_LETTER_SUFFIX)["QueueUrl"]
        dlq_arn = _queue_arn(sqs, self.dlq_url)
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(self._max_receive_count)}
        self.queue_url = sqs.create_queue(QueueName=self.queue_name, Attributes={"RedrivePolicy": json.dumps(redrive)})[
            "QueueUrl"
        ]
        queue_arn = _queue_arn(sqs, self.queue_url)
        bucket_arn = f"arn:aws:s3:::{self.bucket}"
        # As the stack does: only this bucket may send to the queue.
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": bucket_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=self.queue_url, Attributes={"Policy": json.dumps(policy)})
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=self.bucket)
        else:
            s3.create_bucket(
                Bucket=self.bucket,
                CreateBucketConfiguration={"LocationConstraint": self.region},  # type: ignore[typeddict-item]
            )
        s3.put_bucket_cors(
            Bucket=self.bucket,
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": self._cors_origins,
                        "AllowedMethods": ["POST"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag", "Location"],
                    }
                ]
            },
        )
        s3.put_bucket_notification_configuration(
            Bucket=self.bucket,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        sqs.purge_queue(QueueUrl=self.queue_url)  # S3's s3:TestEvent: the queue starts empty


def _queue_arn(sqs: SQSClient, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
    return attributes["QueueArn"]
