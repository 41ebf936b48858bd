"""Streamed completions: OpenAI's chunks, ``[DONE]``, usage with ``include_usage``, reasoning and tool calls as
deltas, errors before (HTTP) and after (a last ``data:`` error) the first byte, usage kept when the client leaves."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import openai
import pytest

from privategpt.settings import Settings
from tests.openai_api.inprocess import chunks_of, client_for, errors_of, post, stream_base, v1
from tests.support.api import User
from tests.support.fake_llm import FakeProvider, Fault

__all__ = ["stream_base", "v1"]

MODEL = "openai/gpt-4o-mini"


def _stream(v1: str, user: User, **body: Any) -> tuple[list[dict[str, Any]], list[str]]:
    response = post(v1, user, "/chat/completions", {"model": MODEL, "stream": True, **body})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return chunks_of(response)


def test_chunks_then_usage_then_done(v1: str, alice: User) -> None:
    messages = [{"role": "user", "content": "stream this please"}]
    chunks, raw = _stream(v1, alice, messages=messages, stream_options={"include_usage": True})
    assert raw[-1] == "[DONE]"
    ids = {c["id"] for c in chunks}
    assert len(ids) == 1 and ids.pop().startswith("chatcmpl-")
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert {c["model"] for c in chunks} == {MODEL}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    *body, finish, last = chunks
    assert finish["choices"][0]["finish_reason"] == "stop" and finish["usage"] is None
    assert all(c["usage"] is None and c["choices"][0]["finish_reason"] is None for c in body)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in body)
    whole = post(v1, alice, "/chat/completions", {"model": MODEL, "messages": messages}).json()
    assert text == whole["choices"][0]["message"]["content"]
    assert last["choices"] == [] and last["usage"] == whole["usage"]


def test_without_include_usage_no_chunk_carries_usage(v1: str, alice: User) -> None:
    chunks, raw = _stream(v1, alice, messages=[{"role": "user", "content": "hi"}])
    assert raw[-1] == "[DONE]"
    assert all("usage" not in c for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_reasoning_streams_as_reasoning_content_before_the_answer(v1: str, alice: User) -> None:
    body = {"model": "openai/deepseek-reasoner", "messages": [{"role": "user", "content": "why"}]}
    chunks, _ = _stream(v1, alice, **body)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    reasoning = "".join(d.get("reasoning_content") or "" for d in deltas)
    assert reasoning == "Let me think about it."
    first_content = next(i for i, d in enumerate(deltas) if d.get("content"))
    assert all(not d.get("reasoning_content") for d in deltas[first_content:])


@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-9", "ollama/llama3.2"])
def test_streamed_tool_calls_assemble_as_the_sdk_assembles_them(v1: str, alice: User, model: str) -> None:
    tools: Any = [{"type": "function", "function": {"name": n, "parameters": {"type": "object"}}} for n in "ab"]
    content = 'go [[call a {"city": "Paris", "days": 3}]] [[call b {"x": [1, 2]}]]'
    stream = client_for(v1, alice).chat.completions.create(
        model=model, messages=[{"role": "user", "content": content}], tools=tools, stream=True
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                entry = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                if delta.id:
                    assert not entry["id"], "an id is sent once, in the call's first delta"
                    entry["id"] = delta.id
                if delta.function is not None:
                    entry["name"] += delta.function.name or ""
                    entry["arguments"] += delta.function.arguments or ""
    assert finish == "tool_calls"
    assert sorted(calls) == [0, 1]
    assert [(calls[i]["name"], json.loads(calls[i]["arguments"])) for i in (0, 1)] == [
        ("a", {"city": "Paris", "days": 3}),
        ("b", {"x": [1, 2]}),
    ]
    assert all(calls[i]["id"] for i in (0, 1))  # made here when the provider sends none (Ollama)


def test_a_failure_before_the_first_token_is_an_http_error(
    v1: str, alice: User, fake_openai: FakeProvider, settings: Settings
) -> None:
    attempts = 1 + settings.llm_retries  # every attempt fails
    fake_openai.fail(*[Fault("status", 500)] * attempts)
    response = post(
        v1, alice, "/chat/completions", {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    error = errors_of(response, 502, response.json()["error"]["code"])
    assert error["type"] == "server_error"
    fake_openai.fail(*[Fault("status", 500)] * attempts)
    with pytest.raises(openai.InternalServerError):
        client_for(v1, alice).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "x"}], stream=True
        )


def test_a_stream_cut_after_output_ends_with_an_error_the_sdk_raises(
    v1: str, alice: User, fake_openai: FakeProvider
) -> None:
    fake_openai.fail(Fault("cut"))
    response = post(
        v1,
        alice,
        "/chat/completions",
        {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "one two three four five"}]},
    )
    chunks, raw = chunks_of(response)
    assert raw[-1] != "[DONE]"
    assert set(chunks[-1]) == {"error"} and chunks[-1]["error"]["type"] == "server_error"
    fake_openai.fail(Fault("cut"))
    stream = client_for(v1, alice).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "one two three four five"}], stream=True
    )
    with pytest.raises(openai.APIError):
        for _ in stream:
            pass


def test_a_client_that_leaves_still_has_its_usage_recorded(v1: str, bob: User, fake_openai: FakeProvider) -> None:
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": " ".join(["word"] * 200)}]}
    fake_openai.chunk_delay = 0.02
    try:
        with (
            httpx.Client(timeout=30) as client,
            client.stream("POST", v1 + "/chat/completions", json=body, headers=bob.headers) as response,
        ):
            assert response.status_code == 200
            for line in response.iter_lines():
                if '"content"' in line and "You said" in line:
                    break  # leave mid-answer
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            models = bob.client.get("/api/usage").json()["models"]
            if MODEL in models:
                break
            time.sleep(0.1)
        assert models[MODEL]["requests"] == 1
        assert models[MODEL]["output_tokens"] > 0
    finally:
        fake_openai.chunk_delay = 0.0
