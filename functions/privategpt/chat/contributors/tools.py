"""The tools a turn offers the model: which ones (the message's choice, else the conversation's, else the
defaults from settings), and the room their definitions take in the prompt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from privategpt.chat.contributors.base import Part
from privategpt.llm.types import ModelInfo
from privategpt.settings import Settings
from privategpt.storage.models import ConversationItem
from privategpt.tools.types import ToolSpec

if TYPE_CHECKING:
    from privategpt.llm.service import LLMService
    from privategpt.tools.client.catalog import ToolCatalog


@dataclass(frozen=True)
class ToolChoice:
    catalog: ToolCatalog
    requested: tuple[str, ...] | None = None  # the message's own list; None: the conversation's

    def enabled(self, conversation: ConversationItem | None, settings: Settings) -> list[str]:
        if self.requested is not None:
            return list(self.requested)
        if conversation is not None and conversation.tools is not None:
            return list(json.loads(conversation.tools))
        return list(settings.tools_default_enabled)

    async def specs(
        self, conversation: ConversationItem | None, model: ModelInfo, settings: Settings
    ) -> tuple[ToolSpec, ...]:
        """The enabled tools the servers offer now; none for a model that cannot call tools."""
        enabled = self.enabled(conversation, settings)
        if not enabled or not model.capabilities.tools:
            return ()
        return await self.catalog.specs(enabled)


@dataclass(frozen=True)
class Tools:
    """A required part: the definitions go with every round of the turn."""

    specs: tuple[ToolSpec, ...]

    async def contribute(self, llm: LLMService, model: ModelInfo, budget: int) -> Part:
        return Part("system", (), llm.count_tools(model, tuple(s.definition() for s in self.specs)))
