"""A stand-in for the two things contributors ask of the model layer: message sizes and the answer's reserve.

One token per word plus a fixed overhead per message, so a test's budget arithmetic can be checked by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from privategpt.llm.types import Capabilities, ChatMessage, ChatOptions, ModelInfo

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService

OVERHEAD = 4
MODEL = ModelInfo("fake", "words", context_window=1000, max_output_tokens=200, capabilities=Capabilities())


class WordCounter:
    def __init__(self, reserve: int = 200) -> None:
        self.reserve = reserve

    def count_message(self, model: ModelInfo, message: ChatMessage) -> int:
        return OVERHEAD + len(message.content.split())

    def reserved_output(self, model: ModelInfo, options: ChatOptions) -> int:
        return self.reserve


def counting_llm(reserve: int = 200) -> LLMService:
    return cast("LLMService", WordCounter(reserve))


def words(n: int, word: str = "w") -> str:
    return " ".join([word] * n)
