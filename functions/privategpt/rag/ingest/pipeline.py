"""One document through ingestion: read, parse, split, embed and index in batches, keep its status.

Each step runs under a name (``stage``) that a failure carries, so a document that finally fails says what
failed in words its owner understands. ``DocumentRejected`` (encrypted, unsupported, empty, too large) passes
through unchanged: it is final, not retried.

Every write is conditional on the generation the run started with (``storage.documents``): a write that
returns False means the document was reindexed or deleted meanwhile, and the run removes what it indexed
and stops.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from privategpt.observability import logger
from privategpt.rag.errors import DocumentRejected
from privategpt.rag.ingest import objects
from privategpt.rag.ingest.messages import continue_body
from privategpt.settings import Settings
from privategpt.storage import documents

if TYPE_CHECKING:
    from privategpt.rag.ingest.services import Services
    from privategpt.rag.types import Chunk, Embedder, VectorStore
    from privategpt.storage.models import DocumentItem

_ALMOST_DONE = 99  # progress while chunks are indexed; 100 only with ``ready``


class Outcome(enum.Enum):
    READY = "ready"
    CONTINUED = "continued"  # out of time: a continue message carries on from the checkpoint
    OVERTAKEN = "overtaken"  # reindexed or deleted meanwhile: what this run indexed is removed


class StageFailed(Exception):
    """A step of the pipeline failed for a reason that may pass (an outage): the message is retried."""

    def __init__(self, stage: str) -> None:
        super().__init__(stage)
        self.stage = stage


@contextmanager
def stage(name: str) -> Iterator[None]:
    try:
        yield
    except (DocumentRejected, StageFailed):
        raise
    except Exception as exc:
        raise StageFailed(name) from exc


def embed_and_index(
    chunks: Sequence[Chunk],
    *,
    embedder: Embedder,
    store: VectorStore,
    settings: Settings,
    start: int = 0,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[int], bool] | None = None,
) -> int:
    """Embed ``chunks[start:]`` in batches of ``embedding_batch_size`` and upsert them; the index of the next
    chunk to do (``len(chunks)`` when all are done).

    Before each batch ``should_stop()`` may end the loop (out of time); after each batch ``on_progress`` gets
    the next index and ends the loop by returning False. The caller has made the index (``ensure_index``).
    """
    position = start
    while position < len(chunks):
        if should_stop is not None and should_stop():
            break
        batch = chunks[position : position + settings.embedding_batch_size]
        vectors = embedder.embed_documents([chunk.text for chunk in batch])
        store.upsert(batch, vectors)
        position += len(batch)
        if on_progress is not None and not on_progress(position):
            break
    return position


def ingest(
    item: DocumentItem,
    *,
    generation: int,
    start: int,
    services: Services,
    remaining_seconds: Callable[[], float],
) -> Outcome:
    """Index the document ``item`` (already ``processing`` for ``generation``) from chunk ``start`` on.

    When ``remaining_seconds()`` drops below ``ingest_time_reserve_seconds`` before a batch (after at least
    one batch of this run, so every invocation advances), the checkpoint is recorded and a continue message
    sent; the continuation parses the object again (deterministic) and resumes at the checkpoint.
    """
    settings = services.settings
    user_id, document_id = item.user_id, item.document_id
    if settings.documents_bucket is None:
        raise StageFailed("reading the file (no documents bucket is configured)")
    with stage("reading the file from storage"):
        data = objects.read_object(
            services.s3, settings.documents_bucket, item.object_key, max_bytes=settings.document_max_bytes
        )
    with stage("reading the document's text"):
        from privategpt.rag.chunking import split
        from privategpt.rag.parsing import parse

        parsed = parse(data, declared_type=item.content_type, filename=item.filename, settings=settings)
        detected_type = parsed.content_type
        chunks = split(parsed, document_id=document_id, owner_id=user_id, filename=item.filename, settings=settings)
    del data
    total = len(chunks)
    embedder, store = services.embedder, services.store
    with stage("opening the search index"):
        store.ensure_index(embedder.model_id, embedder.dimension)
        if start == 0:  # a first run, a reindex or a redelivery starts clean
            store.delete_document(user_id, document_id)

    batches_done = 0
    overtaken = False

    def out_of_time() -> bool:
        return batches_done > 0 and remaining_seconds() < settings.ingest_time_reserve_seconds

    def checkpoint(next_chunk: int) -> bool:
        nonlocal batches_done, overtaken
        batches_done += 1
        progress = min(_ALMOST_DONE, next_chunk * 100 // total)
        overtaken = not documents.record_progress(
            user_id, document_id, generation, progress=progress, next_chunk=next_chunk, chunks=total, pages=parsed.pages
        )
        return not overtaken

    can_continue = settings.ingest_queue_url is not None
    with stage("embedding and indexing the text"):
        next_chunk = embed_and_index(
            chunks,
            embedder=embedder,
            store=store,
            settings=settings,
            start=start,
            should_stop=out_of_time if can_continue else None,
            on_progress=checkpoint,
        )
    if overtaken:
        return _overtaken(item, services)
    if next_chunk < total:
        with stage("scheduling the rest of the document"):
            assert settings.ingest_queue_url is not None  # out_of_time is only asked when it is set
            services.sqs.send_message(
                QueueUrl=settings.ingest_queue_url,
                MessageBody=continue_body(user_id, document_id, generation, next_chunk),
            )
        logger.info("ingestion continues", extra={"document_id": document_id, "next_chunk": next_chunk})
        return Outcome.CONTINUED
    with stage("saving the document's status"):
        ready = documents.mark_ready(
            user_id,
            document_id,
            generation,
            pages=parsed.pages,
            chunks=total,
            embedding_model=embedder.model_id,
            detected_type=detected_type,
        )
    if not ready:
        return _overtaken(item, services)
    logger.info("document ready", extra={"document_id": document_id, "chunks": total, "pages": parsed.pages})
    return Outcome.READY


def _overtaken(item: DocumentItem, services: Services) -> Outcome:
    """A write found the document changed meanwhile. Deleted (or being deleted): this run's chunks go. Reindexed,
    or finished by a concurrent delivery of the same message: the chunks are that run's too, so they stay."""
    with stage("removing the chunks of a document deleted meanwhile"):
        current = documents.find(item.user_id, item.document_id)
        if current is None or current.status == documents.DELETING:
            services.store.delete_document(item.user_id, item.document_id)
    logger.info("ingestion overtaken by a reindex or delete", extra={"document_id": item.document_id})
    return Outcome.OVERTAKEN
