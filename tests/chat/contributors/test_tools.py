"""Which tools a turn offers: the message's choice, else the conversation's, else the defaults; none for a model
that cannot call tools. Their definitions count against the window."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from typing import Any, cast

from privategpt.chat.contributors import ToolChoice, Tools
from privategpt.llm.types import Capabilities, ModelInfo
from privategpt.settings import Settings
from privategpt.storage.models import ConversationItem
from privategpt.tools.types import ToolSpec

TOOLS_MODEL = ModelInfo("fake", "caller", 1000, 200, Capabilities(tools=True))
PLAIN_MODEL = ModelInfo("fake", "plain", 1000, 200, Capabilities())


class Catalog:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def specs(self, enabled: Collection[str]) -> tuple[ToolSpec, ...]:
        self.asked.append(list(enabled))
        return tuple(ToolSpec("srv", name, "", {"type": "object"}, name) for name in enabled)


def choice(requested: tuple[str, ...] | None = None) -> tuple[ToolChoice, Catalog]:
    catalog = Catalog()
    return ToolChoice(cast(Any, catalog), requested), catalog


def conversation(tools: list[str] | None) -> ConversationItem:
    return ConversationItem("pk", "sk", tools=json.dumps(tools) if tools is not None else None)


SETTINGS = Settings(_env_file=None, tools_default_enabled=["privategpt"])


def test_the_message_choice_wins() -> None:
    tool_choice, _ = choice(("srv/a",))
    specs = asyncio.run(tool_choice.specs(conversation(["srv/b"]), TOOLS_MODEL, SETTINGS))
    assert [s.name for s in specs] == ["srv/a"]


def test_then_the_conversation_then_the_defaults() -> None:
    tool_choice, catalog = choice()
    asyncio.run(tool_choice.specs(conversation(["srv/b"]), TOOLS_MODEL, SETTINGS))
    asyncio.run(tool_choice.specs(conversation(None), TOOLS_MODEL, SETTINGS))
    assert catalog.asked == [["srv/b"], ["privategpt"]]


def test_an_empty_list_or_a_model_without_tools_offers_none_and_asks_no_server() -> None:
    tool_choice, _ = choice(())
    assert asyncio.run(tool_choice.specs(conversation(None), TOOLS_MODEL, SETTINGS)) == ()
    tool_choice, catalog = choice()
    assert asyncio.run(tool_choice.specs(conversation(None), PLAIN_MODEL, SETTINGS)) == ()
    assert catalog.asked == []


class DefinitionCounter:
    def count_tools(self, model: ModelInfo, tools: tuple[Any, ...]) -> int:
        return 100 * len(tools)


def test_the_definitions_are_a_required_part_counted_against_the_window() -> None:
    specs = tuple(ToolSpec("srv", n, "", {"type": "object"}, n) for n in ("a", "b"))
    part = asyncio.run(Tools(specs).contribute(cast(Any, DefinitionCounter()), TOOLS_MODEL, 0))
    assert (part.slot, part.messages, part.tokens) == ("system", (), 200)


def test_the_model_layer_counts_definitions_by_their_json(settings: Settings) -> None:
    from privategpt.llm import config as llm_config
    from privategpt.llm.registry import ModelRegistry
    from privategpt.llm.service import LLMService

    llm = LLMService(settings, ModelRegistry(settings, llm_config.load(settings)))
    model = ModelInfo("openai", "gpt-4o-mini", 128_000, 16_384, Capabilities(tools=True))
    small = ToolSpec("srv", "a", "short", {"type": "object"}, "a").definition()
    large = ToolSpec("srv", "b", "a much longer description " * 20, {"type": "object"}, "b").definition()
    assert llm.count_tools(model, ()) == 0
    assert 0 < llm.count_tools(model, (small,)) < llm.count_tools(model, (large,))
