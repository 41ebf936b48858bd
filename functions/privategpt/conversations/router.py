from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.conversations import service
from privategpt.conversations.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    ConversationUpdate,
    MessagePage,
)
from privategpt.deps import PageDep, SettingsDep
from privategpt.errors import AUTHED, check_length, error_responses
from privategpt.llm.router import LLMDep
from privategpt.llm.service import LLMService
from privategpt.settings import Settings

router = APIRouter(prefix="/api/chat/conversations", tags=["conversations"])


async def _check_model(llm: LLMService, model: str | None, settings: Settings) -> None:
    """A conversation may only name a model the registry knows (404 ``model_not_found``, as sending does)."""
    if model is not None:
        check_length("model", model, settings.max_model_chars)  # before the 404 echoes it
        await llm.registry.resolve(model)


@router.post(
    "",
    response_model=ConversationOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, *AUTHED, 404, 413, 422),
)
async def create_conversation(
    principal: CurrentPrincipal, settings: SettingsDep, llm: LLMDep, body: ConversationCreate | None = None
) -> ConversationOut:
    await _check_model(llm, body.model if body else None, settings)
    return await run_in_threadpool(service.create, principal, body or ConversationCreate(), settings)


@router.get("", response_model=ConversationPage, responses=error_responses(400, *AUTHED, 422))
async def list_conversations(principal: CurrentPrincipal, page: PageDep) -> ConversationPage:
    """The caller's conversations, most recently updated first."""
    return await run_in_threadpool(service.list_conversations, principal, page.limit, page.cursor)


@router.get("/{conversation_id}", response_model=ConversationDetail, responses=error_responses(*AUTHED, 404))
async def get_conversation(
    conversation_id: str, principal: CurrentPrincipal, settings: SettingsDep
) -> ConversationDetail:
    """The conversation with its first messages in order (``messages_next_cursor`` pages on)."""
    return await run_in_threadpool(service.get, principal, conversation_id, settings)


@router.patch(
    "/{conversation_id}", response_model=ConversationOut, responses=error_responses(400, *AUTHED, 404, 413, 422)
)
async def update_conversation(
    conversation_id: str, body: ConversationUpdate, principal: CurrentPrincipal, settings: SettingsDep, llm: LLMDep
) -> ConversationOut:
    await _check_model(llm, body.model, settings)
    return await run_in_threadpool(service.update, principal, conversation_id, body, settings)


@router.delete(
    "/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404, 422),
)
async def delete_conversation(
    conversation_id: str,
    principal: CurrentPrincipal,
    hard_delete: Annotated[bool, Query(description="remove it and its messages for good")] = False,
) -> Response:
    await run_in_threadpool(service.delete, principal, conversation_id, hard_delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{conversation_id}/messages", response_model=MessagePage, responses=error_responses(400, *AUTHED, 404, 422)
)
async def list_messages(conversation_id: str, principal: CurrentPrincipal, page: PageDep) -> MessagePage:
    return await run_in_threadpool(service.list_messages, principal, conversation_id, page.limit, page.cursor)


@router.delete(
    "/{conversation_id}/messages",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404, 422),
)
async def delete_messages(
    conversation_id: str,
    principal: CurrentPrincipal,
    from_id: Annotated[str, Query(description="this message and every later one are deleted")],
) -> Response:
    """Cut the conversation back to before a message, to regenerate a reply or edit and resend a message. Token
    totals keep what was spent."""
    await run_in_threadpool(service.delete_messages_from, principal, conversation_id, from_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
