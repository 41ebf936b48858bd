"""Chat: one reply to a message, whole (``send``) or streamed in two phases (``prepare_stream`` + ``open_stream``).

Order of work for a reply: everything that can fail early (conversation, model, context window) is checked
before anything is stored; then the user message is saved; then the provider is called; the assistant message
is saved with the provider's usage before the client hears ``done``. A reply that breaks off is saved with
what arrived (status ``incomplete``, or ``error`` with its code when nothing did).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.chat import sse
from privategpt.chat.schemas import (
    QuickChat,
    QuickResult,
    SendMessage,
    SendResult,
    StreamTicket,
    UsageOut,
)
from privategpt.chat.tags import Content, Piece, TagParser, Thinking, UiTag
from privategpt.conversations.service import conversation_out, message_out
from privategpt.errors import AppError, NotFound, ValidationFailed, check_length
from privategpt.llm.service import LLMService, Prepared
from privategpt.llm.tokens import REPLY_PRIMING
from privategpt.llm.types import (
    ChatMessage,
    ChatOptions,
    StopReport,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCallComplete,
    Usage,
    UsageReport,
)
from privategpt.observability import logger
from privategpt.prompts import service as prompts
from privategpt.settings import Settings
from privategpt.storage import conversations as repository
from privategpt.storage import streams
from privategpt.storage.conversations import NewMessage, TokenUsage
from privategpt.storage.ids import new_id
from privategpt.storage.models import ConversationItem, MessageItem

_CONTEXT_STATUSES = {"complete", "incomplete"}
# Producer tasks outlive a client that went away (they still save the reply); keep them referenced.
_background: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class Turn:
    """A reply that passed every early check: who, where, which model, and the exact request."""

    user_id: str
    conversation: ConversationItem
    prepared: Prepared
    system_prompt_id: str | None
    new_tokens: int


async def plan_turn(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    *,
    model_ref: str | None,
    system_prompt_id: str | None,
    options: ChatOptions,
    new: ChatMessage | None,
    settings: Settings,
) -> Turn:
    """Resolve model and system prompt, fit as much history as the window allows (from stored counts),
    and check the context limit. ``new`` is the message about to be saved (None: it is already stored)."""
    conversation = await run_in_threadpool(repository.get, principal.user_id, conversation_id)
    _, model = await llm.registry.resolve(model_ref or conversation.model)
    prompt = await run_in_threadpool(
        prompts.for_model,
        principal,
        system_prompt_id or conversation.system_prompt_id,
        (model.name, model.id),
        settings,
    )
    history = await run_in_threadpool(
        repository.recent_messages, principal.user_id, conversation_id, settings.chat_history_max_messages
    )
    system = ChatMessage("system", prompt.content) if prompt is not None else None
    new_tokens = llm.count_message(model, new) if new is not None else 0
    fixed_tokens = (llm.count_message(model, system) if system else 0) + new_tokens + REPLY_PRIMING
    budget = model.context_window - llm.reserved_output(model, options) - fixed_tokens
    chosen: list[ChatMessage] = []
    used = 0
    for item in reversed(history):  # newest first, until the window is full
        if item.status not in _CONTEXT_STATUSES or not item.content or item.role not in ("user", "assistant"):
            continue
        message = ChatMessage(item.role, item.content)  # type: ignore[arg-type]
        size = int(item.token_count) or llm.count_message(model, message)
        if used + size > budget and (chosen or new is not None):
            break
        chosen.append(message)
        used += size
    messages = (*([system] if system else []), *reversed(chosen), *([new] if new else []))
    prepared = await llm.prepare(model.id, messages, options=options, prompt_tokens=fixed_tokens + used)
    return Turn(principal.user_id, conversation, prepared, prompt.prompt_id if prompt else None, new_tokens)


async def _save_user_message(turn: Turn, content: str, settings: Settings) -> MessageItem:
    conversation = turn.conversation
    item = await run_in_threadpool(
        repository.append_message,
        turn.user_id,
        conversation.conversation_id,
        NewMessage(role="user", content=content, token_count=turn.new_tokens),
    )
    if int(conversation.message_count) == 0 and conversation.title == settings.default_conversation_title:
        title = " ".join(content.split())[: settings.chat_title_max_chars].strip() or conversation.title
        await run_in_threadpool(repository.update, turn.user_id, conversation.conversation_id, {"title": title})
    return item


def _parser(settings: Settings) -> TagParser:
    return TagParser(frozenset(settings.chat_ui_tags), settings.chat_ui_tag_max_chars)


def _split(text: str, settings: Settings) -> tuple[str, str]:
    """Stored content (UI tags kept as written) and thinking, from text that may carry <think> blocks."""
    parser = _parser(settings)
    content, thinking = [], []
    for piece in [*parser.feed(text), *parser.flush()]:
        if isinstance(piece, Thinking):
            thinking.append(piece.text)
        else:
            content.append(piece.raw if isinstance(piece, UiTag) else piece.text)
    return "".join(content), "".join(thinking)


def _check(content: str, settings: Settings) -> None:
    check_length("content", content, settings.max_message_chars)


async def _accept(
    llm: LLMService, principal: Principal, conversation_id: str, body: SendMessage, settings: Settings
) -> tuple[Turn, MessageItem]:
    """The early checks for a new message, then the message saved: the start of every reply."""
    _check(body.content, settings)
    turn = await plan_turn(
        llm,
        principal,
        conversation_id,
        model_ref=body.model,
        system_prompt_id=body.system_prompt_id,
        options=body.options.to_options(),
        new=ChatMessage("user", body.content),
        settings=settings,
    )
    return turn, await _save_user_message(turn, body.content, settings)


async def send(
    llm: LLMService, principal: Principal, conversation_id: str, body: SendMessage, settings: Settings
) -> SendResult:
    turn, user_item = await _accept(llm, principal, conversation_id, body, settings)
    model = turn.prepared.model
    try:
        response = await llm.complete(turn.prepared, user_id=principal.user_id)
    except AppError as exc:
        await run_in_threadpool(
            repository.append_message,
            turn.user_id,
            conversation_id,
            NewMessage(
                role="assistant",
                content="",
                model=model.id,
                provider=model.provider,
                status="error",
                error_code=exc.code,
            ),
        )
        raise
    content, thinking = _split(response.content, settings)
    assistant = await run_in_threadpool(
        repository.append_message,
        turn.user_id,
        conversation_id,
        NewMessage(
            role="assistant",
            content=content,
            thinking="".join([response.thinking, thinking]),
            model=model.id,
            provider=model.provider,
            usage=TokenUsage(response.usage.input_tokens, response.usage.output_tokens),
            token_count=response.usage.output_tokens,
            status="incomplete" if response.error else "complete",
            stop_reason=response.stop_reason,
            error_code=response.error.code if response.error else None,
            latency_ms=response.latency_ms,
            time_to_first_token_ms=response.time_to_first_token_ms,
        ),
    )
    conversation = await run_in_threadpool(repository.get, principal.user_id, conversation_id)
    return SendResult(
        conversation=conversation_out(conversation),
        user_message=message_out(user_item),
        assistant_message=message_out(assistant),
    )


async def quick(llm: LLMService, principal: Principal, body: QuickChat, settings: Settings) -> QuickResult:
    """Stateless one-shot chat: nothing is stored but the usage."""
    if len(body.messages) > settings.max_quick_messages:
        raise ValidationFailed(
            f"at most {settings.max_quick_messages} messages", details={"limit": settings.max_quick_messages}
        )
    for message in body.messages:
        _check(message.content, settings)
    messages = tuple(ChatMessage(m.role, m.content) for m in body.messages)
    prepared = await llm.prepare(body.model, messages, options=body.options.to_options())
    response = await llm.complete(prepared, user_id=principal.user_id)
    content, thinking = _split(response.content, settings)
    return QuickResult(
        content=content,
        thinking=response.thinking + thinking,
        model=prepared.model.id,
        provider=prepared.model.provider,
        usage=UsageOut(
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            total_tokens=response.usage.total_tokens,
        ),
        stop_reason=response.stop_reason,
        latency_ms=response.latency_ms,
        time_to_first_token_ms=response.time_to_first_token_ms,
    )


# --- streaming ---------------------------------------------------------------------------------------


async def prepare_stream(
    llm: LLMService, principal: Principal, conversation_id: str, body: SendMessage, settings: Settings
) -> StreamTicket:
    """Phase 1 (authenticated): every early check, the user message saved, a one-use stream token."""
    turn, user_item = await _accept(llm, principal, conversation_id, body, settings)
    token = secrets.token_urlsafe(settings.stream_token_bytes)
    expires_at = await run_in_threadpool(
        streams.create,
        token,
        user_id=principal.user_id,
        conversation_id=conversation_id,
        user_message_id=user_item.message_id,
        model=turn.prepared.model.id,
        system_prompt_id=turn.system_prompt_id,
        options=json.dumps(turn.prepared.request.options.__dict__),
        ttl_seconds=settings.stream_session_ttl_seconds,
    )
    return StreamTicket(
        stream_url=f"{(settings.stream_base_url or '').rstrip('/')}/stream/{token}",
        token=token,
        expires_at=expires_at,
        conversation_id=conversation_id,
        user_message_id=user_item.message_id,
    )


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


async def open_stream(llm: LLMService, token: str, settings: Settings) -> Turn:
    """Phase 2, before any byte is sent: use up the token (404 unknown, 410 used or expired) and plan again
    from what is stored. Errors here are still plain HTTP errors."""
    if not token or len(token) > 128 or not set(token) <= _TOKEN_CHARS:
        raise NotFound("unknown stream token")
    session = await run_in_threadpool(streams.consume, token)
    principal = Principal(user_id=session.user_id, issuer="", subject="")
    options = ChatOptions(**json.loads(session.options))
    return await plan_turn(
        llm,
        principal,
        session.conversation_id,
        model_ref=session.model,
        system_prompt_id=session.system_prompt_id,
        options=options,
        new=None,
        settings=settings,
    )


@dataclass
class _Reply:
    """What the producer has gathered so far."""

    message_id: str = field(default_factory=new_id)
    content: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    usage: Usage | None = None
    stop_reason: str | None = None
    error: tuple[str, str] | None = None
    first_output: float | None = None


async def stream_events(llm: LLMService, turn: Turn, settings: Settings) -> AsyncIterator[bytes]:
    """Phase 2's body. A producer task reads the provider and saves the reply; this generator only relays
    its events (and heartbeats). If the client goes away the producer stops reading and saves what came."""
    queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
    gone = asyncio.Event()
    reply = _Reply()
    model = turn.prepared.model
    task = asyncio.get_running_loop().create_task(_produce(llm, turn, reply, queue, gone, settings))
    _background.add(task)
    task.add_done_callback(_background.discard)
    sequence = 1
    try:
        start = {
            "message_id": reply.message_id,
            "conversation_id": turn.conversation.conversation_id,
            "model": model.id,
        }
        yield sse.event(sequence, "start", start)
        while True:
            try:
                async with asyncio.timeout(settings.stream_heartbeat_seconds):
                    item = await queue.get()
            except TimeoutError:
                yield sse.HEARTBEAT
                continue
            # Whatever else is already queued goes out in the same write: one send per wake-up, not per event.
            batch: list[bytes] = []
            while item is not None:
                sequence += 1
                batch.append(sse.event(sequence, *item))
                if queue.empty():
                    break
                item = queue.get_nowait()
            if batch:
                yield b"".join(batch)
            if item is None:
                return
    finally:
        gone.set()


async def _produce(
    llm: LLMService,
    turn: Turn,
    reply: _Reply,
    queue: asyncio.Queue[tuple[str, dict[str, Any]] | None],
    gone: asyncio.Event,
    settings: Settings,
) -> None:
    started = time.perf_counter()
    parser = _parser(settings)

    def emit(pieces: list[Piece]) -> None:
        for piece in pieces:
            if isinstance(piece, Thinking):
                reply.thinking.append(piece.text)
                queue.put_nowait(("thinking", {"delta": piece.text}))
            elif isinstance(piece, Content):
                reply.content.append(piece.text)
                queue.put_nowait(("content", {"delta": piece.text}))
            else:
                reply.content.append(piece.raw)
                queue.put_nowait(("ui", {"tag": piece.tag, "attrs": piece.attrs, "content": piece.content}))

    try:
        async with aclosing(llm.stream(turn.prepared, user_id=turn.user_id)) as events:
            async for event in events:
                if gone.is_set():
                    reply.stop_reason = "client_disconnected"
                    break
                if isinstance(event, TextDelta | ThinkingDelta) and reply.first_output is None:
                    reply.first_output = time.perf_counter()
                if isinstance(event, TextDelta):
                    emit(parser.feed(event.text))
                elif isinstance(event, ThinkingDelta):
                    emit([Thinking(event.text)])
                elif isinstance(event, ToolCallComplete):
                    call = event.call
                    queue.put_nowait(("tool_call", {"id": call.id, "name": call.name, "arguments": call.arguments}))
                elif isinstance(event, UsageReport):
                    reply.usage = event.usage
                    queue.put_nowait(("usage", _usage(event.usage)))
                elif isinstance(event, StopReport):
                    reply.stop_reason = event.reason
                elif isinstance(event, StreamFailure):
                    reply.error = (event.code, event.message)
    except AppError as exc:
        reply.error = (exc.code, exc.message)
    except Exception:
        logger.exception("stream failed")
        reply.error = ("internal_error", "the reply failed")
    finally:
        emit(parser.flush())
        try:
            message = await _save_reply(llm, turn, reply, started)
            done = {
                "message_id": reply.message_id,
                "usage": _usage(Usage(int(message.input_tokens), int(message.output_tokens))),
                "stop_reason": message.stop_reason,
            }
        except Exception as exc:  # e.g. the conversation was purged meanwhile: still end the stream
            logger.exception("reply not saved")
            code = exc.code if isinstance(exc, AppError) else "internal_error"
            reply.error = reply.error or (code, "the reply could not be saved")
            done = {"message_id": reply.message_id, "usage": _usage(reply.usage or Usage()), "stop_reason": "error"}
        if reply.error is not None:
            queue.put_nowait(("error", {"code": reply.error[0], "message": reply.error[1]}))
        queue.put_nowait(("done", done))
        queue.put_nowait(None)


async def _save_reply(llm: LLMService, turn: Turn, reply: _Reply, started: float) -> MessageItem:
    model = turn.prepared.model
    content, thinking = "".join(reply.content), "".join(reply.thinking)
    finished = reply.error is None and reply.stop_reason not in (None, "client_disconnected")
    if finished:
        status = "complete"
    elif content or thinking:
        status = "incomplete"
    else:
        status = "error"
    usage_now = reply.usage
    if usage_now is None:
        # The provider never reported usage (the reply broke off): count what we sent and what came back.
        output = llm.count_message(model, ChatMessage("assistant", content + thinking)) if content or thinking else 0
        usage_now = Usage(turn.prepared.prompt_tokens, output)
        await llm.record_usage(turn.user_id, model, usage_now)
    first = reply.first_output
    return await run_in_threadpool(
        repository.append_message,
        turn.user_id,
        turn.conversation.conversation_id,
        NewMessage(
            role="assistant",
            content=content,
            thinking=thinking,
            model=model.id,
            provider=model.provider,
            usage=TokenUsage(usage_now.input_tokens, usage_now.output_tokens),
            token_count=usage_now.output_tokens,
            status=status,
            stop_reason=reply.stop_reason if reply.error is None else "error",
            error_code=reply.error[0] if reply.error else None,
            latency_ms=(time.perf_counter() - started) * 1000,
            time_to_first_token_ms=(first - started) * 1000 if first is not None else None,
            message_id=reply.message_id,
        ),
    )


def _usage(value: Usage) -> dict[str, int]:
    return {
        "input_tokens": value.input_tokens,
        "output_tokens": value.output_tokens,
        "total_tokens": value.total_tokens,
    }
