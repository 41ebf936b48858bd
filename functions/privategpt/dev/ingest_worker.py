"""The ingestion queue's consumer under ``privategpt dev``: what Lambda's SQS event source mapping does in AWS.

A thread long-polls the local queue (``ingest_poll_wait_seconds``, short so ``dev`` stops quickly), wraps the
messages it receives into Lambda's SQS event (same keys, ``ApproximateReceiveCount`` included), calls the
Lambda handler itself (``handlers.ingest.handler``) with a context that has a deadline
(``ingest_timeout_seconds``), and deletes the messages that succeeded. The failed ones (``batchItemFailures``)
stay: they come back after the queue's visibility timeout, and the redrive policy moves them to the
dead-letter queue after ``maxReceiveCount`` receives, as in AWS.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, cast

from privategpt.observability import logger
from privategpt.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        DeleteMessageBatchRequestEntryTypeDef,
        MessageAttributeValueOutputTypeDef,
        MessageTypeDef,
    )

Handler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]

FUNCTION_NAME: Final = "privategpt-ingest-local"
_MEMORY_MB: Final = 2048  # what the context reports; nothing limits it locally
_ERROR_PAUSE_SECONDS: Final = 1.0  # after a failed poll (the queue is down): no busy loop
_STOP_SECONDS: Final = 30.0


class LocalContext:
    """The parts of Lambda's context object the handler and Powertools read, with a real deadline."""

    function_version = "$LATEST"
    memory_limit_in_mb = _MEMORY_MB

    def __init__(
        self, timeout_seconds: float, *, function_name: str = FUNCTION_NAME, region: str = "us-east-1"
    ) -> None:
        self._deadline = time.monotonic() + timeout_seconds
        self.function_name = function_name
        self.invoked_function_arn = f"arn:aws:lambda:{region}:000000000000:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_record(message: MessageTypeDef, *, queue_arn: str, region: str) -> dict[str, Any]:
    """One received SQS message as a record of Lambda's SQS event."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _lambda_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def _lambda_attribute(value: MessageAttributeValueOutputTypeDef) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": list(value.get("BinaryListValues", [])),
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = value["BinaryValue"]
    return attribute


class IngestWorker:
    """``start()`` the polling thread, ``stop()`` it (or use as a context manager); ``poll_once()`` runs one
    receive-invoke-delete round in the caller's thread (tests drive it step by step)."""

    def __init__(self, settings: Settings, *, handler: Handler | None = None, sqs: SQSClient | None = None) -> None:
        if settings.ingest_queue_url is None:
            raise ValueError("the ingest worker needs PGPT_INGEST_QUEUE_URL")
        self.settings = settings
        self.queue_url = settings.ingest_queue_url
        if handler is None:
            from privategpt.handlers import ingest

            ingest.configure(settings)
            handler = ingest.handler
        self._handler = handler
        if sqs is None:
            from privategpt.aws_clients import sqs_client

            sqs = sqs_client(settings)
        self._sqs = sqs
        attributes = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]
        self.queue_arn = attributes["QueueArn"]
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self, wait_seconds: int | None = None) -> int:
        """Receive up to ``ingest_batch_size`` messages, run the handler on them, delete those that succeeded;
        how many were received."""
        wait = self.settings.ingest_poll_wait_seconds if wait_seconds is None else wait_seconds
        received = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.settings.ingest_batch_size,
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        records = [lambda_record(m, queue_arn=self.queue_arn, region=self.settings.aws_region) for m in received]
        context = LocalContext(self.settings.ingest_timeout_seconds, region=self.settings.aws_region)
        try:
            response = self._handler({"Records": records}, cast("LambdaContext", context))  # the same duck
            failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        except Exception:
            logger.exception("the ingest handler raised: the whole batch is retried")
            failed = {record["messageId"] for record in records}
        done: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
            for n, m in enumerate(received)
            if m["MessageId"] not in failed
        ]
        if done:
            self._sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
        return len(received)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception("the ingest worker could not poll the queue")
                self._stopping.wait(_ERROR_PAUSE_SECONDS)

    def start(self) -> IngestWorker:
        self._thread = threading.Thread(target=self._run, name="ingest-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the round in progress (at most one long poll, or one batch being ingested)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=_STOP_SECONDS)
            self._thread = None

    def __enter__(self) -> IngestWorker:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
