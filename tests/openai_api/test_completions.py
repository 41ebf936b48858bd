"""``POST /v1/chat/completions``, whole: OpenAI's shapes, what reaches each provider, usage recorded as chat's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.openai_api.inprocess import client_for, post, stream_base, v1
from tests.support.api import User
from tests.support.fake_llm import FakeProvider

__all__ = ["stream_base", "v1"]

MODEL = "openai/gpt-4o-mini"


def test_a_completion_has_openai_shape_and_ignores_unknown_fields(v1: str, alice: User) -> None:
    body = {
        "model": MODEL,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}],
        "seed": 7,
        "user": "someone",
        "logit_bias": {},
        "a_field_of_a_future_version": {"x": 1},
    }
    response = post(v1, alice, "/chat/completions", body)
    assert response.status_code == 200, response.text
    completion = response.json()
    assert completion["object"] == "chat.completion"
    assert completion["id"].startswith("chatcmpl-")
    assert isinstance(completion["created"], int)
    assert completion["model"] == MODEL
    [choice] = completion["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == "Hello from openai! You said: Hi there"
    assert "tool_calls" not in choice["message"] and "reasoning_content" not in choice["message"]
    usage = completion["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert "sources" not in completion and "conversation_id" not in completion


def test_the_sdk_reads_it_and_usage_is_recorded_as_chat_records_it(v1: str, alice: User) -> None:
    client = client_for(v1, alice)
    completion = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "count me"}])
    assert completion.choices[0].message.content == "Hello from openai! You said: count me"
    report = alice.client.get("/api/usage").json()
    line = report["models"][MODEL]
    assert line["requests"] == 1
    assert line["input_tokens"] == completion.usage.prompt_tokens  # type: ignore[union-attr]
    assert line["output_tokens"] == completion.usage.completion_tokens  # type: ignore[union-attr]
    assert line["cost_usd"] > 0  # the providers file prices gpt-4o-mini
    assert alice.client.get("/api/chat/conversations").json()["items"] == []  # nothing stored unless asked


def test_options_reach_the_openai_provider(v1: str, alice: User, fake_openai: FakeProvider) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    body = {
        "model": MODEL,
        "messages": [{"role": "developer", "content": "Rules."}, {"role": "user", "content": "weather?"}],
        "temperature": 0.2,
        "max_completion_tokens": 50,
        "stop": ["END", "STOP"],
        "tools": tools,
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    }
    assert post(v1, alice, "/chat/completions", body).status_code == 200
    sent = fake_openai.requests[-1]
    assert sent["temperature"] == 0.2
    assert sent["stop"] == ["END", "STOP"]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather"]
    assert sent["messages"][0] == {"role": "system", "content": "Rules."}
    assert (sent.get("max_tokens") or sent.get("max_completion_tokens")) == 50


def test_options_reach_anthropic_and_ollama_in_their_words(
    v1: str, alice: User, fake_anthropic: FakeProvider, fake_ollama: FakeProvider
) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    for model, choice in (("anthropic/claude-haiku-4-9", "required"), ("ollama/llama3.2", "none")):
        body = {
            "model": model,
            "messages": [{"role": "user", "content": "hello"}],
            "stop": "END",
            "tools": tools,
            "tool_choice": choice,
        }
        response = post(v1, alice, "/chat/completions", body)
        assert response.status_code == 200, response.text
    anthropic = fake_anthropic.requests[-1]
    assert anthropic["stop_sequences"] == ["END"]
    assert anthropic["tool_choice"] == {"type": "any"}
    ollama = fake_ollama.requests[-1]
    assert ollama["options"]["stop"] == ["END"]
    assert "tools" not in ollama  # Ollama has no tool_choice: "none" offers no tools


def test_reasoning_arrives_as_reasoning_content(v1: str, alice: User) -> None:
    body = {"model": "openai/deepseek-reasoner", "messages": [{"role": "user", "content": "think"}]}
    message = post(v1, alice, "/chat/completions", body).json()["choices"][0]["message"]
    assert message["reasoning_content"] == "Let me think about it."
    assert message["content"] == "Hello from openai! You said: think"


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-9", "ollama/llama3.2"])
def test_client_side_tools_round_trip(v1: str, alice: User, model: str) -> None:
    client = client_for(v1, alice)
    tools: Any = [
        {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}},
        {"type": "function", "function": {"name": "clock", "parameters": {"type": "object", "properties": {}}}},
    ]
    ask: Any = {"role": "user", "content": 'both [[call lookup {"q": "heron"}]] [[call clock]]'}
    first = client.chat.completions.create(model=model, messages=[ask], tools=tools)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [(c.function.name, c.function.arguments) for c in calls] == [  # type: ignore[union-attr]
        ("lookup", '{"q": "heron"}'),
        ("clock", "{}"),
    ]
    assert all(c.id for c in calls) and len({c.id for c in calls}) == 2
    results: Any = [{"role": "tool", "tool_call_id": c.id, "content": f"result of {c.function.name}"} for c in calls]  # type: ignore[union-attr]
    echoed: Any = choice.message.model_dump(exclude_none=True)  # the assistant turn, as the SDK gave it
    second = client.chat.completions.create(model=model, messages=[ask, echoed, *results], tools=tools)
    assert second.choices[0].message.content == "Tool results: lookup=result of lookup; clock=result of clock"
    assert second.choices[0].finish_reason == "stop"


def test_text_parts_are_joined_and_other_parts_refused(v1: str, alice: User) -> None:
    parts = [{"type": "text", "text": "two "}, {"type": "text", "text": "parts"}]
    body = {"model": MODEL, "messages": [{"role": "user", "content": parts}]}
    assert post(v1, alice, "/chat/completions", body).json()["choices"][0]["message"]["content"].endswith("two parts")
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    response = post(
        v1, alice, "/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": [image]}]}
    )
    assert response.status_code == 400 and "only text parts" in response.json()["error"]["message"]
