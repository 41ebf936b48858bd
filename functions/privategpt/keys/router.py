from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.keys import service
from privategpt.keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList

router = APIRouter(prefix="/api/keys", tags=["keys"])


@router.post(
    "",
    response_model=ApiKeyCreated,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, *AUTHED, 409, 413, 422),
)
async def create_key(body: ApiKeyCreate, principal: CurrentPrincipal, settings: SettingsDep) -> ApiKeyCreated:
    """A new API key for the caller; `key` is in this response only."""
    return await run_in_threadpool(service.create, principal, body, settings)


@router.get("", response_model=ApiKeyList, responses=error_responses(*AUTHED))
async def list_keys(principal: CurrentPrincipal) -> ApiKeyList:
    """The caller's keys, newest first (name, prefix, expiry, last use; never the key)."""
    return await run_in_threadpool(service.list_keys, principal)


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404),
)
async def revoke_key(key_id: str, principal: CurrentPrincipal) -> Response:
    """Revoke a key: refused at once by this process, everywhere within PGPT_API_KEY_CACHE_SECONDS."""
    await run_in_threadpool(service.revoke, principal, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
