"""One SQS record of the ingestion queue: which document it is about, the pipeline run, and what is retried.

- A body that is no message of ours: logged and dropped (a retry would not make it one).
- An object that belongs to no document (deleted meanwhile, or junk): logged, the orphan object deleted, dropped.
- A stale message (older generation, document deleted): dropped.
- ``DocumentRejected``: the document ``failed`` with the parser's reason; the record succeeds (no retry).
- Anything else (S3, embedding or vector store outage): the record fails and SQS delivers it again. On the
  last delivery the queue allows (``ApproximateReceiveCount`` >= ``ingest_max_receive_count``) the document is
  first marked ``failed`` with what went wrong, then the record fails and SQS moves it to the dead-letter queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

from privategpt.observability import logger
from privategpt.rag.errors import DocumentRejected
from privategpt.rag.ingest import objects
from privategpt.rag.ingest.messages import Continue, Message, ObjectCreated, Reindex, UnknownMessage, parse_body
from privategpt.rag.ingest.pipeline import Outcome, StageFailed, ingest, stage
from privategpt.storage import documents

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from privategpt.rag.ingest.services import Services
    from privategpt.storage.models import DocumentItem

INGESTION_FAILED: Final = "ingestion_failed"
_CAUSE_CHARS: Final = 300
_MS: Final = 1000.0


class HasRemainingTime(Protocol):
    def get_remaining_time_in_millis(self) -> int: ...


def process_record(record: SQSRecord, context: HasRemainingTime, services: Services) -> None:
    """Handle one record; raising fails it (SQS delivers it again, or moves it to the dead-letter queue)."""
    try:
        messages = parse_body(record.body)
    except UnknownMessage as exc:
        logger.warning(
            "dropped an ingestion message that is not ours", extra={"message_id": record.message_id, "why": str(exc)}
        )
        return
    attempts = int(record.attributes.approximate_receive_count or 1)
    for message in messages:
        process_message(message, attempts=attempts, context=context, services=services)


def process_message(
    message: Message, *, attempts: int, context: HasRemainingTime, services: Services
) -> Outcome | None:
    """The pipeline run for one message; None when there was nothing to do (stale, orphan or rejected)."""
    target = _target(message, services)
    if target is None:
        return None
    item, generation, start = target
    try:
        return ingest(
            item,
            generation=generation,
            start=start,
            services=services,
            remaining_seconds=lambda: context.get_remaining_time_in_millis() / _MS,
        )
    except DocumentRejected as exc:
        logger.info("document rejected", extra={"document_id": item.document_id, "code": exc.code, "why": exc.reason})
        _fail(item, generation, code=exc.code, reason=exc.reason, services=services)
        return None
    except Exception as exc:
        if attempts >= services.settings.ingest_max_receive_count:
            reason = failure_reason(exc, attempts)
            logger.exception("ingestion failed for good", extra={"document_id": item.document_id, "attempts": attempts})
            _fail(item, generation, code=INGESTION_FAILED, reason=reason, services=services)
        else:
            logger.warning(
                "ingestion failed, SQS will retry",
                extra={"document_id": item.document_id, "attempts": attempts},
                exc_info=True,
            )
        raise


def failure_reason(exc: BaseException, attempts: int) -> str:
    """What the owner reads: the step that failed, the error behind it, and what to do."""
    step = exc.stage if isinstance(exc, StageFailed) else "updating the document's status"
    cause = exc.__cause__ if isinstance(exc, StageFailed) and exc.__cause__ is not None else exc
    detail = " ".join(str(cause).split())[:_CAUSE_CHARS] or type(cause).__name__
    tries = "once" if attempts == 1 else f"{attempts} times"
    return f"indexing failed {tries} while {step}: {detail}. Reindex the document to try again."


def _target(message: Message, services: Services) -> tuple[DocumentItem, int, int] | None:
    """The document (now ``processing``), its generation and the first chunk to do; None: nothing to do."""
    if isinstance(message, ObjectCreated):
        return _uploaded(message, services)
    if isinstance(message, Reindex):
        item = documents.start_processing(message.user_id, message.document_id, message.generation)
        if item is None:
            logger.info("dropped a stale reindex message", extra={"document_id": message.document_id})
            return None
        return item, message.generation, 0
    return _continued(message)


def _uploaded(message: ObjectCreated, services: Services) -> tuple[DocumentItem, int, int] | None:
    ids = documents.parse_object_key(message.key)
    item = documents.find(*ids) if ids is not None else None
    if item is None:
        logger.warning("deleting an object that belongs to no document", extra={"key": message.key})
        if services.settings.documents_bucket is not None:
            objects.delete_object(services.s3, services.settings.documents_bucket, message.key)
        return None
    if item.status == documents.DELETING:
        return None  # the delete removes the object
    generation = int(item.generation)
    started = documents.start_processing(item.user_id, item.document_id, generation)
    if started is None:
        return None
    if message.size is not None and message.size > services.settings.document_max_bytes:
        _fail(
            started,
            generation,
            code="too_large",
            services=services,
            reason=objects.too_large(message.size, services.settings.document_max_bytes).reason,
        )
        return None
    return started, generation, 0


def _continued(message: Continue) -> tuple[DocumentItem, int, int] | None:
    """A continuation does not restart (``start_processing`` would reset the progress): the document must still
    be ``processing`` in the message's generation."""
    item = documents.find(message.user_id, message.document_id)
    if item is None or item.status != documents.PROCESSING or item.generation != message.generation:
        logger.info("dropped a stale continue message", extra={"document_id": message.document_id})
        return None
    return item, message.generation, message.next_chunk


def _fail(item: DocumentItem, generation: int, *, code: str, reason: str, services: Services) -> None:
    """``failed`` with the reason; the chunks a run may have indexed go (a failed document is not searched)."""
    marked = documents.mark_failed(item.user_id, item.document_id, generation, code=code, reason=reason)
    if not marked:
        return  # reindexed or deleted meanwhile: that run or the delete owns the chunks now
    try:
        with stage("removing the chunks of a failed document"):
            services.store.delete_document(item.user_id, item.document_id)
    except StageFailed:
        logger.warning(
            "could not remove the chunks of a failed document", extra={"document_id": item.document_id}, exc_info=True
        )
