"""Ingestion of one message at a time, against real parts: DynamoDB Local, moto's S3 and SQS, the embedded
vector store, and the fake OpenAI embeddings server (faults on demand)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from privategpt.dev.local_aws import LocalAWS
from privategpt.rag.ingest.messages import Continue, parse_body
from privategpt.rag.ingest.pipeline import Outcome, embed_and_index
from privategpt.rag.ingest.process import INGESTION_FAILED, process_message, process_record
from privategpt.rag.ingest.services import Services
from privategpt.rag.types import Embedder
from privategpt.settings import Settings
from privategpt.storage import documents
from privategpt.storage.ids import new_id
from privategpt.storage.models import DocumentItem
from tests.rag.ingest.helpers import (
    LOTS_OF_TIME_MS,
    PNG,
    Context,
    ingest_settings,
    new_user,
    numbered_text,
    reindex_body,
    s3_body,
    sqs_record,
    upload,
)
from tests.support.documents import make_encrypted_pdf, make_pdf
from tests.support.fake_embeddings import EmbeddingFault, FakeEmbeddings

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass
class Ingest:
    settings: Settings
    services: Services
    aws: LocalAWS

    def run(self, body: str, *, receive_count: int = 1, remaining_ms: int = LOTS_OF_TIME_MS) -> None:
        record = SQSRecord(sqs_record(body, receive_count=receive_count))
        process_record(record, Context(remaining_ms), self.services)

    def upload(self, data: bytes, **kwargs: str) -> DocumentItem:
        return upload(self.settings, new_user(), data, **kwargs)

    def uploaded(self, item: DocumentItem, **kwargs: int) -> None:
        """S3's notification of the upload, handled."""
        self.run(s3_body(item.object_key, int(item.size)), **kwargs)

    def document(self, item: DocumentItem) -> DocumentItem:
        found = documents.find(item.user_id, item.document_id)
        assert found is not None
        return found

    def chunks(self, item: DocumentItem) -> int:
        return self.services.store.count(item.user_id, item.document_id)

    def queued(self) -> list[str]:
        """The bodies waiting on this test's queue (taken off it)."""
        assert self.settings.ingest_queue_url is not None
        sqs, bodies = self.services.sqs, []
        while messages := sqs.receive_message(QueueUrl=self.settings.ingest_queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                bodies.append(message["Body"])
                sqs.delete_message(QueueUrl=self.settings.ingest_queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bodies


@pytest.fixture
def ingest(settings: Settings, local_aws: LocalAWS, ingest_embeddings: FakeEmbeddings) -> Iterator[Ingest]:
    own = ingest_settings(settings, local_aws, ingest_embeddings)
    yield Ingest(own, Services(own), local_aws)


def test_an_upload_becomes_ready_with_its_chunks_searchable(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(10))
    assert ingest.document(item).status == documents.UPLOADING
    ingest.uploaded(item)
    ready = ingest.document(item)
    assert ready.status == documents.READY
    assert ready.progress == 100
    assert ready.chunks > 4  # several batches of 4
    assert ready.next_chunk == ready.chunks
    assert ready.attribute_values.get("pages") is None  # plain text has no pages
    assert ready.detected_type == "text/plain"
    assert ready.embedding_model == ingest.services.embedder.model_id
    assert ready.error is None and ready.uploaded_at is not None and ready.ready_at is not None
    assert ingest.chunks(item) == ready.chunks
    query = "granite harbour ships"
    hits = ingest.services.store.search(
        item.user_id, text=query, vector=ingest.services.embedder.embed_query(query), top_k=3, mode="hybrid"
    )
    assert hits and all(hit.document_id == item.document_id for hit in hits)
    assert "granite" in hits[0].text


def test_a_pdf_records_its_pages(ingest: Ingest) -> None:
    item = ingest.upload(
        make_pdf(["The first page speaks of tides.", "The second page speaks of winds."]),
        filename="report.pdf",
        content_type="application/pdf",
    )
    ingest.uploaded(item)
    ready = ingest.document(item)
    assert (ready.status, ready.pages, ready.detected_type) == (documents.READY, 2, "application/pdf")


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "code"),
    [
        (make_encrypted_pdf(), "secret.pdf", "application/pdf", "encrypted"),
        (PNG, "photo.txt", "text/plain", "unsupported_type"),
    ],
)
def test_a_document_that_cannot_be_indexed_fails_with_a_reason(
    ingest: Ingest, data: bytes, filename: str, content_type: str, code: str
) -> None:
    item = ingest.upload(data, filename=filename, content_type=content_type)
    ingest.uploaded(item)  # no exception: the message is done, not retried
    failed = ingest.document(item)
    assert (failed.status, failed.error_code) == (documents.FAILED, code)
    assert failed.error and len(failed.error) > 10
    assert ingest.chunks(item) == 0


def test_an_object_over_the_size_limit_fails_without_being_read(ingest: Ingest) -> None:
    small = ingest.settings.model_copy(update={"document_max_bytes": 100})
    services = Services(small, embedder=ingest.services.embedder, store=ingest.services.store)
    item = ingest.upload(numbered_text(5))
    # The S3 event's size says it (the declared size is checked by the upload policy, this is the object's).
    process_message(parse_body(s3_body(item.object_key, 5000))[0], attempts=1, context=Context(), services=services)
    failed = ingest.document(item)
    assert (failed.status, failed.error_code) == (documents.FAILED, "too_large")
    assert "MB" in (failed.error or "")
    # A reindex carries no size: the object's length says it, before its body is read.
    generation = int(documents.begin_reindex(item.user_id, item.document_id).generation)
    process_message(parse_body(reindex_body(item, generation))[0], attempts=1, context=Context(), services=services)
    assert ingest.document(item).error_code == "too_large"


def test_a_redelivered_message_makes_no_duplicate_chunks(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(9))
    ingest.uploaded(item)
    first = ingest.chunks(item)
    ingest.uploaded(item, receive_count=2)
    assert ingest.chunks(item) == first == ingest.document(item).chunks
    assert ingest.document(item).status == documents.READY


def test_a_reindex_starts_clean_and_a_stale_one_is_dropped(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(6))
    ingest.uploaded(item)
    chunks = ingest.chunks(item)
    reindexed = documents.begin_reindex(item.user_id, item.document_id)
    assert reindexed.generation == 2
    ingest.run(reindex_body(item, 1))  # an older generation: nothing happens
    assert ingest.document(item).status == documents.PROCESSING
    ingest.run(reindex_body(item, 2))
    done = ingest.document(item)
    assert (done.status, done.generation, done.chunks) == (documents.READY, 2, chunks)
    assert ingest.chunks(item) == chunks


def test_a_large_document_continues_in_later_invocations(ingest: Ingest, ingest_embeddings: FakeEmbeddings) -> None:
    item = ingest.upload(numbered_text(12))
    # No time left: each invocation does one batch, records its checkpoint and queues a continuation.
    ingest.uploaded(item, remaining_ms=0)
    waiting = ingest.document(item)
    assert waiting.status == documents.PROCESSING
    batch = ingest.settings.embedding_batch_size
    assert waiting.next_chunk == batch and 0 < waiting.progress < 100
    total = waiting.chunks
    assert total > 2 * batch
    invocations = 1
    while bodies := ingest.queued():
        assert len(bodies) == 1
        (message,) = parse_body(bodies[0])
        assert isinstance(message, Continue) and message.next_chunk == ingest.document(item).next_chunk
        ingest.run(bodies[0], remaining_ms=0)
        invocations += 1
    done = ingest.document(item)
    assert (done.status, done.progress, done.chunks) == (documents.READY, 100, total)
    assert invocations == math.ceil(total / batch)
    assert ingest.chunks(item) == total
    assert len(ingest_embeddings.requests) == invocations  # no batch embedded twice
    # With the time reserve not reached, it all happens in one invocation.
    again = ingest.upload(numbered_text(12))
    ingest.uploaded(again, remaining_ms=LOTS_OF_TIME_MS)
    assert ingest.document(again).status == documents.READY and ingest.queued() == []


def test_an_outage_is_retried_then_fails_with_a_reason_on_the_last_receive(
    ingest: Ingest, ingest_embeddings: FakeEmbeddings
) -> None:
    item = ingest.upload(numbered_text(3))
    max_receives = ingest.settings.ingest_max_receive_count
    for receive in range(1, max_receives + 1):
        ingest_embeddings.fail(EmbeddingFault("status", 503))
        with pytest.raises(Exception, match="embedding and indexing"):
            ingest.uploaded(item, receive_count=receive)
        current = ingest.document(item)
        if receive < max_receives:  # SQS delivers it again: nothing for the owner to see yet
            assert (current.status, current.error) == (documents.PROCESSING, None)
    failed = ingest.document(item)
    assert (failed.status, failed.error_code) == (documents.FAILED, INGESTION_FAILED)
    assert failed.error is not None
    assert f"failed {max_receives} times while embedding and indexing the text" in failed.error
    assert "overloaded" in failed.error  # the provider's own words
    assert ingest.chunks(item) == 0
    # A reindex afterwards (the outage over) makes it ready.
    generation = int(documents.begin_reindex(item.user_id, item.document_id).generation)
    ingest.run(reindex_body(item, generation))
    assert ingest.document(item).status == documents.READY


class _Meddling:
    """The real embedder, with something done to the document after its first batch (between two batches)."""

    def __init__(self, embedder: Embedder, meddle: Callable[[], object]) -> None:
        self._embedder = embedder
        self._meddle = meddle
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._embedder.model_id

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        if self.calls == 2:
            self._meddle()
        return self._embedder.embed_documents(texts)

    def embed_query(self, text: str) -> NDArray[np.float32]:
        return self._embedder.embed_query(text)


def _meddled_run(ingest: Ingest, item: DocumentItem, meddle: Callable[[], object]) -> Outcome | None:
    embedder = _Meddling(ingest.services.embedder, meddle)
    services = Services(ingest.settings, embedder=embedder, store=ingest.services.store)
    (message,) = parse_body(s3_body(item.object_key, int(item.size)))
    return process_message(message, attempts=1, context=Context(), services=services)


def test_a_document_deleted_meanwhile_loses_what_was_indexed(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(12))
    outcome = _meddled_run(ingest, item, lambda: documents.begin_delete(item.user_id, item.document_id))
    assert outcome is Outcome.OVERTAKEN
    assert ingest.chunks(item) == 0
    assert ingest.document(item).status == documents.DELETING


def test_a_document_reindexed_meanwhile_is_left_to_the_new_run(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(12))
    outcome = _meddled_run(ingest, item, lambda: documents.begin_reindex(item.user_id, item.document_id))
    assert outcome is Outcome.OVERTAKEN
    assert ingest.document(item).status == documents.PROCESSING  # not marked ready by the old run
    ingest.run(reindex_body(item, 2))
    done = ingest.document(item)
    assert (done.status, done.generation) == (documents.READY, 2)
    assert ingest.chunks(item) == done.chunks


def test_url_encoded_keys_name_the_document(ingest: Ingest) -> None:
    user_id = new_user("user one+two")  # S3 writes "user+one%2Btwo" in the notification
    item = upload(ingest.settings, user_id, numbered_text(2), filename="my notes + plans.txt")
    body = s3_body(item.object_key, int(item.size))
    assert "user+one%2Btwo" in body
    ingest.run(body)
    assert ingest.document(item).status == documents.READY


def test_an_object_of_no_document_is_deleted(ingest: Ingest) -> None:
    assert ingest.settings.documents_bucket is not None
    s3 = ingest.services.s3
    bucket = ingest.settings.documents_bucket
    for key in (documents.object_key(new_user(), new_id()), "junk/left over.bin"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"orphan")
        ingest.run(s3_body(key, 6))
        assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount") == 0


def test_nothing_happens_for_a_test_event_or_garbage(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(2))
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": ingest.settings.documents_bucket}
    for body in (
        json.dumps(test_event),
        "not json",
        '{"type": "shred"}',
        s3_body(item.object_key, 9, event_name="ObjectRemoved:Delete"),
    ):
        ingest.run(body)
    assert ingest.document(item).status == documents.UPLOADING


def test_a_continuation_of_a_document_no_longer_processing_is_dropped(ingest: Ingest) -> None:
    item = ingest.upload(numbered_text(12))
    ingest.uploaded(item, remaining_ms=0)
    (body,) = ingest.queued()
    documents.begin_delete(item.user_id, item.document_id)
    ingest.run(body)
    assert ingest.queued() == []


def test_embed_and_index_stops_when_told(ingest: Ingest) -> None:
    from privategpt.rag.chunking import split
    from privategpt.rag.parsing import parse

    settings, embedder, store = ingest.settings, ingest.services.embedder, ingest.services.store
    owner, document_id = new_user(), new_id()
    parsed = parse(numbered_text(12), declared_type="text/plain", filename="a.txt", settings=settings)
    chunks = split(parsed, document_id=document_id, owner_id=owner, filename="a.txt", settings=settings)
    store.ensure_index(embedder.model_id, embedder.dimension)
    seen: list[int] = []

    def two_batches(next_chunk: int) -> bool:
        seen.append(next_chunk)
        return len(seen) < 2

    batch = settings.embedding_batch_size
    done = embed_and_index(chunks, embedder=embedder, store=store, settings=settings, on_progress=two_batches)
    assert done == 2 * batch
    assert seen == [batch, 2 * batch]
    assert store.count(owner, document_id) == 2 * batch
    left = embed_and_index(
        chunks, embedder=embedder, store=store, settings=settings, start=2 * batch, should_stop=lambda: True
    )
    assert left == 2 * batch
    assert embed_and_index(chunks, embedder=embedder, store=store, settings=settings, start=2 * batch) == len(chunks)
    assert store.count(owner, document_id) == len(chunks)
