from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.prompts import service
from privategpt.prompts.schemas import PromptCreate, PromptIn, PromptList, PromptOut

router = APIRouter(prefix="/api/prompts", tags=["prompts"])


@router.get("", response_model=PromptList, responses=error_responses(*AUTHED))
async def list_prompts(principal: CurrentPrincipal, settings: SettingsDep) -> PromptList:
    """The caller's prompts, then the global ones."""
    return await run_in_threadpool(service.list_prompts, principal, settings)


@router.post(
    "",
    response_model=PromptOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, *AUTHED, 409, 413, 422),
)
async def create_prompt(body: PromptCreate, principal: CurrentPrincipal, settings: SettingsDep) -> PromptOut:
    return await run_in_threadpool(service.create_prompt, principal, body, settings)


@router.get("/{prompt_id}", response_model=PromptOut, responses=error_responses(*AUTHED, 404))
async def get_prompt(prompt_id: str, principal: CurrentPrincipal) -> PromptOut:
    return await run_in_threadpool(service.get_prompt, principal, prompt_id)


@router.put("/{prompt_id}", response_model=PromptOut, responses=error_responses(400, *AUTHED, 404, 413, 422))
async def replace_prompt(
    prompt_id: str, body: PromptIn, principal: CurrentPrincipal, settings: SettingsDep
) -> PromptOut:
    return await run_in_threadpool(service.replace_prompt, principal, prompt_id, body, settings)


@router.delete(
    "/{prompt_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404),
)
async def delete_prompt(prompt_id: str, principal: CurrentPrincipal, settings: SettingsDep) -> Response:
    await run_in_threadpool(service.delete_prompt, principal, prompt_id, settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
