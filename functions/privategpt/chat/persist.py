"""The persist step of a turn: the user message (with whatever must be stored beside it), then the reply with
the usage it cost, each in one DynamoDB transaction.

Usage is recorded here, not in the model layer: a reply and the usage counters it adds to are one write, so
they cannot disagree, and a turn costs one round trip to persist its answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from privategpt.chat.plan import Turn
from privategpt.chat.tool_context import ToolRecord
from privategpt.limits import service as limits
from privategpt.llm.types import ModelInfo, Usage
from privategpt.settings import Settings
from privategpt.storage import messages as repository
from privategpt.storage.conversations import TokenUsage
from privategpt.storage.messages import NewMessage
from privategpt.storage.models import MessageItem
from privategpt.storage.transactions import Write
from privategpt.usage import service as usage_service


async def save_user_message(
    turn: Turn, content: str, settings: Settings, *, message_id: str | None = None, also: Sequence[Write] = ()
) -> MessageItem:
    """The user's message; a new conversation takes its title from it in the same write."""
    conversation = turn.conversation
    title = None
    if (
        conversation is not None
        and int(conversation.message_count) == 0
        and conversation.title == settings.default_conversation_title
    ):
        title = title_for(content, settings)
    item = await run_in_threadpool(
        repository.append_message,
        turn.user_id,
        turn.conversation_id,
        NewMessage(role="user", content=content, token_count=turn.new_tokens, message_id=message_id),
        title=title,
        also=also,
    )
    if conversation is not None and title is not None:
        conversation.title = title
    return item


def title_for(content: str, settings: Settings) -> str | None:
    """A new conversation's title from its first message: one line, cut to ``PGPT_CHAT_TITLE_MAX_CHARS``."""
    return " ".join(content.split())[: settings.chat_title_max_chars].strip() or None


@dataclass(frozen=True)
class Reply:
    """An assistant reply as it ended: whole, broken off (``error``), or left by its client."""

    content: str
    thinking: str
    usage: Usage | None  # None: nothing reported and nothing produced
    stop_reason: str | None
    error: tuple[str, str] | None = None  # (code, message)
    latency_ms: float | None = None
    time_to_first_token_ms: float | None = None
    message_id: str | None = None
    tool_calls: tuple[ToolRecord, ...] = ()  # bounded for storage (``tool_context.bounded``)

    @property
    def status(self) -> str:
        if self.error is None and self.stop_reason not in (None, "client_disconnected"):
            return "complete"
        return "incomplete" if self.content or self.thinking else "error"


async def save_reply(turn: Turn, reply: Reply) -> MessageItem:
    """The assistant message, its conversation's counters, the user's usage counters and the tokens against the
    user's tokens per day (``limits``): one transaction."""
    model = turn.prepared.model
    usage = reply.usage or Usage()
    also = []
    if reply.usage is not None:
        also.append(usage_service.record_in(turn.user_id, model, usage))
        spent = limits.spend_in(turn.user_id, usage.total_tokens)
        if spent is not None:
            also.append(spent)
    return await run_in_threadpool(
        repository.append_message,
        turn.user_id,
        turn.conversation_id,
        NewMessage(
            role="assistant",
            content=reply.content,
            thinking=reply.thinking,
            model=model.id,
            provider=model.provider,
            usage=TokenUsage(usage.input_tokens, usage.output_tokens),
            usage_estimated=usage.estimated,
            token_count=usage.output_tokens,
            status=reply.status,
            stop_reason=reply.stop_reason if reply.error is None else "error",
            error_code=reply.error[0] if reply.error else None,
            latency_ms=reply.latency_ms,
            time_to_first_token_ms=reply.time_to_first_token_ms,
            message_id=reply.message_id,
            sources=json.dumps([s.view() for s in turn.sources]) if turn.sources is not None else None,
            tool_calls=json.dumps([r.view() for r in reply.tool_calls]) if reply.tool_calls else None,
        ),
        also=also,
    )


async def record_usage(user_id: str, model: ModelInfo, usage: Usage) -> None:
    """Usage of a call that stores no message (quick chat, ``/v1``), and its tokens against the user's tokens per
    day: two independent writes, made at once (one round trip's wait)."""
    await asyncio.gather(
        run_in_threadpool(usage_service.record, user_id, model, usage),
        run_in_threadpool(limits.spend, user_id, usage.total_tokens),
    )
