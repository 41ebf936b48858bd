"""Tool calling in each provider's real wire format, through the real provider classes against the fake servers
(see the marker convention in tests/support/fake_llm.py): one call, parallel calls, malformed arguments, and
results sent back in the shape each API wants."""

from __future__ import annotations

import json
from typing import Any

import pytest

from privategpt.llm.provider import RAW_ARGUMENTS, arguments_object, malformed_arguments, parse_arguments
from privategpt.llm.service import LLMService
from privategpt.llm.types import (
    ChatMessage,
    ChatOptions,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallComplete,
    ToolCallDelta,
    ToolDefinition,
)
from tests.support.fake_llm import MALFORMED_ARGUMENTS, FakeProvider, scripted_calls

pytestmark = pytest.mark.anyio

MODELS = {"openai": "openai/gpt-4o-mini", "anthropic": "anthropic/claude-sonnet-4-9", "ollama": "ollama/llama3.2"}
SEARCH = ToolDefinition(
    name="search_documents",
    description="Search the user's documents",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
)
LIST_FILES = ToolDefinition(name="list_files", description="The user's files", parameters={"type": "object"})
TOOLS = (SEARCH, LIST_FILES)
SYSTEM = ChatMessage(role="system", content="Use the tools.")


@pytest.fixture(params=["openai", "anthropic", "ollama"])
def provider(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def fake(
    provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> FakeProvider:
    return {"openai": fake_openai, "anthropic": fake_anthropic, "ollama": fake_ollama}[provider]


async def _events(llm: LLMService, provider: str, messages: tuple[ChatMessage, ...]) -> list[StreamEvent]:
    prepared = await llm.prepare(MODELS[provider], messages, tools=TOOLS)
    return [e async for e in llm.stream(prepared)]


def _calls(events: list[StreamEvent]) -> list[ToolCall]:
    return [e.call for e in events if isinstance(e, ToolCallComplete)]


def _ask(text: str) -> tuple[ChatMessage, ...]:
    return (SYSTEM, ChatMessage(role="user", content=text))


async def test_a_single_call(llm: LLMService, provider: str, fake: FakeProvider) -> None:
    events = await _events(llm, provider, _ask('Look it up [[call search_documents {"query": "invoices 2026"}]]'))
    [call] = _calls(events)
    assert (call.name, call.arguments) == ("search_documents", {"query": "invoices 2026"})
    assert call.id.startswith("call_" if provider != "anthropic" else "toolu_")
    assert not any(isinstance(e, TextDelta) for e in events)
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert {d.index for d in deltas} == {0} and deltas[0].name == "search_documents"
    if provider != "ollama":  # the arguments arrived as JSON text in pieces, assembled
        assert len([d for d in deltas if d.arguments_delta]) > 1
    assert fake.requests[-1]["tools"]  # the tools went on the wire
    response = await llm.complete(await llm.prepare(MODELS[provider], _ask("[[call list_files]]"), tools=TOOLS))
    assert response.stop_reason == "tool_calls"
    assert [(c.name, c.arguments) for c in response.tool_calls] == [("list_files", {})]


async def test_two_calls_in_parallel(llm: LLMService, provider: str, fake: FakeProvider) -> None:
    text = 'Both: [[call search_documents {"query": "alpha", "top_k": 3}]] and [[call list_files {"prefix": "a/"}]]'
    events = await _events(llm, provider, _ask(text))
    calls = _calls(events)
    assert [(c.name, c.arguments) for c in calls] == [
        ("search_documents", {"query": "alpha", "top_k": 3}),
        ("list_files", {"prefix": "a/"}),
    ]
    assert len({c.id for c in calls}) == 2 and all(c.id for c in calls)
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [d.index for d in deltas if d.name] == [0, 1]
    # each call's deltas add up to its arguments, whatever order they came in
    for index, call in enumerate(calls):
        assembled = "".join(d.arguments_delta for d in deltas if d.index == index)
        assert json.loads(assembled) == call.arguments
    if provider == "openai":  # the fake interleaves the two calls' argument fragments
        order = [d.index for d in deltas if not d.name]
        assert order[:2] == [0, 1]
    # ids are unique across responses too: the same request again gets new ones
    again = _calls(await _events(llm, provider, _ask(text)))
    assert not {c.id for c in again} & {c.id for c in calls}
    assert len(fake.requests) == 2


async def test_malformed_arguments_are_kept_not_raised(llm: LLMService, provider: str) -> None:
    events = await _events(
        llm, provider, _ask('[[call search_documents !malformed]] [[call list_files {"prefix": "x"}]]')
    )
    bad, good = _calls(events)
    assert bad.name == "search_documents" and bad.arguments == {RAW_ARGUMENTS: MALFORMED_ARGUMENTS}
    assert malformed_arguments(bad.arguments) == MALFORMED_ARGUMENTS
    assert good.arguments == {"prefix": "x"} and malformed_arguments(good.arguments) is None


def _follow_up(calls: list[ToolCall], failed: str) -> tuple[ChatMessage, ...]:
    question = 'Go [[call search_documents {"query": "q"}]] [[call list_files {}]]'
    results = tuple(
        ChatMessage(
            role="tool",
            content=f"error: the tool {c.name} failed" if c.name == failed else json.dumps({"hits": [c.name, 1]}),
            tool_call_id=c.id,
            name=c.name,
            is_error=c.name == failed,
        )
        for c in calls
    )
    return (*_ask(question), ChatMessage(role="assistant", content="Let me look.", tool_calls=tuple(calls)), *results)


async def test_results_go_back_in_each_wire_shape(llm: LLMService, provider: str, fake: FakeProvider) -> None:
    asked = await _events(llm, provider, _ask('Go [[call search_documents {"query": "q"}]] [[call list_files {}]]'))
    calls = _calls(asked)
    search, files = calls
    events = await _events(llm, provider, _follow_up(calls, failed="list_files"))
    sent: dict[str, Any] = fake.requests[-1]
    messages = sent["messages"]
    if provider == "openai":
        assert messages[-3] == {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                }
                for c in calls
            ],
        }
        assert messages[-2:] == [
            {"role": "tool", "tool_call_id": search.id, "content": '{"hits": ["search_documents", 1]}'},
            {"role": "tool", "tool_call_id": files.id, "content": "error: the tool list_files failed"},
        ]
    elif provider == "anthropic":
        assert [m["role"] for m in messages] == ["user", "assistant", "user"]  # both results in ONE user message
        assert messages[1]["content"] == [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": search.id, "name": "search_documents", "input": {"query": "q"}},
            {"type": "tool_use", "id": files.id, "name": "list_files", "input": {}},
        ]
        assert messages[2]["content"] == [
            {"type": "tool_result", "tool_use_id": search.id, "content": '{"hits": ["search_documents", 1]}'},
            {
                "type": "tool_result",
                "tool_use_id": files.id,
                "content": "error: the tool list_files failed",
                "is_error": True,
            },
        ]
    else:
        assert messages[-3] == {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {"function": {"name": "search_documents", "arguments": {"query": "q"}}},
                {"function": {"name": "list_files", "arguments": {}}},
            ],
        }
        assert messages[-2:] == [
            {"role": "tool", "content": '{"hits": ["search_documents", 1]}', "tool_name": "search_documents"},
            {"role": "tool", "content": "error: the tool list_files failed", "tool_name": "list_files"},
        ]
    # the model read both results, in order, and called nothing again
    answer = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert answer == (
        'Tool results: search_documents={"hits": ["search_documents", 1]}; list_files=error: the tool list_files failed'
    )
    assert _calls(events) == []


async def test_a_result_is_quoted_up_to_80_characters(llm: LLMService, provider: str) -> None:
    [call] = _calls(await _events(llm, provider, _ask("[[call list_files]]")))
    long = "x" * 200
    history = (
        *_ask("[[call list_files]]"),
        ChatMessage(role="assistant", tool_calls=(call,)),
        ChatMessage(role="tool", content=long, tool_call_id=call.id, name=call.name),
    )
    response = await llm.complete(await llm.prepare(MODELS[provider], history, tools=TOOLS))
    assert response.content == f"Tool results: list_files={'x' * 80}"
    assert response.stop_reason == "stop"


async def test_anthropic_drops_thinking_after_a_tool_call(llm: LLMService, fake_anthropic: FakeProvider) -> None:
    """Thinking blocks are not kept, and the API refuses thinking on a tool round that lacks them."""
    thinking = ChatOptions(thinking=True)
    first = await llm.prepare(MODELS["anthropic"], _ask("[[call list_files]]"), tools=TOOLS, options=thinking)
    [call] = (await llm.complete(first)).tool_calls
    assert fake_anthropic.requests[-1]["thinking"]["type"] == "enabled"
    history = (
        *_ask("[[call list_files]]"),
        ChatMessage(role="assistant", tool_calls=(call,)),
        ChatMessage(role="tool", content="[]", tool_call_id=call.id, name=call.name),
    )
    await llm.complete(await llm.prepare(MODELS["anthropic"], history, tools=TOOLS, options=thinking))
    assert "thinking" not in fake_anthropic.requests[-1]


def test_the_marker_convention() -> None:
    calls = scripted_calls('a [[call one {"n": [[1]]}]] b [[call two]] [[call three !malformed]] [[call four {bad]]')
    assert [(c.name, c.arguments) for c in calls] == [
        ("one", '{"n": [[1]]}'),
        ("two", "{}"),
        ("three", '{"query": "x"'),
    ]
    assert all("".join(c.fragments) == c.arguments and len(c.fragments) > 1 for c in calls if len(c.arguments) > 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", {}),
        ('{"a": 1}', {"a": 1}),
        ('{"a": 1', {RAW_ARGUMENTS: '{"a": 1'}),
        ("[1, 2]", {RAW_ARGUMENTS: "[1, 2]"}),
        ("42", {RAW_ARGUMENTS: "42"}),
        ("[" * 100_000, {RAW_ARGUMENTS: "[" * 100_000}),
    ],
)
def test_parse_arguments_never_raises(raw: str, expected: dict[str, Any]) -> None:
    assert parse_arguments(raw) == expected


def test_arguments_sent_as_an_object() -> None:
    assert arguments_object({"a": 1}) == {"a": 1}
    assert arguments_object(None) == {}
    assert arguments_object('{"a": 1}') == {"a": 1}
    assert arguments_object('{"a":') == {RAW_ARGUMENTS: '{"a":'}
    assert arguments_object([1]) == {RAW_ARGUMENTS: "[1]"}
