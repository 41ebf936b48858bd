"""The contributor interface and the assembly of their parts into one prompt.

Contributors are asked in the order given, each with what the earlier ones left: required parts (the system
prompt, the new message) take what they need, a contributor with a share (sources) takes at most that share of
the rest, and the history takes whatever remains. Parts are then laid out by slot: system, sources, history, new.
A prompt that is still too large is refused by ``LLMService.prepare`` (413), as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from privategpt.llm.tokens import REPLY_PRIMING
from privategpt.llm.types import ChatMessage, ChatOptions, ModelInfo

if TYPE_CHECKING:
    from privategpt.chat.contributors.sources import Source
    from privategpt.llm.service import LLMService

Slot = Literal["system", "sources", "history", "new"]
_ORDER: tuple[Slot, ...] = ("system", "sources", "history", "new")


@dataclass(frozen=True)
class Part:
    slot: Slot
    messages: tuple[ChatMessage, ...] = ()
    tokens: int = 0
    sources: tuple[Source, ...] | None = None  # set by the sources contributor (empty: nothing was found)


class Contributor(Protocol):
    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        """This contributor's part of the prompt, within ``budget`` tokens where it can be trimmed."""


@dataclass(frozen=True)
class Assembled:
    messages: tuple[ChatMessage, ...]
    prompt_tokens: int
    sources: tuple[Source, ...] | None  # None: retrieval was not asked for


async def assemble(
    llm: LLMService, model: ModelInfo, options: ChatOptions, contributors: list[Contributor]
) -> Assembled:
    remaining = model.context_window - llm.reserved_output(model, options) - REPLY_PRIMING
    parts: list[Part] = []
    for contributor in contributors:
        part = await contributor.contribute(llm, model, max(remaining, 0))
        remaining -= part.tokens
        parts.append(part)
    messages = tuple(m for slot in _ORDER for part in parts if part.slot == slot for m in part.messages)
    sources = next((p.sources for p in parts if p.sources is not None), None)
    return Assembled(messages, sum(p.tokens for p in parts) + REPLY_PRIMING, sources)
