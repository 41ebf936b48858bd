"""Each provider through its real client (openai SDK, anthropic SDK, httpx for Ollama) against a local
server that speaks its wire format: text, thinking, tool calls, usage, and every failure mode."""

from __future__ import annotations

import time
from typing import Any

import pytest

from privategpt.llm.errors import (
    ContextTooLong,
    ProviderAuthError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderTimeout,
)
from privategpt.llm.service import LLMService
from privategpt.llm.types import (
    ChatMessage,
    ChatOptions,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolCallComplete,
    ToolCallDelta,
    ToolDefinition,
    Usage,
)
from privategpt.settings import Settings
from tests.conftest import providers_document
from tests.llm.conftest import ServiceFactory
from tests.support.fake_llm import THINKING, FakeProvider, Fault

pytestmark = pytest.mark.anyio

MODELS = {"openai": "openai/gpt-4o-mini", "anthropic": "anthropic/claude-sonnet-4-9", "ollama": "ollama/llama3.2"}
THINKING_MODELS = {
    "openai": "openai/deepseek-reasoner",
    "anthropic": "anthropic/claude-sonnet-4-9",
    "ollama": "ollama/qwen3-think:8b",
}
WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
SYSTEM = ChatMessage(role="system", content="Be brief.")


def _messages(text: str) -> tuple[ChatMessage, ...]:
    return (SYSTEM, ChatMessage(role="user", content=text))


def _fake(
    name: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> FakeProvider:
    return {"openai": fake_openai, "anthropic": fake_anthropic, "ollama": fake_ollama}[name]


@pytest.fixture(params=["openai", "anthropic", "ollama"])
def provider(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


async def test_happy_path_text_and_usage(
    llm: LLMService, provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    prepared = await llm.prepare(MODELS[provider], _messages("Hi there"))
    response = await llm.complete(prepared)
    assert response.content == f"Hello from {provider}! You said: Hi there"
    assert response.thinking == ""
    assert response.stop_reason == "stop"
    # input: words in the system prompt and the message + 10; output: one per chunk.
    assert response.usage == Usage(input_tokens=4 + 10, output_tokens=7)
    assert response.provider == provider and response.time_to_first_token_ms is not None
    assert len(_fake(provider, fake_openai, fake_anthropic, fake_ollama).requests) == 1


async def test_thinking_streams_before_text(llm: LLMService, provider: str) -> None:
    prepared = await llm.prepare(THINKING_MODELS[provider], _messages("Why?"), options=ChatOptions(thinking=True))
    events = [e async for e in llm.stream(prepared)]
    kinds = [type(e) for e in events if isinstance(e, TextDelta | ThinkingDelta)]
    assert kinds[: len(THINKING)] == [ThinkingDelta] * len(THINKING)
    assert kinds[len(THINKING) :] and set(kinds[len(THINKING) :]) == {TextDelta}
    assert "".join(e.text for e in events if isinstance(e, ThinkingDelta)) == "".join(THINKING)


async def test_tool_call_round(
    llm: LLMService, provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    prepared = await llm.prepare(MODELS[provider], _messages("What's the weather in Paris?"), tools=(WEATHER,))
    events = [e async for e in llm.stream(prepared)]
    complete = [e.call for e in events if isinstance(e, ToolCallComplete)]
    assert [(c.name, c.arguments) for c in complete] == [("get_weather", {"city": "Paris"})]
    assert any(isinstance(e, ToolCallDelta) for e in events)
    response = await llm.complete(prepared)
    assert response.stop_reason == "tool_calls"

    # The tool's result goes back in each provider's own shape.
    call = complete[0]
    follow_up = (
        *_messages("What's the weather in Paris?"),
        ChatMessage(role="assistant", tool_calls=(ToolCall(call.id, call.name, call.arguments),)),
        ChatMessage(role="tool", content='{"temp_c": 18}', tool_call_id=call.id, name="get_weather"),
    )
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    answer = await llm.complete(await llm.prepare(MODELS[provider], follow_up, tools=(WEATHER,)))
    assert answer.content == 'Tool results: get_weather={"temp_c": 18}' and answer.tool_calls == ()
    sent = fake.requests[-1]
    if provider == "openai":
        assert sent["messages"][-1] == {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 18}'}
        assert sent["messages"][-2]["tool_calls"][0]["function"]["name"] == "get_weather"
        assert sent["tools"][0]["function"]["parameters"] == WEATHER.parameters
    elif provider == "anthropic":
        assert sent["system"] == "Be brief."
        assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
        assert sent["messages"][-1]["content"][0] == {
            "type": "tool_result",
            "tool_use_id": call.id,
            "content": '{"temp_c": 18}',
        }
        assert sent["tools"][0]["input_schema"] == WEATHER.parameters
    else:
        assert sent["messages"][-1] == {"role": "tool", "content": '{"temp_c": 18}', "tool_name": "get_weather"}
        assert sent["messages"][-2]["tool_calls"] == [
            {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
        ]


async def test_429_with_retry_after_then_success(
    llm: LLMService, provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(Fault("status", 429, retry_after="1"))
    started = time.monotonic()
    response = await llm.complete(await llm.prepare(MODELS[provider], _messages("again")))
    assert response.content.endswith("You said: again")
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert len(fake.requests) == 2


async def test_500_then_success(
    llm: LLMService, provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(Fault("status", 500))
    response = await llm.complete(await llm.prepare(MODELS[provider], _messages("retry me")))
    assert response.stop_reason == "stop"
    assert len(fake.requests) == 2


async def test_retries_run_out(
    llm: LLMService,
    provider: str,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
    settings: Settings,
) -> None:
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(*[Fault("status", 503)] * (settings.llm_retries + 1))
    with pytest.raises(ProviderOverloaded):
        await llm.complete(await llm.prepare(MODELS[provider], _messages("no luck")))
    assert len(fake.requests) == settings.llm_retries + 1
    fake.fail(*[Fault("status", 429, retry_after="0")] * (settings.llm_retries + 1))
    with pytest.raises(ProviderRateLimited) as caught:
        await llm.complete(await llm.prepare(MODELS[provider], _messages("no luck")))
    assert caught.value.headers == {"Retry-After": "1"}


async def test_bad_key_is_not_retried_and_not_leaked(
    llm: LLMService, provider: str, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(Fault("status", 401))
    with pytest.raises(ProviderAuthError) as caught:
        await llm.complete(await llm.prepare(MODELS[provider], _messages("who am i")))
    assert len(fake.requests) == 1
    assert caught.value.status_code == 502
    assert "sk-" not in caught.value.message and "fake failure" not in caught.value.message


@pytest.mark.parametrize("kind", ["malformed", "cut"])
async def test_stream_broken_half_way_keeps_what_arrived(
    llm: LLMService,
    provider: str,
    kind: str,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(Fault(kind))  # type: ignore[arg-type]
    events = [e async for e in llm.stream(await llm.prepare(MODELS[provider], _messages("one two three four")))]
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text and f"Hello from {provider}! You said: one two three four".startswith(text)
    failures = [e for e in events if isinstance(e, StreamFailure)]
    assert len(failures) == 1 and events[-1] is failures[0]
    assert failures[0].code in {"provider_bad_response", "provider_unreachable"}
    assert len(fake.requests) == 1  # never retried once output reached the caller


async def test_first_token_that_never_comes_times_out(
    make_service: ServiceFactory,
    settings: Settings,
    provider: str,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    for entry in document["providers"]:
        entry["timeouts"] = {"first_token": 0.5}
    service = make_service(document)
    await service.registry.refresh()
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    fake.fail(Fault("stall"))
    started = time.monotonic()
    with pytest.raises(ProviderTimeout) as caught:
        await service.complete(await service.prepare(MODELS[provider], _messages("hello?")))
    assert caught.value.status_code == 504
    assert time.monotonic() - started < 3


async def _slow_stream(
    make_service: ServiceFactory, document: dict[str, Any], fake: FakeProvider, model: str, delay: float
) -> tuple[list[Any], float]:
    service = make_service(document)
    await service.registry.refresh()
    fake.chunk_delay = delay
    try:
        started = time.monotonic()
        events = [e async for e in service.stream(await service.prepare(model, _messages("slow one")))]
        return events, time.monotonic() - started
    finally:
        fake.chunk_delay = 0.0


async def test_the_total_deadline_holds_once_output_flows(
    make_service: ServiceFactory,
    provider: str,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    """No timer is armed per read once output flows; the total deadline is checked as each event arrives, and
    the stream ends in a ``StreamFailure`` after the output that came."""
    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    for entry in document["providers"]:
        entry["timeouts"] = {"total": 0.6}
    fake = _fake(provider, fake_openai, fake_anthropic, fake_ollama)
    events, elapsed = await _slow_stream(make_service, document, fake, MODELS[provider], 0.15)
    assert any(isinstance(e, TextDelta) for e in events)
    assert isinstance(events[-1], StreamFailure) and events[-1].code == "provider_timeout"
    assert elapsed < 1.5  # the whole reply would take 1.5 s and more


async def test_a_read_that_stalls_after_output_is_ended_by_the_read_timeout(
    make_service: ServiceFactory, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    """Ollama's first line is already text; then each line takes 2 s, past the 0.5 s read timeout."""
    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    for entry in document["providers"]:
        entry["timeouts"] = {"first_token": 0.5}
    events, elapsed = await _slow_stream(make_service, document, fake_ollama, MODELS["ollama"], 2.0)
    assert isinstance(events[0], TextDelta)
    assert isinstance(events[-1], StreamFailure) and events[-1].code == "provider_timeout"
    assert elapsed < 1.8


async def test_provider_context_error_is_413(
    llm: LLMService, fake_openai: FakeProvider, fake_anthropic: FakeProvider
) -> None:
    for fake, model in ((fake_openai, MODELS["openai"]), (fake_anthropic, MODELS["anthropic"])):
        fake.fail(Fault("status", 400))
        with pytest.raises(ContextTooLong) as caught:
            await llm.complete(await llm.prepare(model, _messages("long")))
        assert caught.value.status_code == 413
        # the refusal is the caller's: the provider stays healthy
        state = next(s for s in llm.registry.states if s.name == model.split("/")[0])
        assert state.health() == "ok" and state.last_error is None


async def test_options_reach_the_wire(
    llm: LLMService, fake_openai: FakeProvider, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    options = ChatOptions(temperature=0.3, max_tokens=123)
    for model in MODELS.values():
        await llm.complete(await llm.prepare(model, _messages("x"), options=options))
    openai_body: dict[str, Any] = fake_openai.requests[-1]
    assert openai_body["temperature"] == 0.3 and openai_body["max_tokens"] == 123
    assert openai_body["stream_options"] == {"include_usage": True}
    assert fake_anthropic.requests[-1]["max_tokens"] == 123
    assert "temperature" not in fake_anthropic.requests[-1]  # refused by the current Anthropic API
    _, ollama_model = await llm.registry.resolve(MODELS["ollama"])
    assert fake_ollama.requests[-1]["options"] == {
        "temperature": 0.3,
        "num_predict": 123,
        "num_ctx": ollama_model.context_window,  # Ollama's window is the one our accounting uses
    }
    await llm.complete(
        await llm.prepare(MODELS["anthropic"], _messages("x"), options=ChatOptions(thinking=True, max_tokens=100))
    )
    sent = fake_anthropic.requests[-1]
    assert sent["thinking"]["type"] == "enabled" and sent["max_tokens"] > sent["thinking"]["budget_tokens"]
