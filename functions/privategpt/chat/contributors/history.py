"""The conversation's history window: the newest messages that fit what the other parts left.

Sizes come from each message's stored token count, so nothing stored is tokenized again; a reply that called
tools is replayed with its calls and results (``chat/tool_context.replay``) and counted as replayed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privategpt.chat.contributors.base import Part
from privategpt.chat.tool_context import ToolRecord, replay
from privategpt.llm.types import ChatMessage, ModelInfo
from privategpt.storage.models import MessageItem

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService

_CONTEXT_STATUSES = frozenset({"complete", "incomplete"})
_CONTEXT_ROLES = frozenset({"user", "assistant"})


@dataclass(frozen=True)
class History:
    items: Sequence[MessageItem]
    keep_newest: bool = False  # the newest message is the one being answered: kept even when too large (→ 413)
    tools_offered: bool = False  # earlier tool calls go back as calls and results (else as text in the reply)

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        chosen: list[ChatMessage] = []
        used = 0
        for item in reversed(self.items):
            if not usable(item):
                continue
            messages, size = self._replayed(llm, model, item)
            if used + size > budget and (chosen or not self.keep_newest):
                break
            chosen.extend(reversed(messages))
            used += size
        chosen.reverse()
        return Part("history", tuple(chosen), used)

    def _replayed(self, llm: LLMService, model: ModelInfo, item: MessageItem) -> tuple[tuple[ChatMessage, ...], int]:
        if item.tool_calls:
            records = [ToolRecord.from_view(v) for v in json.loads(item.tool_calls)]
            messages = replay(records, item.content, self.tools_offered)
            return messages, sum(llm.count_message(model, m) for m in messages)
        message = ChatMessage(item.role, item.content)  # type: ignore[arg-type]
        return (message,), int(item.token_count) or llm.count_message(model, message)

    def last_user_text(self) -> str | None:
        """The newest user message (the question, when it is already stored)."""
        return next((i.content for i in reversed(self.items) if i.role == "user" and usable(i)), None)


def usable(item: MessageItem) -> bool:
    return (
        item.status in _CONTEXT_STATUSES
        and (bool(item.content) or bool(item.tool_calls))
        and item.role in _CONTEXT_ROLES
    )
