"""A turn as planned in phase 1, and its stored form, so phase 2 starts the provider call without re-reading.

Phase 1 keeps the planned provider request (model, messages, options, prompt size) in the stream session,
compressed; consuming the token returns it. A plan larger than ``PGPT_STREAM_PLAN_MAX_BYTES`` (a huge history
near DynamoDB's 400 KB item limit) is not stored, and phase 2 plans again from the conversation instead.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

from privategpt.chat.contributors.sources import RagRequest, Source
from privategpt.llm.service import Prepared
from privategpt.llm.types import ChatMessage, ChatOptions, ToolCall
from privategpt.storage.models import ConversationItem
from privategpt.tools.types import ToolSpec

_FORMAT = 2
_COMPRESSION_LEVEL = 1  # fast: the plan is written once and read once


@dataclass(frozen=True)
class Turn:
    """A reply that passed every early check: who, where, which model, and the exact request."""

    user_id: str
    conversation_id: str
    prepared: Prepared
    system_prompt_id: str | None
    new_tokens: int  # the new user message's own size (0 when it was already stored)
    conversation: ConversationItem | None = None  # as read in phase 1; phase 2 from a stored plan has none
    sources: tuple[Source, ...] | None = None  # the cited sources (None: retrieval not asked for)
    rag: RagRequest | None = None  # as asked for by the message
    tools: tuple[ToolSpec, ...] = ()  # the tools the model is offered (their definitions are in the request)


@dataclass(frozen=True)
class StoredPlan:
    model: str
    messages: tuple[ChatMessage, ...]
    options: ChatOptions
    prompt_tokens: int
    sources: tuple[Source, ...] | None
    tools: tuple[ToolSpec, ...]


def encode(turn: Turn, max_bytes: int) -> bytes | None:
    """The plan, compressed; None when it is too large to store or holds what a plan does not carry."""
    prepared = turn.prepared
    document = {
        "v": _FORMAT,
        "model": prepared.model.id,
        "messages": [_message(m) for m in prepared.request.messages],
        "options": prepared.request.options.__dict__,
        "prompt_tokens": prepared.prompt_tokens,
        "sources": [s.view() for s in turn.sources] if turn.sources is not None else None,
        "tools": [t.view() for t in turn.tools],
    }
    data = zlib.compress(json.dumps(document, separators=(",", ":")).encode(), _COMPRESSION_LEVEL)
    return data if len(data) <= max_bytes else None


def decode(data: bytes) -> StoredPlan | None:
    """The stored plan, or None when it is of a format this code does not know (plan again instead)."""
    document = json.loads(zlib.decompress(data))
    if document.get("v") != _FORMAT:
        return None
    return StoredPlan(
        model=document["model"],
        messages=tuple(_from_wire(m) for m in document["messages"]),
        options=ChatOptions(**document["options"]),
        prompt_tokens=int(document["prompt_tokens"]),
        sources=_sources(document.get("sources")),
        tools=tuple(ToolSpec.from_view(v) for v in document.get("tools") or ()),
    )


def _sources(views: list[dict[str, Any]] | None) -> tuple[Source, ...] | None:
    return tuple(Source.from_view(v) for v in views) if views is not None else None


def _message(message: ChatMessage) -> dict[str, Any]:
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.name:
        wire["name"] = message.name
    if message.tool_call_id:
        wire["tool_call_id"] = message.tool_call_id
    if message.is_error:
        wire["is_error"] = True
    if message.tool_calls:
        wire["tool_calls"] = [[c.id, c.name, c.arguments] for c in message.tool_calls]
    return wire


def _from_wire(wire: dict[str, Any]) -> ChatMessage:
    calls = tuple(ToolCall(*c) for c in wire.pop("tool_calls", ()))
    return ChatMessage(**wire, tool_calls=calls)
