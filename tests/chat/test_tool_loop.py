"""The rounds of one turn (``chat/tool_loop.py``) against a scripted model and a scripted tool session: calls run
and their results go back to the model, failures become results, and the limits from settings hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from privategpt.chat.plan import Turn
from privategpt.chat.tool_loop import ToolCallStarted, ToolLoop, ToolResultReady
from privategpt.llm.errors import ContextTooLong
from privategpt.llm.service import LLMService, Prepared
from privategpt.llm.types import (
    Capabilities,
    ChatMessage,
    ChatOptions,
    ChatRequest,
    ModelInfo,
    StopReport,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallComplete,
    ToolDefinition,
    Usage,
    UsageReport,
)
from privategpt.llm.usage import UsageMeter
from privategpt.settings import Settings
from privategpt.tools.types import ToolOutcome, ToolSpec

MODEL = ModelInfo("fake", "caller", 10_000, 500, Capabilities(tools=True))
SPECS = (
    ToolSpec("privategpt", "list_files", "", {"type": "object"}, "list_files"),
    ToolSpec("other", "lookup", "", {"type": "object"}, "other__lookup"),
)


def calls(*names: str) -> list[StreamEvent]:
    made: list[StreamEvent] = [ToolCallComplete(ToolCall(f"call_{i}", name, {"q": i})) for i, name in enumerate(names)]
    return [*made, StopReport("tool_calls")]


def answer(text: str, usage: Usage | None = None) -> list[StreamEvent]:
    events: list[StreamEvent] = [TextDelta(word + " ") for word in text.split()]
    if usage is not None:
        events.append(UsageReport(usage))
    return [*events, StopReport("stop")]


@dataclass
class ScriptedModel:
    """Each round's events, in order; every request it was given; a window on prompt tokens."""

    rounds: list[list[StreamEvent]]
    window: int = 1_000_000
    requests: list[Prepared] = field(default_factory=list)

    def meter(self, prepared: Prepared) -> UsageMeter:
        return UsageMeter(prepared.prompt_tokens, lambda text: len(text.split()))

    def count_message(self, model: ModelInfo, message: ChatMessage) -> int:
        return 1 + len(message.content.split())

    async def prepare(
        self,
        model_ref: str,
        messages: tuple[ChatMessage, ...],
        *,
        tools: tuple[ToolDefinition, ...] = (),
        options: ChatOptions | None = None,
        prompt_tokens: int | None = None,
    ) -> Prepared:
        assert prompt_tokens is not None
        if prompt_tokens > self.window:
            raise ContextTooLong("too long")
        return prepared(messages, tools, prompt_tokens)

    async def stream(self, prepared: Prepared) -> AsyncGenerator[StreamEvent, None]:
        self.requests.append(prepared)
        for event in self.rounds[len(self.requests) - 1]:
            yield event


@dataclass
class ScriptedSession:
    outcomes: dict[str, ToolOutcome]
    delay: float = 0.0
    asked: list[list[str]] = field(default_factory=list)

    async def call_all(self, batch: Sequence[tuple[ToolSpec, dict[str, Any]]], *, timeout: float) -> list[ToolOutcome]:
        self.asked.append([spec.id for spec, _ in batch])
        await asyncio.sleep(self.delay)
        return [self.outcomes[spec.id] for spec, _ in batch]


def prepared(messages: tuple[ChatMessage, ...], tools: tuple[ToolDefinition, ...], tokens: int) -> Prepared:
    request = ChatRequest(model=MODEL.name, messages=messages, tools=tools)
    return Prepared(cast(Any, None), MODEL, request, tokens)


def run(model: ScriptedModel, session: ScriptedSession | None, **settings: Any) -> tuple[ToolLoop, list[Any]]:
    first = prepared((ChatMessage("user", "hi"),), tuple(s.definition() for s in SPECS), 10)
    turn = Turn("u", "c", first, None, 1, tools=SPECS)
    loop = ToolLoop(cast(LLMService, model), turn, cast(Any, session), Settings(_env_file=None, **settings))

    async def collect() -> list[Any]:
        return [event async for event in loop.events()]

    return loop, asyncio.run(collect())


OK = ToolOutcome(True, "three files: a.txt b.txt c.txt", 5.0)


def test_calls_run_and_their_results_go_back_to_the_model() -> None:
    model = ScriptedModel([calls("list_files", "other__lookup"), answer("There are three.", Usage(30, 4))])
    session = ScriptedSession({"privategpt/list_files": OK, "other/lookup": ToolOutcome(False, "lookup failed", 1.0)})
    loop, events = run(model, session)
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    assert [(e.name, e.server) for e in started] == [("list_files", "privategpt"), ("lookup", "other")]
    results = [e.record for e in events if isinstance(e, ToolResultReady)]
    assert [(r.id, r.ok, r.round) for r in results] == [("call_0", True, 1), ("call_1", False, 1)]
    assert session.asked == [["privategpt/list_files", "other/lookup"]]  # one batch: run in parallel
    second = model.requests[1].request.messages
    assert [m.role for m in second] == ["user", "assistant", "tool", "tool"]
    assert [c.name for c in second[1].tool_calls] == ["list_files", "other__lookup"]
    assert "three files" in second[2].content and second[2].tool_call_id == "call_0"
    assert second[3].is_error
    assert model.requests[1].request.tools == model.requests[0].request.tools
    # the first round reported nothing: counted; the second's report is taken
    usage = loop.usage()
    assert usage is not None and usage.estimated
    assert (usage.input_tokens, usage.output_tokens) == (10 + 30, 0 + 4)
    assert isinstance(events[-2], StopReport)
    assert events[-1] == UsageReport(usage)  # the running total, after each round


def test_a_tool_no_server_offers_is_an_error_result_and_nothing_runs() -> None:
    model = ScriptedModel([calls("rm_rf"), answer("Sorry.")])
    session = ScriptedSession({})
    loop, _ = run(model, session)
    (record,) = loop.records
    assert not record.ok and record.server is None
    assert "no tool named 'rm_rf'" in record.content
    assert session.asked == []


def test_rounds_stop_at_the_limit() -> None:
    model = ScriptedModel([calls("list_files"), calls("list_files"), calls("list_files")])
    session = ScriptedSession({"privategpt/list_files": OK})
    loop, _ = run(model, session, tools_max_rounds=1)
    assert len(model.requests) == 2
    assert [r.ok for r in loop.records] == [True, False]
    assert "limit of 1 tool rounds" in loop.records[1].content
    assert session.asked == [["privategpt/list_files"]]


def test_the_turns_tool_time_is_shared() -> None:
    model = ScriptedModel([calls("list_files"), calls("list_files"), answer("ok")])
    session = ScriptedSession({"privategpt/list_files": OK}, delay=0.2)
    loop, _ = run(model, session, tools_turn_timeout_seconds=0.1)
    assert [r.ok for r in loop.records] == [True, False]
    assert "tool time" in loop.records[1].content
    assert len(model.requests) == 3  # the model still answers


def test_results_are_shortened_to_fit_the_window() -> None:
    big = ToolOutcome(True, " ".join(["word"] * 400), 1.0)
    model = ScriptedModel([calls("list_files"), answer("done")], window=200)
    loop, _ = run(model, ScriptedSession({"privategpt/list_files": big}))
    (record,) = loop.records
    assert len(record.content.split()) < 200
    assert "cut" in record.content or "left out" in record.content
    assert len(model.requests) == 2


def test_results_are_clipped_to_the_setting() -> None:
    long = ToolOutcome(True, "z" * 5000, 1.0)
    model = ScriptedModel([calls("list_files"), answer("done")])
    loop, _ = run(model, ScriptedSession({"privategpt/list_files": long}), tools_result_max_chars=1000)
    assert len(loop.records[0].content) <= 1000


def test_without_a_session_calls_are_passed_on_and_the_turn_ends() -> None:
    model = ScriptedModel([[*answer("hello")[:-1], *calls("list_files")]])
    loop, events = run(model, None)
    assert len(model.requests) == 1
    assert loop.records == []
    assert any(isinstance(e, ToolCallStarted) for e in events)
