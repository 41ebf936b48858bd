"""Documents: their items, listing, and the ingestion state machine. Every function takes the owner's user id
first: it is the partition.

Status moves ``uploading`` → ``processing`` → ``ready`` or ``failed``; a reindex puts a ``ready``/``failed``
(or still ``processing``) document back to ``processing`` with the next ``generation``; ``deleting`` is final.
Ingestion writes are conditional on the status being ``processing`` and on the generation they started with,
so an ingestion overtaken by a reindex or a delete finds out on its next write (False) and stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from privategpt.clock import utcnow
from privategpt.errors import Conflict, NotFound
from privategpt.storage import cursor, table
from privategpt.storage.conversations import Page
from privategpt.storage.expressions import condition_failed
from privategpt.storage.ids import is_id, new_id
from privategpt.storage.models import DocumentItem

UPLOADING: Final = "uploading"
PROCESSING: Final = "processing"
READY: Final = "ready"
FAILED: Final = "failed"
DELETING: Final = "deleting"
STATUSES: Final = (UPLOADING, PROCESSING, READY, FAILED, DELETING)

OBJECT_PREFIX: Final = "documents/"
COMPLETE_PROGRESS: Final = 100

_LIST_FIELDS = (table.SK,)
# What ``existing`` reads of each document: its keys, the discriminator and the status.
_EXISTING_ATTRIBUTES = [table.PK, table.SK, table.KIND_ATTRIBUTE, "document_id", "status"]

__all__ = [
    "DELETING",
    "FAILED",
    "PROCESSING",
    "READY",
    "STATUSES",
    "UPLOADING",
    "Page",
    "begin_delete",
    "begin_reindex",
    "count",
    "create",
    "existing",
    "find",
    "get",
    "has_any",
    "list_page",
    "mark_failed",
    "mark_ready",
    "not_found",
    "object_key",
    "parse_object_key",
    "record_progress",
    "remove",
    "start_processing",
]


def not_found() -> NotFound:
    return NotFound("document not found")


def object_key(user_id: str, document_id: str) -> str:
    """The S3 key of a document's upload: ``documents/<user_id>/<document_id>``."""
    return f"{OBJECT_PREFIX}{user_id}/{document_id}"


def parse_object_key(key: str) -> tuple[str, str] | None:
    """``(user_id, document_id)`` of an object key made by ``object_key``; None for any other key."""
    if not key.startswith(OBJECT_PREFIX):
        return None
    parts = key[len(OBJECT_PREFIX) :].split("/")
    if len(parts) != 2:
        return None
    user_id, document_id = parts
    if not user_id or not is_id(document_id):
        return None
    return user_id, document_id


def _key(user_id: str, document_id: str) -> tuple[str, str]:
    if not is_id(document_id):
        raise not_found()
    return table.user_pk(user_id), table.document_sk(document_id)


def _item(user_id: str, document_id: str) -> DocumentItem:
    return DocumentItem(*_key(user_id, document_id))


def create(
    user_id: str, *, document_id: str | None = None, filename: str, content_type: str, size: int
) -> DocumentItem:
    """A new document waiting for its upload (status ``uploading``, generation 1)."""
    now = utcnow()
    document_id = document_id or new_id()
    item = DocumentItem(
        *_key(user_id, document_id),
        document_id=document_id,
        user_id=user_id,
        filename=filename,
        content_type=content_type,
        size=size,
        object_key=object_key(user_id, document_id),
        status=UPLOADING,
        progress=0,
        chunks=0,
        next_chunk=0,
        generation=1,
        created_at=now,
        updated_at=now,
    )
    item.save(condition=DocumentItem.sk.does_not_exist())
    return item


def find(user_id: str, document_id: str) -> DocumentItem | None:
    """The document in whatever status (ingestion's read), None if there is none."""
    if not is_id(document_id):
        return None
    try:
        return DocumentItem.get(*_key(user_id, document_id), consistent_read=True)
    except DocumentItem.DoesNotExist:
        return None


def get(user_id: str, document_id: str) -> DocumentItem:
    """The caller's document; NotFound when missing, another user's (it is not in this partition) or deleting."""
    item = find(user_id, document_id)
    if item is None or item.status == DELETING:
        raise not_found()
    return item


def list_page(user_id: str, *, limit: int, cursor: str | None) -> Page[DocumentItem]:
    """The user's documents, newest first (ids are time-ordered); documents being deleted are left out."""
    pk = table.user_pk(user_id)
    start = _decode_cursor(cursor, pk)
    results = DocumentItem.query(
        pk,
        DocumentItem.sk.startswith(table.DOCUMENT_PREFIX),
        filter_condition=DocumentItem.status != DELETING,
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start,
        consistent_read=True,
    )
    items = [item for item in results if isinstance(item, DocumentItem)]
    return Page(items, _encode_cursor(results.last_evaluated_key, pk))


def _decode_cursor(value: str | None, pk: str) -> dict[str, dict[str, Any]] | None:
    return cursor.decode(value, _LIST_FIELDS, prefixes=(table.DOCUMENT_PREFIX,), fixed={table.PK: pk}, scope=pk)


def _encode_cursor(last_evaluated_key: dict[str, dict[str, Any]] | None, pk: str) -> str | None:
    return cursor.encode(last_evaluated_key, _LIST_FIELDS, scope=pk)


def count(user_id: str) -> int:
    """How many documents the user has (any status), for the per-owner cap."""
    return DocumentItem.count(
        table.user_pk(user_id), DocumentItem.sk.startswith(table.DOCUMENT_PREFIX), consistent_read=True
    )


def has_any(user_id: str) -> bool:
    """Whether the user has any document at all (one read of one key): a search of nothing is answered early."""
    results = DocumentItem.query(
        table.user_pk(user_id),
        DocumentItem.sk.startswith(table.DOCUMENT_PREFIX),
        limit=1,
        attributes_to_get=[table.PK, table.SK, table.KIND_ATTRIBUTE],
    )
    return next(iter(results), None) is not None


def _update(item: DocumentItem, actions: Sequence[Action], condition: Condition) -> bool:
    """Apply a conditional update (the item takes the new values); False when the condition did not hold."""
    try:
        item.update(actions=[*actions, DocumentItem.updated_at.set(utcnow())], condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _of_generation(generation: int) -> Condition:
    condition: Condition = DocumentItem.sk.exists() & (DocumentItem.generation == generation)
    return condition


def _ingesting(generation: int) -> Condition:
    condition: Condition = _of_generation(generation) & (DocumentItem.status == PROCESSING)
    return condition


def start_processing(user_id: str, document_id: str, generation: int) -> DocumentItem | None:
    """Ingestion begins (``processing``, progress 0, ``uploaded_at`` set the first time, error cleared).

    None when the document is gone, being deleted, or of another generation: the message is stale."""
    if not is_id(document_id):
        return None
    item = _item(user_id, document_id)
    actions = [
        DocumentItem.status.set(PROCESSING),
        DocumentItem.progress.set(0),
        DocumentItem.uploaded_at.set(DocumentItem.uploaded_at | utcnow()),
        DocumentItem.error.remove(),
        DocumentItem.error_code.remove(),
    ]
    if not _update(item, actions, _of_generation(generation) & (DocumentItem.status != DELETING)):
        return None
    return item


def record_progress(
    user_id: str, document_id: str, generation: int, *, progress: int, next_chunk: int, chunks: int, pages: int | None
) -> bool:
    """A checkpoint of a running ingestion; False when it was overtaken (reindexed, deleted, gone)."""
    if not is_id(document_id):
        return False
    actions = [
        DocumentItem.progress.set(progress),
        DocumentItem.next_chunk.set(next_chunk),
        DocumentItem.chunks.set(chunks),
        DocumentItem.pages.set(pages) if pages is not None else DocumentItem.pages.remove(),
    ]
    return _update(_item(user_id, document_id), actions, _ingesting(generation))


def mark_ready(
    user_id: str,
    document_id: str,
    generation: int,
    *,
    pages: int | None,
    chunks: int,
    embedding_model: str,
    detected_type: str | None,
) -> bool:
    """Ingestion done (from ``processing`` of this generation only); False when it was overtaken."""
    if not is_id(document_id):
        return False
    actions = [
        DocumentItem.status.set(READY),
        DocumentItem.progress.set(COMPLETE_PROGRESS),
        DocumentItem.chunks.set(chunks),
        DocumentItem.next_chunk.set(chunks),
        DocumentItem.pages.set(pages) if pages is not None else DocumentItem.pages.remove(),
        DocumentItem.embedding_model.set(embedding_model),
        DocumentItem.detected_type.set(detected_type) if detected_type else DocumentItem.detected_type.remove(),
        DocumentItem.ready_at.set(utcnow()),
        DocumentItem.error.remove(),
        DocumentItem.error_code.remove(),
    ]
    return _update(_item(user_id, document_id), actions, _ingesting(generation))


def mark_failed(user_id: str, document_id: str, generation: int, *, code: str, reason: str) -> bool:
    """Ingestion gave up (from ``processing`` of this generation only); ``reason`` is shown to the owner."""
    if not is_id(document_id):
        return False
    actions = [DocumentItem.status.set(FAILED), DocumentItem.error.set(reason), DocumentItem.error_code.set(code)]
    return _update(_item(user_id, document_id), actions, _ingesting(generation))


def begin_reindex(user_id: str, document_id: str) -> DocumentItem:
    """The next generation starts (``processing``, progress and checkpoint 0, error cleared); an ingestion of
    the previous generation stops at its next write. NotFound if missing or deleting; Conflict while the
    upload has not arrived yet (there is nothing to index)."""
    item = _item(user_id, document_id)
    actions = [
        DocumentItem.generation.add(1),
        DocumentItem.status.set(PROCESSING),
        DocumentItem.progress.set(0),
        DocumentItem.next_chunk.set(0),
        DocumentItem.error.remove(),
        DocumentItem.error_code.remove(),
    ]
    condition = DocumentItem.sk.exists() & DocumentItem.status.is_in(PROCESSING, READY, FAILED)
    if _update(item, actions, condition):
        return item
    current = get(user_id, document_id)  # NotFound when missing or deleting
    raise Conflict(
        f"the document is still {current.status}: it can be reindexed once its upload has arrived",
        details={"status": current.status},
    )


def begin_delete(user_id: str, document_id: str) -> DocumentItem:
    """Mark the document ``deleting`` (it leaves the list and reads 404; ingestion stops). Repeatable: a delete
    interrupted after this step is completed by the next one. NotFound if missing."""
    item = _item(user_id, document_id)
    if not _update(item, [DocumentItem.status.set(DELETING)], DocumentItem.sk.exists()):
        raise not_found()
    return item


def remove(user_id: str, document_id: str) -> None:
    """The item gone for good (the last step of a delete, after its object and chunks)."""
    _item(user_id, document_id).delete()


def existing(user_id: str, document_ids: Iterable[str]) -> set[str]:
    """Which of these documents still exist and are not being deleted (one strongly consistent BatchGet per
    hundred ids: a document created a moment ago is seen)."""
    wanted = {document_id for document_id in document_ids if is_id(document_id)}
    if not wanted:
        return set()
    pk = table.user_pk(user_id)
    keys = [(pk, table.document_sk(document_id)) for document_id in sorted(wanted)]
    return {
        item.document_id
        for item in DocumentItem.batch_get(keys, consistent_read=True, attributes_to_get=_EXISTING_ATTRIBUTES)
        if isinstance(item, DocumentItem) and item.status != DELETING
    }
