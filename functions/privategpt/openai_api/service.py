"""Chat completions: OpenAI's request in, the chat pipeline's parts, OpenAI's response out.

Not a second chat implementation: a completion is a quick chat (``chat.context.plan_quick``: the caller's
messages whole, the sources contributor when ``rag`` asks, the 413 check), one provider call through
``LLMService`` (retries, timeouts, the concurrency cap), usage metered as chat meters it and recorded by
``chat.persist`` (with the conversation, when ``store`` asks). Client-side tools go to the provider as they are:
the model's calls come back to the caller, who runs them and sends the results as ``tool`` messages.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from privategpt.auth.principal import Principal
from privategpt.chat import persist
from privategpt.chat.context import plan_quick
from privategpt.chat.contributors.sources import Source
from privategpt.chat.persist import Reply
from privategpt.chat.schemas import RagIn
from privategpt.chat.tags import Content, Piece, Thinking, parser_for, split
from privategpt.errors import AppError, ValidationFailed, check_length
from privategpt.llm.provider import new_call_id
from privategpt.llm.router import default_model
from privategpt.llm.service import LLMService, Prepared
from privategpt.llm.types import (
    ChatMessage,
    ChatOptions,
    StopReport,
    StreamEvent,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCallComplete,
    ToolCallDelta,
)
from privategpt.observability import logger
from privategpt.openai_api import responses, store
from privategpt.openai_api.errors import stream_error
from privategpt.openai_api.messages import to_chat, tool_definitions
from privategpt.openai_api.schemas import ChatCompletionRequest
from privategpt.settings import Settings

_NO_THINKING = frozenset({"none", "minimal"})
_ID_BYTES = 18
# Settle tasks of streams whose client left (usage is still recorded); kept referenced until done.
_background: set[asyncio.Task[None]] = set()


class ReplyFailed(AppError):
    status_code = 502
    code = "provider_error"


@dataclass(frozen=True)
class Accepted:
    """A completion that passed every early check: the planned provider request and what to answer with."""

    id: str
    created: int
    principal: Principal
    prepared: Prepared
    sources: tuple[Source, ...] | None
    messages: tuple[ChatMessage, ...]  # as the caller sent them (``store`` saves them)
    store: bool
    include_usage: bool

    def extensions(self, conversation_id: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sources is not None:
            out["sources"] = [s.view() for s in self.sources]
        if conversation_id is not None:
            out["conversation_id"] = conversation_id
        return out


def _rag(value: RagIn | bool | None) -> RagIn | None:
    if value is True:
        return RagIn()
    return value if isinstance(value, RagIn) else None


async def accept(llm: LLMService, principal: Principal, body: ChatCompletionRequest, settings: Settings) -> Accepted:
    limit = settings.openai_api_max_messages
    if len(body.messages) > limit:
        raise ValidationFailed(f"at most {limit} messages", details={"field": "messages", "limit": limit})
    check_length("model", body.model, settings.max_model_chars)
    # a message's size is bounded by the body cap and the model's window; one that is stored, by the message limit
    messages = to_chat(body.messages, settings.max_message_chars if body.store else None)
    rag = _rag(body.rag)
    effort = body.reasoning_effort
    options = ChatOptions(
        temperature=body.temperature,
        max_tokens=body.max_completion_tokens or body.max_tokens,
        thinking=effort is not None and effort not in _NO_THINKING,
        stop=body.stop_sequences(),
        tool_choice=body.forced_choice() if body.tools else None,
    )
    prepared, sources = await plan_quick(
        llm,
        principal,
        messages,
        model_ref=body.model or default_model(llm.registry),
        options=options,
        rag=rag.to_request(settings) if rag is not None else None,
        settings=settings,
        tools=tool_definitions(body.tools),
    )
    return Accepted(
        id=f"chatcmpl-{secrets.token_urlsafe(_ID_BYTES)}",
        created=int(time.time()),
        principal=principal,
        prepared=prepared,
        sources=sources,
        messages=messages,
        store=body.store,
        include_usage=body.stream_options is not None and body.stream_options.include_usage,
    )


async def _settle(llm: LLMService, accepted: Accepted, reply: Reply, settings: Settings) -> str | None:
    """Record what the call cost, with the conversation when ``store`` asked: the id of the stored one."""
    if accepted.store:
        return await store.save_exchange(llm, accepted, reply, settings)
    if reply.usage is not None:
        await persist.record_usage(accepted.principal.user_id, accepted.prepared.model, reply.usage)
    return None


async def complete(llm: LLMService, accepted: Accepted, settings: Settings) -> dict[str, Any]:
    response = await llm.complete(accepted.prepared)
    content, tagged = split(response.content, settings)
    thinking = response.thinking + tagged
    failure = response.error
    reply = Reply(
        content=content,
        thinking=thinking,
        usage=response.usage,
        stop_reason=response.stop_reason,
        error=(failure.code, failure.message) if failure else None,
        latency_ms=response.latency_ms,
        time_to_first_token_ms=response.time_to_first_token_ms,
    )
    conversation_id = await _settle(llm, accepted, reply, settings)
    if failure is not None:
        raise ReplyFailed(f"the reply broke off ({failure.code}): {failure.message}")
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content if content or not response.tool_calls else None,
        "refusal": None,
    }
    if thinking:
        message["reasoning_content"] = thinking
    if response.tool_calls:
        message["tool_calls"] = [responses.tool_call_view(call) for call in response.tool_calls]
    return responses.completion(
        accepted.id,
        accepted.created,
        accepted.prepared.model.id,
        message,
        response.stop_reason,
        response.usage,
        accepted.extensions(conversation_id),
    )


async def open_stream(llm: LLMService, accepted: Accepted) -> tuple[StreamEvent | None, AsyncGenerator[StreamEvent]]:
    """The provider's stream with its first event read: a failure before any output is still an HTTP error."""
    events = llm.stream(accepted.prepared)
    try:
        first = await anext(events)
    except StopAsyncIteration:
        return None, events
    except BaseException:
        await events.aclose()
        raise
    return first, events


async def stream(
    llm: LLMService,
    accepted: Accepted,
    first: StreamEvent | None,
    events: AsyncGenerator[StreamEvent],
    settings: Settings,
) -> AsyncIterator[bytes]:
    """The ``data:`` lines of a streamed completion, ``[DONE]`` last; usage is recorded before ``[DONE]`` (and
    still recorded, in the background, when the client leaves early)."""
    started = time.perf_counter()
    chunks = responses.Chunks(accepted.id, accepted.created, accepted.prepared.model.id, accepted.include_usage)
    meter = llm.meter(accepted.prepared)
    parser = parser_for(settings)
    content: list[str] = []
    thinking: list[str] = []
    announced: dict[int, str] = {}  # tool call index -> the id sent in its first delta
    completes = 0
    stop: str | None = None
    failure: StreamFailure | AppError | None = None
    first_output: float | None = None
    settled = False

    def pieces(parsed: list[Piece]) -> bytes:
        out = b""
        for piece in parsed:
            if isinstance(piece, Thinking):
                thinking.append(piece.text)
                out += chunks.delta({"reasoning_content": piece.text})
            else:
                text = piece.text if isinstance(piece, Content) else piece.raw
                content.append(text)
                out += chunks.delta({"content": text})
        return out

    def reply() -> Reply:
        error = (failure.code, failure.message) if failure is not None else None
        return Reply(
            content="".join(content),
            thinking="".join(thinking),
            usage=meter.usage(),
            stop_reason=stop if error is None else None,
            error=error,
            latency_ms=(time.perf_counter() - started) * 1000,
            time_to_first_token_ms=(first_output - started) * 1000 if first_output is not None else None,
        )

    try:
        opening = {"role": "assistant", "content": ""}
        yield chunks.delta(opening, **accepted.extensions())
        async with aclosing(events):
            pending = [first] if first is not None else []
            async for event in _chain(pending, events):
                if isinstance(event, AppError):
                    failure = event
                    break
                meter.observe(event)
                if isinstance(event, TextDelta):
                    first_output = first_output or time.perf_counter()
                    out = pieces(parser.feed(event.text))
                elif isinstance(event, ThinkingDelta):
                    first_output = first_output or time.perf_counter()
                    out = pieces([Thinking(event.text)])
                elif isinstance(event, ToolCallDelta):
                    out = chunks.delta({"tool_calls": [_call_delta(event, announced)]})
                elif isinstance(event, ToolCallComplete):
                    completes += 1
                    if completes <= len(announced):
                        continue  # its pieces went out as deltas
                    index = len(announced)  # a call the provider sent whole
                    announced[index] = event.call.id
                    out = chunks.delta({"tool_calls": [{"index": index, **responses.tool_call_view(event.call)}]})
                elif isinstance(event, StopReport):
                    stop = event.reason
                    continue
                elif isinstance(event, StreamFailure):
                    failure = event
                    continue
                else:
                    continue
                if out:
                    yield out
        tail = pieces(parser.flush())
        settled = True
        outcome = reply()
        conversation_id = await _settle(llm, accepted, outcome, settings)
        if failure is not None:
            error = failure if isinstance(failure, AppError) else ReplyFailed(f"{failure.code}: {failure.message}")
            yield tail + responses.error_line(stream_error(error))
            return
        stored = {"conversation_id": conversation_id} if conversation_id is not None else {}
        last = tail + chunks.delta({}, responses.finish_reason(stop), **stored)
        if accepted.include_usage:
            last += chunks.usage(outcome.usage or meter.settled())
        yield last + responses.DONE
    finally:
        if not settled:  # the client left (or the stream was cancelled): record what it cost all the same
            task = asyncio.get_running_loop().create_task(_settle_quietly(llm, accepted, reply(), settings))
            _background.add(task)
            task.add_done_callback(_background.discard)


async def _settle_quietly(llm: LLMService, accepted: Accepted, reply: Reply, settings: Settings) -> None:
    try:
        await _settle(llm, accepted, reply, settings)
    except Exception:
        logger.exception("usage of an abandoned completion not recorded")


async def _chain(
    pending: list[StreamEvent], events: AsyncGenerator[StreamEvent]
) -> AsyncIterator[StreamEvent | AppError]:
    """The first event already read, then the rest; a provider error after output began ends the stream as a
    value (so the caller can still answer with an error line)."""
    for event in pending:
        yield event
    try:
        async for event in events:
            yield event
    except AppError as exc:
        yield exc


def _call_delta(event: ToolCallDelta, announced: dict[int, str]) -> dict[str, Any]:
    """A streamed tool call piece: id (made here if the provider sent none), type and name in its first delta,
    then only argument text."""
    delta: dict[str, Any] = {"index": event.index}
    if event.index not in announced:
        announced[event.index] = event.id or new_call_id()
        delta.update(id=announced[event.index], type="function")
    function: dict[str, str] = {"arguments": event.arguments_delta}
    if event.name:
        function["name"] = event.name
    delta["function"] = function
    return delta
