from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from privategpt.chat.contributors import Given, Part, SystemPrompt, assemble
from privategpt.chat.contributors.base import Slot
from privategpt.llm.service import LLMService
from privategpt.llm.tokens import REPLY_PRIMING
from privategpt.llm.types import ChatMessage, ChatOptions, ModelInfo
from tests.chat.contributors.counting import MODEL, OVERHEAD, counting_llm, words


@dataclass
class Recording:
    """Takes ``size`` tokens in ``slot`` and remembers the budget it was offered."""

    slot: Slot
    size: int
    offered: list[int] = field(default_factory=list)

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        self.offered.append(budget)
        return Part(self.slot, (ChatMessage("user", f"{self.slot}:{self.size}"),), self.size)


def test_each_contributor_is_offered_what_the_earlier_ones_left() -> None:
    first, second, third = Recording("system", 100), Recording("sources", 250), Recording("history", 10)
    asyncio.run(assemble(counting_llm(reserve=200), MODEL, ChatOptions(), [first, second, third]))
    start = MODEL.context_window - 200 - REPLY_PRIMING
    assert first.offered == [start]
    assert second.offered == [start - 100]
    assert third.offered == [start - 350]


def test_budget_never_goes_negative() -> None:
    greedy, late = Recording("new", 5000), Recording("history", 0)
    asyncio.run(assemble(counting_llm(), MODEL, ChatOptions(), [greedy, late]))
    assert late.offered == [0]


def test_parts_are_laid_out_by_slot_whatever_the_order_they_were_asked_in() -> None:
    parts = [Recording("new", 1), Recording("history", 2), Recording("sources", 3), Recording("system", 4)]
    assembled = asyncio.run(assemble(counting_llm(), MODEL, ChatOptions(), list(parts)))
    assert [m.content for m in assembled.messages] == ["system:4", "sources:3", "history:2", "new:1"]
    assert assembled.prompt_tokens == 10 + REPLY_PRIMING
    assert assembled.sources is None


def test_required_parts_are_counted_whole() -> None:
    new = ChatMessage("user", words(7))
    assembled = asyncio.run(
        assemble(counting_llm(), MODEL, ChatOptions(), [SystemPrompt(words(3)), Given((new,), "new")])
    )
    assert assembled.prompt_tokens == (OVERHEAD + 3) + (OVERHEAD + 7) + REPLY_PRIMING
    assert assembled.messages[0].role == "system"
    assert assembled.messages[-1] == new


def test_no_system_prompt_adds_nothing() -> None:
    assembled = asyncio.run(assemble(counting_llm(), MODEL, ChatOptions(), [SystemPrompt(None)]))
    assert assembled.messages == ()
