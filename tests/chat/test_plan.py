"""The stored plan of a streamed turn: phase 2 gets the exact request and the sources phase 1 retrieved."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from typing import cast

from privategpt.chat import plan
from privategpt.chat.contributors import RagRequest, Source
from privategpt.chat.plan import Turn
from privategpt.llm.registry import ProviderState
from privategpt.llm.service import Prepared
from privategpt.llm.types import ChatMessage, ChatOptions, ChatRequest, ToolCall
from privategpt.tools.types import ToolSpec
from tests.chat.contributors.counting import MODEL

SOURCES = (Source(1, "doc", "report.pdf", 3, "doc:000004", 0.87, "the snippet"),)


def turn(sources: tuple[Source, ...] | None) -> Turn:
    messages = (ChatMessage("system", "sources…"), ChatMessage("user", "question"))
    request = ChatRequest(MODEL.name, messages, options=ChatOptions(temperature=0.2))
    prepared = Prepared(cast("ProviderState", None), MODEL, request, 42)
    return Turn("u", "c", prepared, None, 3, sources=sources, rag=RagRequest(top_k=2))


def test_a_plan_keeps_its_sources() -> None:
    data = plan.encode(turn(SOURCES), 10_000)
    assert data is not None
    stored = plan.decode(data)
    assert stored is not None
    assert stored.sources == SOURCES
    assert stored.messages == turn(SOURCES).prepared.request.messages
    assert (stored.model, stored.prompt_tokens, stored.options.temperature) == (MODEL.id, 42, 0.2)


def test_a_plan_without_retrieval_has_no_sources() -> None:
    data = plan.encode(turn(None), 10_000)
    assert data is not None
    stored = plan.decode(data)
    assert stored is not None
    assert stored.sources is None


def test_a_plan_of_an_unknown_format_is_planned_again() -> None:
    data = zlib.compress(json.dumps({"v": 999}).encode())
    assert plan.decode(data) is None


def test_a_plan_too_large_is_not_stored() -> None:
    assert plan.encode(turn(SOURCES), 10) is None


def test_a_plan_keeps_earlier_tool_calls_their_results_and_the_tools_offered() -> None:
    history = (
        ChatMessage("user", "list my files"),
        ChatMessage("assistant", "", tool_calls=(ToolCall("call_1", "list_files", {"folder": "notes"}),)),
        ChatMessage(
            "tool", "<tool-output n>boom</tool-output n>", tool_call_id="call_1", name="list_files", is_error=True
        ),
        ChatMessage("assistant", "It failed."),
        ChatMessage("user", "again"),
    )
    spec = ToolSpec("privategpt", "list_files", "List files", {"type": "object"}, "list_files", title="List")
    planned = turn(None)
    planned = replace(
        planned,
        prepared=replace(planned.prepared, request=replace(planned.prepared.request, messages=history)),
        tools=(spec,),
    )
    data = plan.encode(planned, 10_000)
    assert data is not None
    stored = plan.decode(data)
    assert stored is not None
    assert stored.messages == history
    assert stored.tools == (spec,)
