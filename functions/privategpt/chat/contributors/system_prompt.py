"""The system prompt chosen for the turn (the conversation's, the request's or the user's default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from privategpt.chat.contributors.base import Part
from privategpt.llm.types import ChatMessage, ModelInfo

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService


@dataclass(frozen=True)
class SystemPrompt:
    content: str | None

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        if not self.content:
            return Part("system")
        message = ChatMessage("system", self.content)
        return Part("system", (message,), llm.count_message(model, message))
