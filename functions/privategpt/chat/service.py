"""Chat: one reply to a message, whole (``send``) or streamed in two phases (``prepare_stream`` + ``open_stream``).

Every reply is the same pipeline: accept (early checks: conversation, model, context window; nothing stored
yet) → build the context (``chat/context.py``) → save the user message (``chat/persist.py``) → call the
provider → relay its events (``chat/relay.py``, streaming) → save the reply with its usage before the client
hears ``done``. A reply that breaks off is saved with what arrived (``incomplete``, or ``error`` when nothing).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.chat import persist, plan
from privategpt.chat.context import plan_quick, plan_turn
from privategpt.chat.contributors import RagRequest, ToolChoice
from privategpt.chat.persist import Reply
from privategpt.chat.plan import Turn
from privategpt.chat.relay import stream_events, usage_view
from privategpt.chat.schemas import (
    QuickChat,
    QuickResult,
    SendMessage,
    SendResult,
    StreamTicket,
    UsageOut,
)
from privategpt.chat.tags import split
from privategpt.chat.tool_context import bounded
from privategpt.chat.tool_loop import ToolLoop, running
from privategpt.conversations.schemas import SourceOut
from privategpt.conversations.service import check_tools, conversation_out, message_out
from privategpt.errors import AppError, NotFound, ValidationFailed, check_length
from privategpt.llm.errors import ContextTooLong
from privategpt.llm.provider import collect
from privategpt.llm.service import LLMService
from privategpt.llm.types import ChatMessage, ChatOptions
from privategpt.settings import Settings
from privategpt.storage import streams
from privategpt.storage.ids import new_id
from privategpt.storage.models import ConversationItem, MessageItem

if TYPE_CHECKING:
    from privategpt.tools.client.catalog import ToolCatalog

__all__ = ["open_stream", "prepare_stream", "quick", "send", "stream_events"]


def _check(content: str, settings: Settings) -> None:
    check_length("content", content, settings.max_message_chars)


def _choice(tools: ToolCatalog | None, requested: list[str] | None, settings: Settings) -> ToolChoice | None:
    if requested is not None:
        check_tools(requested, settings)
    if tools is None:
        return None
    return ToolChoice(tools, tuple(requested) if requested is not None else None)


async def _accept(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    body: SendMessage,
    settings: Settings,
    tools: ToolCatalog | None,
) -> Turn:
    """Every check that can fail early, before anything is stored."""
    _check(body.content, settings)
    choice = _choice(tools, body.tools, settings)
    return await plan_turn(
        llm,
        principal,
        conversation_id,
        model_ref=body.model,
        system_prompt_id=body.system_prompt_id,
        options=body.options.to_options(),
        new=ChatMessage("user", body.content),
        rag=body.rag.to_request(settings) if body.rag else None,
        settings=settings,
        tools=choice,
    )


async def send(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    body: SendMessage,
    settings: Settings,
    tools: ToolCatalog | None = None,
) -> SendResult:
    turn = await _accept(llm, principal, conversation_id, body, settings, tools)
    user_item = await persist.save_user_message(turn, body.content, settings)
    rounds: ToolLoop | None = None
    try:
        async with running(llm, turn, tools, settings) as (rounds, events):
            model = turn.prepared.model
            # the loop's own events (tool calls started, results) pass through collect untouched
            response = await collect(events, model.provider, model.name)  # type: ignore[arg-type]
        usage = rounds.usage()
        response = replace(response, usage=usage or llm.meter(turn.prepared).settled())
    except AppError as exc:
        # a later round failed: what the earlier ones cost and the tools they ran are still recorded
        records = bounded(rounds.records, settings.max_message_chars) if rounds is not None else ()
        usage = rounds.usage() if rounds is not None else None
        failed = Reply(content="", thinking="", usage=usage, stop_reason=None, error=(exc.code, exc.message))
        await persist.save_reply(turn, replace(failed, tool_calls=records))
        raise
    content, thinking = split(response.content, settings)
    assistant = await persist.save_reply(
        turn,
        Reply(
            content=content,
            thinking=response.thinking + thinking,
            usage=response.usage,
            stop_reason=response.stop_reason,
            error=(response.error.code, response.error.message) if response.error else None,
            latency_ms=response.latency_ms,
            time_to_first_token_ms=response.time_to_first_token_ms,
            tool_calls=bounded(rounds.records, settings.max_message_chars),
        ),
    )
    return SendResult(
        conversation=conversation_out(_after(turn, user_item, assistant)),
        user_message=message_out(user_item),
        assistant_message=message_out(assistant),
    )


def _after(turn: Turn, *added: MessageItem) -> ConversationItem:
    """The conversation as read at the start of the turn, with this turn's writes applied (no re-read)."""
    assert turn.conversation is not None
    conversation = turn.conversation
    for message in added:
        conversation.message_count = int(conversation.message_count) + 1
        conversation.input_tokens = int(conversation.input_tokens) + int(message.input_tokens)
        conversation.output_tokens = int(conversation.output_tokens) + int(message.output_tokens)
        conversation.total_tokens = int(conversation.total_tokens) + int(message.total_tokens)
        conversation.updated_at = message.created_at
        if message.role == "assistant" and message.model:
            conversation.model = message.model
    return conversation


async def quick(llm: LLMService, principal: Principal, body: QuickChat, settings: Settings) -> QuickResult:
    """Stateless one-shot chat: nothing is stored but the usage."""
    if len(body.messages) > settings.max_quick_messages:
        raise ValidationFailed(
            f"at most {settings.max_quick_messages} messages", details={"limit": settings.max_quick_messages}
        )
    for message in body.messages:
        _check(message.content, settings)
    messages = tuple(ChatMessage(m.role, m.content) for m in body.messages)
    prepared, sources = await plan_quick(
        llm,
        principal,
        messages,
        model_ref=body.model,
        options=body.options.to_options(),
        rag=body.rag.to_request(settings) if body.rag else None,
        settings=settings,
    )
    response = await llm.complete(prepared)
    await persist.record_usage(principal.user_id, prepared.model, response.usage)
    content, thinking = split(response.content, settings)
    return QuickResult(
        content=content,
        thinking=response.thinking + thinking,
        model=prepared.model.id,
        provider=prepared.model.provider,
        usage=UsageOut(**usage_view(response.usage)),
        stop_reason=response.stop_reason,
        latency_ms=response.latency_ms,
        time_to_first_token_ms=response.time_to_first_token_ms,
        sources=[SourceOut(**s.view()) for s in sources] if sources is not None else None,
    )


# --- streaming ---------------------------------------------------------------------------------------


async def prepare_stream(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    body: SendMessage,
    settings: Settings,
    tools: ToolCatalog | None = None,
) -> StreamTicket:
    """Phase 1 (authenticated): every early check, then the user message and a one-use stream session (with
    the planned provider request) saved in one transaction."""
    turn = await _accept(llm, principal, conversation_id, body, settings, tools)
    token = secrets.token_urlsafe(settings.stream_token_bytes)
    user_message_id = new_id()  # fixed here, so the session names the message it is saved with
    session, expires_at = streams.session(
        token,
        user_id=principal.user_id,
        conversation_id=conversation_id,
        user_message_id=user_message_id,
        model=turn.prepared.model.id,
        system_prompt_id=turn.system_prompt_id,
        options=json.dumps(
            {
                **turn.prepared.request.options.__dict__,
                "rag": turn.rag.view() if turn.rag else None,
                "tools": body.tools,
            }
        ),
        plan=plan.encode(turn, settings.stream_plan_max_bytes),
        ttl_seconds=settings.stream_session_ttl_seconds,
    )
    await persist.save_user_message(turn, body.content, settings, message_id=user_message_id, also=[session])
    return StreamTicket(
        stream_url=f"{(settings.stream_base_url or '').rstrip('/')}/stream/{token}",
        token=token,
        expires_at=expires_at,
        conversation_id=conversation_id,
        user_message_id=user_message_id,
    )


_MAX_TOKEN_CHARS = 128
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


async def open_stream(llm: LLMService, token: str, settings: Settings, tools: ToolCatalog | None = None) -> Turn:
    """Phase 2, before any byte is sent: use up the token (404 unknown, 410 used or expired) and take the
    planned request from the session: one DynamoDB call before the provider is asked. Errors here are still
    plain HTTP errors."""
    if not token or len(token) > _MAX_TOKEN_CHARS or not set(token) <= _TOKEN_CHARS:
        raise NotFound("unknown stream token")
    session = await run_in_threadpool(streams.consume, token)
    stored = plan.decode(session.plan) if session.plan else None
    if stored is not None:
        try:
            prepared = await llm.prepare(
                stored.model,
                stored.messages,
                tools=tuple(t.definition() for t in stored.tools),
                options=stored.options,
                prompt_tokens=stored.prompt_tokens,
            )
            return Turn(
                session.user_id,
                session.conversation_id,
                prepared,
                session.system_prompt_id,
                new_tokens=0,
                sources=stored.sources,
                tools=stored.tools,
            )
        except ContextTooLong:
            pass  # this process has learned a smaller window than phase 1 planned for: fit the history to it
    # No plan stored (too large), or it no longer fits: plan again from the conversation.
    options = json.loads(session.options)
    rag = options.pop("rag", None)
    requested = options.pop("tools", None)
    return await plan_turn(
        llm,
        Principal(user_id=session.user_id, issuer="", subject=""),
        session.conversation_id,
        model_ref=session.model,
        system_prompt_id=session.system_prompt_id,
        options=ChatOptions(**options),
        new=None,
        rag=RagRequest.from_view(rag) if rag is not None else None,
        settings=settings,
        tools=_choice(tools, requested, settings),
    )
