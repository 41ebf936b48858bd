"""Phase 2's body: a producer task reads the provider and saves the reply; the response only relays events.

The producer runs the turn's rounds (``chat/tool_loop.py``: the model, its tool calls, their results, the model
again) inside one tool session, opened and closed in its own task. It outlives a client that goes away: it stops
reading the provider (closing its stream) and still saves what arrived, as ``incomplete`` with stop reason
``client_disconnected``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from privategpt.chat import sse
from privategpt.chat.persist import Reply, save_reply
from privategpt.chat.plan import Turn
from privategpt.chat.tags import Content, Piece, Thinking, parser_for
from privategpt.chat.tool_context import ToolRecord, bounded
from privategpt.chat.tool_loop import ToolCallStarted, ToolLoop, ToolResultReady, running
from privategpt.errors import AppError
from privategpt.llm.service import LLMService
from privategpt.llm.types import (
    StopReport,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    Usage,
    UsageReport,
)
from privategpt.observability import logger
from privategpt.settings import Settings
from privategpt.storage.ids import new_id

if TYPE_CHECKING:
    from privategpt.tools.client.catalog import ToolCatalog

Event = tuple[str, dict[str, Any]]
_PING: Event = ("ping", {})  # a heartbeat, queued by the timer (compared by identity)
# Producer tasks outlive a client that went away (they still save the reply); keep them referenced.
_background: set[asyncio.Task[None]] = set()


@dataclass
class _Gathered:
    """What the producer has gathered so far."""

    message_id: str = field(default_factory=new_id)
    content: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    error: tuple[str, str] | None = None
    first_output: float | None = None
    tool_calls: list[ToolRecord] = field(default_factory=list)


async def stream_events(
    llm: LLMService, turn: Turn, settings: Settings, tools: ToolCatalog | None = None
) -> AsyncIterator[bytes]:
    """The SSE bytes of one reply: ``start``, the producer's events (several per write when they queue up),
    a heartbeat after each ``PGPT_STREAM_HEARTBEAT_SECONDS`` of silence, and ``done`` last."""
    queue: asyncio.Queue[Event | None] = asyncio.Queue()
    gone = asyncio.Event()
    gathered = _Gathered()
    loop = asyncio.get_running_loop()
    task = loop.create_task(_produce(llm, turn, gathered, queue, gone, settings, tools))
    _background.add(task)
    task.add_done_callback(_background.discard)
    # One timer per quiet period, not one per event (a timeout around every wait costs ~10 us a chunk).
    heartbeat = settings.stream_heartbeat_seconds
    last_write = loop.time()
    timer: asyncio.TimerHandle | None = None

    def beat() -> None:
        nonlocal timer
        if loop.time() - last_write >= heartbeat:
            queue.put_nowait(_PING)
            timer = loop.call_later(heartbeat, beat)
        else:
            timer = loop.call_at(last_write + heartbeat, beat)

    timer = loop.call_later(heartbeat, beat)
    sequence = 1
    try:
        start = {
            "message_id": gathered.message_id,
            "conversation_id": turn.conversation_id,
            "model": turn.prepared.model.id,
        }
        opening = sse.event(sequence, "start", start)
        if turn.sources is not None:  # before the first content event, so citations resolve as they arrive
            sequence += 1
            opening += sse.event(sequence, "sources", {"sources": [s.view() for s in turn.sources]})
        yield opening
        while True:
            item = await queue.get()
            batch: list[bytes] = []
            while item is not None:
                if item is _PING:
                    batch.append(sse.HEARTBEAT)
                else:
                    sequence += 1
                    batch.append(sse.event(sequence, *item))
                if queue.empty():
                    break
                item = queue.get_nowait()
            if batch:
                last_write = loop.time()
                yield b"".join(batch)
            if item is None:
                return
    finally:
        if timer is not None:
            timer.cancel()
        gone.set()


async def _produce(
    llm: LLMService,
    turn: Turn,
    gathered: _Gathered,
    queue: asyncio.Queue[Event | None],
    gone: asyncio.Event,
    settings: Settings,
    tools: ToolCatalog | None,
) -> None:
    started = time.perf_counter()
    parser = parser_for(settings)
    put = queue.put_nowait
    rounds: ToolLoop | None = None

    def emit(pieces: list[Piece]) -> None:
        for piece in pieces:
            if isinstance(piece, Thinking):
                gathered.thinking.append(piece.text)
                put(("thinking", {"delta": piece.text}))
            elif isinstance(piece, Content):
                gathered.content.append(piece.text)
                put(("content", {"delta": piece.text}))
            else:
                gathered.content.append(piece.raw)
                put(("ui", {"tag": piece.tag, "attrs": piece.attrs, "content": piece.content}))

    try:
        async with running(llm, turn, tools, settings) as (rounds, events):
            async for event in events:
                if gone.is_set():
                    gathered.stop_reason = "client_disconnected"
                    break
                if isinstance(event, TextDelta):
                    gathered.first_output = gathered.first_output or time.perf_counter()
                    emit(parser.feed(event.text))
                elif isinstance(event, ThinkingDelta):
                    gathered.first_output = gathered.first_output or time.perf_counter()
                    emit([Thinking(event.text)])
                elif isinstance(event, ToolCallStarted):
                    put(("tool_call", event.view()))
                elif isinstance(event, ToolResultReady):
                    gathered.tool_calls.append(event.record)
                    put(("tool_result", event.record.result_view(settings.tools_event_max_chars)))
                elif isinstance(event, UsageReport):
                    put(("usage", usage_view(event.usage)))
                elif isinstance(event, StopReport):
                    gathered.stop_reason = event.reason
                elif isinstance(event, StreamFailure):
                    gathered.error = (event.code, event.message)
    except AppError as exc:
        gathered.error = (exc.code, exc.message)
    except Exception:
        logger.exception("stream failed")
        gathered.error = ("internal_error", "the reply failed")
    finally:
        emit(parser.flush())
        await _finish(turn, gathered, rounds.usage() if rounds is not None else None, started, queue, settings)


async def _finish(
    turn: Turn,
    gathered: _Gathered,
    usage: Usage | None,
    started: float,
    queue: asyncio.Queue[Event | None],
    settings: Settings,
) -> None:
    """Save the reply, then ``error`` (if it broke off) and ``done``: the client hears done only once stored."""
    first = gathered.first_output
    reply = Reply(
        content="".join(gathered.content),
        thinking="".join(gathered.thinking),
        usage=usage,
        stop_reason=gathered.stop_reason,
        error=gathered.error,
        latency_ms=(time.perf_counter() - started) * 1000,
        time_to_first_token_ms=(first - started) * 1000 if first is not None else None,
        message_id=gathered.message_id,
        tool_calls=bounded(gathered.tool_calls, settings.max_message_chars),
    )
    try:
        message = await save_reply(turn, reply)
        done = {
            "message_id": gathered.message_id,
            "usage": usage_view(usage or Usage()),
            "stop_reason": message.stop_reason,
        }
    except Exception as exc:  # e.g. the conversation was purged meanwhile: still end the stream
        logger.exception("reply not saved")
        code = exc.code if isinstance(exc, AppError) else "internal_error"
        gathered.error = gathered.error or (code, "the reply could not be saved")
        done = {"message_id": gathered.message_id, "usage": usage_view(usage or Usage()), "stop_reason": "error"}
    if gathered.error is not None:
        queue.put_nowait(("error", {"code": gathered.error[0], "message": gathered.error[1]}))
    queue.put_nowait(("done", done))
    queue.put_nowait(None)


def usage_view(value: Usage) -> dict[str, Any]:
    return {
        "input_tokens": value.input_tokens,
        "output_tokens": value.output_tokens,
        "total_tokens": value.total_tokens,
        "estimated": value.estimated,
    }
