"""Documents for their owner: creating one with its presigned upload, listing, reading, deleting, reindexing,
and the search behind ``POST /api/documents/search``. Synchronous (DynamoDB, S3, SQS): the router runs these
in the thread pool; ``search`` is async (``rag.search``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from privategpt.auth.principal import Principal
from privategpt.documents import s3
from privategpt.documents.schemas import (
    DocumentCreate,
    DocumentCreated,
    DocumentOut,
    DocumentPage,
    SearchRequest,
    SearchResponse,
    SearchResult,
    UploadOut,
)
from privategpt.errors import AppError, Conflict, PayloadTooLarge, ServiceUnavailable, ValidationFailed, check_length
from privategpt.rag import search as rag_search
from privategpt.settings import Settings
from privategpt.storage import documents
from privategpt.storage.ids import new_id
from privategpt.storage.models import DocumentItem

UPLOAD_EXPIRED = "upload_expired"
UPLOAD_EXPIRED_REASON = "the upload did not arrive before its URL expired"
_BLANK_FILENAME_CHARS = " ."


class UnsupportedMediaType(AppError):
    status_code: ClassVar[int] = 415
    code: ClassVar[str] = "unsupported_media_type"


@contextmanager
def _aws(what: str) -> Iterator[None]:
    """S3 or SQS unreachable or refusing: a 503 in the one error shape, naming what failed."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable(f"{what} failed: the document storage cannot be reached") from exc


def upload_expired(item: DocumentItem, settings: Settings, now: datetime | None = None) -> bool:
    """An upload that never arrived: still ``uploading`` well after its URL expired."""
    if item.status != documents.UPLOADING:
        return False
    window = timedelta(seconds=settings.document_upload_url_seconds + settings.document_upload_grace_seconds)
    return (now or datetime.now(UTC)) > item.created_at + window


def document_out(item: DocumentItem, settings: Settings) -> DocumentOut:
    status, error, error_code = item.status, item.error, item.error_code
    if upload_expired(item, settings):
        status, error, error_code = documents.FAILED, UPLOAD_EXPIRED_REASON, UPLOAD_EXPIRED
    return DocumentOut(
        id=item.document_id,
        filename=item.filename,
        content_type=item.content_type,
        size=int(item.size),
        status=status,
        progress=int(item.progress),
        pages=int(item.pages) if item.pages is not None else None,
        chunks=int(item.chunks),
        error=error,
        error_code=error_code,
        embedding_model=item.embedding_model,
        created_at=item.created_at,
        updated_at=item.updated_at,
        ready_at=item.ready_at,
    )


def _check_new(body: DocumentCreate, settings: Settings) -> tuple[str, str]:
    """The trimmed file name and the normalised content type, or the 4xx that says what is wrong."""
    check_length("filename", body.filename, settings.document_max_filename_chars)
    filename = body.filename.strip()
    if not filename.strip(_BLANK_FILENAME_CHARS):
        raise ValidationFailed("filename must name a file", details={"field": "filename"})
    content_type = body.content_type.strip().lower()
    allowed = [allowed.lower() for allowed in settings.document_allowed_types]
    if content_type not in allowed:
        raise UnsupportedMediaType(
            f"documents of type {body.content_type!r} are not accepted",
            details={"field": "content_type", "allowed": settings.document_allowed_types},
        )
    if body.size > settings.document_max_bytes:
        raise PayloadTooLarge(
            f"a document may be at most {settings.document_max_bytes} bytes",
            details={"field": "size", "limit": settings.document_max_bytes, "size": body.size},
        )
    return filename, content_type


def create(principal: Principal, body: DocumentCreate, settings: Settings) -> DocumentCreated:
    s3.bucket(settings)
    filename, content_type = _check_new(body, settings)
    limit = settings.max_documents_per_owner
    if documents.count(principal.user_id) >= limit:
        raise Conflict(f"you have {limit} documents, the most allowed: delete one first", details={"limit": limit})
    document_id = new_id()
    key = documents.object_key(principal.user_id, document_id)
    with _aws("signing the upload"):
        upload = s3.presigned_upload(settings, key, content_type=content_type, size=body.size)
    item = documents.create(
        principal.user_id, document_id=document_id, filename=filename, content_type=content_type, size=body.size
    )
    return DocumentCreated(
        document=document_out(item, settings),
        upload=UploadOut(url=upload.url, fields=upload.fields, expires_at=upload.expires_at),
    )


def list_documents(principal: Principal, limit: int, cursor: str | None, settings: Settings) -> DocumentPage:
    page = documents.list_page(principal.user_id, limit=limit, cursor=cursor)
    return DocumentPage(items=[document_out(item, settings) for item in page.items], next_cursor=page.next_cursor)


def get(principal: Principal, document_id: str, settings: Settings) -> DocumentOut:
    return document_out(documents.get(principal.user_id, document_id), settings)


def delete(principal: Principal, document_id: str, settings: Settings) -> None:
    """Mark it deleting (it disappears at once), then remove its upload, its chunks and its item, in that
    order: a delete interrupted midway is repeated by the next one, which completes it."""
    s3.bucket(settings)
    item = documents.begin_delete(principal.user_id, document_id)
    with _aws("deleting the upload"):
        s3.delete_object(settings, item.object_key)
    from privategpt.rag.stores import store_for  # the vector store loads with the first delete that needs it

    store_for(settings).delete_document(principal.user_id, item.document_id)
    documents.remove(principal.user_id, item.document_id)


def reindex(principal: Principal, document_id: str, settings: Settings) -> DocumentOut:
    """The next generation of the document's chunks, built by ingestion from the stored upload."""
    s3.bucket(settings)
    if not settings.ingest_queue_url:
        raise ServiceUnavailable("document ingestion is not configured")
    item = documents.begin_reindex(principal.user_id, document_id)
    with _aws("queueing the reindex"):
        s3.send_reindex(settings, principal.user_id, item.document_id, int(item.generation))
    return document_out(item, settings)


def check_search(principal: Principal, body: SearchRequest, settings: Settings) -> list[str] | None:
    """The request's limits, and its document ids all the caller's (else 404, naming none of them)."""
    check_length("query", body.query, settings.max_search_query_chars)
    if body.top_k is not None and body.top_k > settings.rag_max_top_k:
        raise ValidationFailed(
            f"top_k is at most {settings.rag_max_top_k}", details={"field": "top_k", "limit": settings.rag_max_top_k}
        )
    if body.document_ids is None:
        return None
    if len(body.document_ids) > settings.rag_max_document_ids:
        raise ValidationFailed(
            f"document_ids holds at most {settings.rag_max_document_ids} ids",
            details={"field": "document_ids", "limit": settings.rag_max_document_ids},
        )
    wanted = list(dict.fromkeys(body.document_ids))
    if documents.existing(principal.user_id, wanted) != set(wanted):
        raise documents.not_found()
    return wanted


async def search(
    principal: Principal, body: SearchRequest, document_ids: list[str] | None, settings: Settings
) -> SearchResponse:
    mode = body.mode or settings.rag_default_mode
    hits = await rag_search.search(
        settings,
        principal.user_id,
        query=body.query,
        top_k=body.top_k or settings.rag_default_top_k,
        mode=mode,
        document_ids=document_ids,
    )
    results = [
        SearchResult(
            chunk_id=hit.chunk_id,
            document_id=hit.document_id,
            filename=hit.filename,
            page=hit.page,
            heading=hit.heading,
            score=hit.score,
            text=hit.text,
        )
        for hit in hits
    ]
    return SearchResponse(results=results, mode=mode)
