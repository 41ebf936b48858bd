"""The session's local S3 and SQS (moto, see ``privategpt.dev.local_aws``) and helpers around it.

``local_aws`` is one moto server for the whole run, with the documents bucket whose ``ObjectCreated`` events
go to the ingestion queue. A test that must not see other tests' events (or leave its own in that queue)
makes its own bucket and queue on the same server with ``own_resources``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings


@pytest.fixture(scope="session")
def local_aws(settings: Settings) -> Iterator[LocalAWS]:
    with LocalAWS.for_settings(settings) as aws:
        yield aws


def own_resources(aws: LocalAWS, name: str | None = None) -> dict[str, str]:
    """A fresh bucket (without notifications) and queue on the session's moto: the settings overrides
    (``aws_endpoint_url``, ``documents_bucket``, ``ingest_queue_url``) that point at them."""
    name = name or f"test-{uuid.uuid4().hex[:12]}"
    aws.s3().create_bucket(Bucket=name)
    queue_url = aws.sqs().create_queue(QueueName=name)["QueueUrl"]
    return {"aws_endpoint_url": aws.endpoint_url, "documents_bucket": name, "ingest_queue_url": queue_url}


def wired_resources(aws: LocalAWS, *, max_receive_count: int, visibility_seconds: int | None = None) -> dict[str, str]:
    """A bucket of its own whose ObjectCreated events go to a queue of its own, with a dead-letter queue, as the
    stack wires them (``LocalAWS`` does the same for the session's bucket). For tests that ingest late in the run:
    a test's ``moto.mock_aws()`` resets the shared moto backends when it ends, the session's bucket and queue with
    them. Returns the settings overrides and ``dlq_url``."""
    name = f"wired-{uuid.uuid4().hex[:10]}"
    s3, sqs = aws.s3(), aws.sqs()
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    attributes: dict[Any, str] = {"RedrivePolicy": json.dumps(redrive)}
    if visibility_seconds is not None:
        attributes["VisibilityTimeout"] = str(visibility_seconds)
    queue_url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_notification_configuration(
        Bucket=name,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )  # S3 sends its s3:TestEvent to the queue now: the worker lets it pass
    return {
        "aws_endpoint_url": aws.endpoint_url,
        "documents_bucket": name,
        "ingest_queue_url": queue_url,
        "dlq_url": dlq_url,
    }


def receive(aws: LocalAWS, queue_url: str, *, expected: int = 1, wait_seconds: float = 5.0) -> list[dict[str, Any]]:
    """The JSON bodies of the messages on the queue (deleted as they are read), once ``expected`` have come or
    after ``wait_seconds``."""
    sqs = aws.sqs()
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_seconds
    while len(bodies) < expected and time.monotonic() < deadline:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies
