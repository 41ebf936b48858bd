"""Messages that must go in whole: the new message, and the messages of a quick chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privategpt.chat.contributors.base import Part, Slot
from privategpt.llm.types import ChatMessage, ModelInfo

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService


@dataclass(frozen=True)
class Given:
    messages: Sequence[ChatMessage]
    slot: Slot = "new"
    tokens: int | None = None  # already counted (the new message's size is stored with it)

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        tokens = self.tokens if self.tokens is not None else sum(llm.count_message(model, m) for m in self.messages)
        return Part(self.slot, tuple(self.messages), tokens)


def split_quick(messages: Sequence[ChatMessage]) -> tuple[Given, Given]:
    """A quick chat's leading system messages (they stay first) and the rest."""
    lead = 0
    while lead < len(messages) and messages[lead].role == "system":
        lead += 1
    return Given(messages[:lead], "system"), Given(messages[lead:], "history")
