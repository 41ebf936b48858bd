from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import PageDep, SettingsDep
from privategpt.documents import service
from privategpt.documents.schemas import (
    DocumentCreate,
    DocumentCreated,
    DocumentOut,
    DocumentPage,
    SearchRequest,
    SearchResponse,
)
from privategpt.errors import AUTHED, ErrorResponse, ServiceUnavailable, error_responses
from privategpt.settings import Settings


def documents_configured(principal: CurrentPrincipal, settings: SettingsDep) -> Settings:
    """Without a bucket there are no documents: every route says so (503) rather than half working. After the
    token is checked (a caller without one is 401 either way; FastAPI verifies it once per request)."""
    if not settings.documents_bucket:
        raise ServiceUnavailable("documents are not configured", details={"setting": "PGPT_DOCUMENTS_BUCKET"})
    return settings


router = APIRouter(prefix="/api/documents", tags=["documents"], dependencies=[Depends(documents_configured)])

_UNSUPPORTED_TYPE: dict[int | str, dict[str, Any]] = {
    415: {
        "model": ErrorResponse,
        "description": "The content type is not one of PGPT_DOCUMENT_ALLOWED_TYPES (`unsupported_media_type`; "
        "`details.allowed` lists them)",
    }
}


@router.post(
    "",
    response_model=DocumentCreated,
    status_code=status.HTTP_201_CREATED,
    responses={**error_responses(400, *AUTHED, 409, 413, 422), **_UNSUPPORTED_TYPE},
)
async def create_document(body: DocumentCreate, principal: CurrentPrincipal, settings: SettingsDep) -> DocumentCreated:
    """A document waiting for its file, and the presigned S3 POST that uploads it (POST ``upload.fields`` and
    then the file, as multipart, to ``upload.url``). S3 takes exactly the declared size and type; the
    document then goes ``processing`` → ``ready`` (or ``failed``) on its own: poll ``GET /api/documents/{id}``."""
    return await run_in_threadpool(service.create, principal, body, settings)


@router.get("", response_model=DocumentPage, responses=error_responses(400, *AUTHED, 422))
async def list_documents(principal: CurrentPrincipal, page: PageDep, settings: SettingsDep) -> DocumentPage:
    """The caller's documents, newest first."""
    return await run_in_threadpool(service.list_documents, principal, page.limit, page.cursor, settings)


@router.post("/search", response_model=SearchResponse, responses=error_responses(400, *AUTHED, 404, 409, 422))
async def search_documents(body: SearchRequest, principal: CurrentPrincipal, settings: SettingsDep) -> SearchResponse:
    """The caller's best chunks for a query (only in ``document_ids`` when given: each must be the caller's)."""
    document_ids = await run_in_threadpool(service.check_search, principal, body, settings)
    return await service.search(principal, body, document_ids, settings)


@router.get("/{document_id}", response_model=DocumentOut, responses=error_responses(*AUTHED, 404))
async def get_document(document_id: str, principal: CurrentPrincipal, settings: SettingsDep) -> DocumentOut:
    return await run_in_threadpool(service.get, principal, document_id, settings)


@router.delete(
    "/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404),
)
async def delete_document(document_id: str, principal: CurrentPrincipal, settings: SettingsDep) -> Response:
    """The document, its upload and its chunks, gone. A delete that failed midway (503) can be sent again."""
    await run_in_threadpool(service.delete, principal, document_id, settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{document_id}/reindex",
    response_model=DocumentOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(*AUTHED, 404, 409),
)
async def reindex_document(document_id: str, principal: CurrentPrincipal, settings: SettingsDep) -> DocumentOut:
    """Parse, chunk and embed the stored upload again (after a failure, or for a new embedding model); 409 while
    the upload has not arrived."""
    return await run_in_threadpool(service.reindex, principal, document_id, settings)
