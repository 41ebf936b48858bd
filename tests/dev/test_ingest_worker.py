"""The local ingestion worker against moto's S3 and SQS: notifications, the Lambda event shape, retries into the
dead-letter queue, and ``privategpt dev`` running it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSEvent
from botocore.exceptions import EndpointConnectionError

from privategpt.aws_clients import s3_client, sqs_client
from privategpt.dev.dynamodb_local import free_port
from privategpt.dev.ingest_worker import IngestWorker, LocalContext, lambda_record
from privategpt.dev.local_aws import LocalAWS
from privategpt.rag.ingest.services import Services
from privategpt.settings import Settings
from privategpt.storage import db, documents
from privategpt.storage.models import DocumentItem
from tests.dev.running import running_dev
from tests.rag.ingest.helpers import ingest_embeddings, ingest_settings, new_user, numbered_text, upload
from tests.support.aws import wired_resources
from tests.support.fake_embeddings import EmbeddingFault, FakeEmbeddings

__all__ = ["ingest_embeddings"]

WAIT_SECONDS = 30.0
REDELIVERY_SECONDS = 1  # the test queue's visibility timeout: a failed message comes back fast


def _wired(aws: LocalAWS, settings: Settings) -> dict[str, str]:
    resources = wired_resources(
        aws, max_receive_count=settings.ingest_max_receive_count, visibility_seconds=REDELIVERY_SECONDS
    )
    return {key: resources[key] for key in ("documents_bucket", "ingest_queue_url", "dlq_url")}


@pytest.fixture
def wired(settings: Settings, local_aws: LocalAWS, ingest_embeddings: FakeEmbeddings) -> tuple[Settings, str]:
    ingest_embeddings.reset()
    resources = _wired(local_aws, settings)
    dlq_url = resources.pop("dlq_url")
    own = ingest_settings(settings, local_aws, ingest_embeddings, ingest_poll_wait_seconds=1, **resources)
    return own, dlq_url


@pytest.fixture
def worker(wired: tuple[Settings, str]) -> Iterator[IngestWorker]:
    with IngestWorker(wired[0]) as running:
        yield running


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _status(item: DocumentItem) -> str | None:
    found = documents.find(item.user_id, item.document_id)
    return found.status if found else None


def test_an_upload_is_ingested_through_the_queue(wired: tuple[Settings, str], worker: IngestWorker) -> None:
    settings, _ = wired
    item = upload(settings, new_user("a user+with spaces"), numbered_text(10), filename="ship log + notes.txt")
    _until(lambda: _status(item) == documents.READY, "the document to be ready")
    ready = documents.find(item.user_id, item.document_id)
    assert ready is not None and ready.chunks > 0 and ready.progress == 100
    services = Services(settings)
    assert services.store.count(item.user_id, item.document_id) == ready.chunks
    hits = services.store.search(
        item.user_id,
        text="amber harbour",
        vector=services.embedder.embed_query("amber harbour"),
        top_k=2,
        mode="vector",
    )
    assert hits and hits[0].document_id == item.document_id and "amber" in hits[0].text
    # Done messages were deleted: nothing comes back after the visibility timeout.
    time.sleep(REDELIVERY_SECONDS + 0.5)
    assert worker.poll_once(wait_seconds=0) == 0


def test_a_failing_message_is_retried_then_dead_lettered(
    wired: tuple[Settings, str], ingest_embeddings: FakeEmbeddings, local_aws: LocalAWS
) -> None:
    settings, dlq_url = wired
    item = upload(settings, new_user(), numbered_text(3))
    ingest_embeddings.fail(*[EmbeddingFault("status", 503)] * settings.ingest_max_receive_count)
    with IngestWorker(settings):
        _until(lambda: _status(item) == documents.FAILED, "the document to fail")
        found = documents.find(item.user_id, item.document_id)
        assert found is not None and found.error_code == "ingestion_failed"
        assert f"failed {settings.ingest_max_receive_count} times" in (found.error or "")

        def dead_lettered() -> bool:
            response = sqs_client(settings).receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1)
            return bool(response.get("Messages"))

        _until(dead_lettered, "the message to reach the dead-letter queue")
    assert len(ingest_embeddings.requests) == settings.ingest_max_receive_count


def test_messages_become_lambdas_sqs_event(wired: tuple[Settings, str], local_aws: LocalAWS) -> None:
    settings, _ = wired
    assert settings.ingest_queue_url is not None
    sqs = sqs_client(settings)
    sqs.purge_queue(QueueUrl=settings.ingest_queue_url)
    sqs.send_message(
        QueueUrl=settings.ingest_queue_url,
        MessageBody='{"type": "continue"}',
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
    )
    (message,) = sqs.receive_message(
        QueueUrl=settings.ingest_queue_url,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
        WaitTimeSeconds=1,
    )["Messages"]
    arn = "arn:aws:sqs:us-east-1:000000000000:q"
    (record,) = SQSEvent({"Records": [lambda_record(message, queue_arn=arn, region="us-east-1")]}).records
    assert record.body == '{"type": "continue"}'
    assert record.message_id == message["MessageId"] and record.receipt_handle == message["ReceiptHandle"]
    assert record.attributes.approximate_receive_count == "1"
    origin = record.message_attributes["origin"]
    assert origin is not None and origin.string_value == "test"
    assert (record.event_source, record.event_source_arn, record.aws_region) == ("aws:sqs", arn, "us-east-1")


def test_the_context_counts_down() -> None:
    context = LocalContext(2.0)
    first = context.get_remaining_time_in_millis()
    assert 1500 < first <= 2000
    time.sleep(0.05)
    assert context.get_remaining_time_in_millis() < first
    assert context.function_name and context.aws_request_id and context.invoked_function_arn


def test_the_worker_stops_quickly(wired: tuple[Settings, str]) -> None:
    worker = IngestWorker(wired[0]).start()
    time.sleep(0.2)  # inside a long poll
    started = time.monotonic()
    worker.stop()
    assert time.monotonic() - started < wired[0].ingest_poll_wait_seconds + 2


def test_dev_runs_moto_and_the_worker(settings: Settings, tmp_path: Path) -> None:
    """``privategpt dev`` against the session's DynamoDB: an object put in its bucket is ingested."""
    port = free_port()
    with running_dev(
        tmp_path,
        port,
        "--stream-port",
        str(free_port()),
        "--no-demo",
        PGPT_DYNAMODB_ENDPOINT=str(settings.dynamodb_endpoint),
        PGPT_TABLE_NAME=settings.table_name,
    ) as (_, lines):
        output = "".join(lines)
        found = re.search(r"Local S3 and SQS \(moto\) at (http://\S+) \(bucket (\S+), queue (\S+);", output)
        assert found, output
        endpoint, bucket = found.group(1), found.group(2)
        assert "Ingestion worker polling" in output
        db.bind(settings)
        local = settings.model_copy(update={"aws_endpoint_url": endpoint, "documents_bucket": bucket})
        item = upload(local, new_user(), numbered_text(3))
        _until(lambda: _status(item) == documents.READY, "`dev` to ingest the upload:\n" + "".join(lines))
        s3 = s3_client(local)
    with pytest.raises(EndpointConnectionError):  # moto stopped with `dev`
        s3.list_objects_v2(Bucket=bucket)
