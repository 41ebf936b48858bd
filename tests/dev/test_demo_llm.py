"""The demo model: OpenAI's wire format, the real provider path through the API, and never in a deployment."""

from __future__ import annotations

import ast
import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from privategpt.app import create_app
from privategpt.dev.demo_llm import (
    MODEL_ID,
    RESULT_SUMMARY_MAX_CHARS,
    DemoLLM,
    DemoReply,
    ToolCallReply,
    summarise,
)
from privategpt.llm import config as llm_config
from privategpt.llm.provider import collect
from privategpt.llm.providers.openai import OpenAIProvider
from privategpt.llm.secrets import api_key
from privategpt.llm.types import ChatMessage, ChatRequest, ChatResponse, ToolDefinition
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "privategpt"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoLLM]:
    with DemoLLM() as running:
        yield running


def _events(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("text/event-stream")
    return [line.removeprefix("data: ") for line in response.text.split("\n\n") if line]


def _chat(demo: DemoLLM, **body: Any) -> httpx.Response:
    body = {"model": "echo", "messages": [{"role": "user", "content": "hello demo"}], **body}
    return httpx.post(f"{demo.base_url}/chat/completions", json=body, timeout=10)


def test_streams_chat_completion_chunks_with_a_think_block_and_usage(demo: DemoLLM) -> None:
    events = _chat(demo, stream=True, stream_options={"include_usage": True}).raise_for_status()
    raw = _events(events)
    assert raw[-1] == "[DONE]"
    chunks = [json.loads(e) for e in raw[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1 and {c["model"] for c in chunks} == {"echo"}
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    usage_chunk, finish_chunk = chunks[-1], chunks[-2]
    assert usage_chunk["choices"] == []
    assert finish_chunk["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-2]]
    text = "".join(pieces)
    assert text.startswith("<think>") and "</think>You said: hello demo" in text
    assert len(pieces) > 10  # streamed word by word, not in one piece
    usage = usage_chunk["usage"]
    assert usage["completion_tokens"] == len(pieces)
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > len(pieces)

    without_usage = [json.loads(e) for e in _events(_chat(demo, stream=True))[:-1]]
    assert all(c["choices"] and "usage" not in c for c in without_usage)
    assert demo.requests[-1]["messages"][0]["content"] == "hello demo"


def test_models_whole_replies_limits_and_errors(demo: DemoLLM) -> None:
    listed = httpx.get(f"{demo.base_url}/models").json()
    assert listed["object"] == "list" and [m["id"] for m in listed["data"]] == ["echo"]
    assert httpx.get(f"{demo.base_url}/models/echo").json()["id"] == "echo"
    assert httpx.get(f"{demo.base_url}/models/nope").status_code == 404

    whole = _chat(demo).json()
    assert whole["object"] == "chat.completion" and whole["choices"][0]["finish_reason"] == "stop"
    assert "You said: hello demo" in whole["choices"][0]["message"]["content"]
    cut = _chat(demo, max_tokens=3).json()
    assert cut["choices"][0]["finish_reason"] == "length" and cut["usage"]["completion_tokens"] == 3

    unknown = _chat(demo, model="gpt-4o")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "model_not_found"
    bad = httpx.post(f"{demo.base_url}/chat/completions", content=b"{nope", timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()
    assert httpx.post(f"{demo.base_url}/chat/completions", json={"model": "echo"}).status_code == 400


def test_the_openai_sdk_reads_a_pluggable_reply_with_tool_calls() -> None:
    def reply(body: dict[str, Any]) -> DemoReply:
        return DemoReply(content="Checking.", tool_calls=[ToolCallReply("get_weather", {"city": "Paris"})])

    with DemoLLM(reply=reply, chunk_delay_seconds=0.001) as demo:
        client = openai.OpenAI(base_url=demo.base_url, api_key="unused")
        stream = client.chat.completions.create(
            model="echo", messages=[{"role": "user", "content": "weather?"}], stream=True
        )
        content, calls, finish = "", [], None
        for chunk in stream:
            for choice in chunk.choices:
                content += choice.delta.content or ""
                calls += choice.delta.tool_calls or []
                finish = choice.finish_reason or finish
        client.close()
    assert content == "Checking." and finish == "tool_calls"
    assert calls[0].function is not None and calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments or "") == {"city": "Paris"}


def test_demo_model_through_the_api_uses_the_real_openai_provider(
    settings: Settings, issuer: TestIssuer, demo: DemoLLM
) -> None:
    with_demo = settings.model_copy(update={"llm_demo_base_url": demo.base_url})
    headers = {"Authorization": f"Bearer {issuer.token(new_subject())}"}
    with serve(create_app(with_demo)) as url, httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        models = client.get("/api/models").json()["items"]
        assert models[-1]["id"] == MODEL_ID and models[-1]["provider"] == "demo"  # last: it never shadows
        assert models[-1]["capabilities"]["thinking"] is True
        conversation = client.post("/api/chat/conversations", json={}).json()
        sent = client.post(
            f"/api/chat/conversations/{conversation['id']}/messages", json={"content": "hi there", "model": MODEL_ID}
        )
    assert sent.status_code == 200, sent.text
    reply = sent.json()["assistant_message"]
    assert reply["content"].startswith("You said: hi there") and reply["thinking"].startswith("The user wrote 2")
    assert reply["provider"] == "demo" and reply["output_tokens"] > 10
    request = demo.requests[-1]
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}


def test_demo_is_wanted_only_when_nothing_is_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert llm_config.demo_wanted(make_settings())
    assert not llm_config.demo_wanted(make_settings(llm_providers_file=tmp_path / "providers.yaml"))
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        with monkeypatch.context() as patch:
            patch.setenv(key, "sk-real")
            assert not llm_config.demo_wanted(make_settings())


def test_config_adds_the_demo_last_and_never_hands_it_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [p.name for p in llm_config.load(make_settings()).providers] == ["ollama"]
    loaded = llm_config.load(make_settings(llm_demo_base_url="http://127.0.0.1:1/v1"))
    assert [p.name for p in loaded.providers] == ["ollama", "demo"]
    demo = loaded.providers[-1]
    assert demo.type == "openai" and demo.base_url == "http://127.0.0.1:1/v1" and demo.offers("echo")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    assert api_key(demo) is None


def test_settings_refuse_the_demo_inside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "api")
    monkeypatch.setenv("PGPT_AUTH_PROVIDER", "keycloak")
    monkeypatch.setenv("PGPT_AUTH_ISSUER", "https://kc.test/realms/x")
    monkeypatch.setenv("PGPT_AUTH_CLIENT_IDS", "web")
    assert Settings(_env_file=None).llm_demo_base_url is None
    monkeypatch.setenv("PGPT_LLM_DEMO_BASE_URL", "http://127.0.0.1:1/v1")
    with pytest.raises(ValueError, match="demo model"):
        Settings(_env_file=None)


def test_lambda_handlers_never_import_the_dev_package() -> None:
    code = (
        "import os, sys;"
        "os.environ.update(PGPT_AUTH_PROVIDER='keycloak', PGPT_AUTH_ISSUER='https://kc.test/realms/x',"
        " PGPT_AUTH_CLIENT_IDS='web', AWS_LAMBDA_FUNCTION_NAME='f', POWERTOOLS_TRACE_DISABLED='true');"
        "import privategpt.handlers.api, privategpt.handlers.stream;"
        "print('dev modules:', ','.join(m for m in sys.modules if m.startswith('privategpt.dev')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "dev modules:"  # (log lines come before)
    # Nor does any module outside privategpt/dev, even lazily (inside a function).
    importers = []
    for path in PACKAGE.rglob("*.py"):
        if "dev" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            importers += [f"{path.relative_to(PACKAGE)}: {n}" for n in names if n.startswith("privategpt.dev")]
    assert importers == []


SYSTEM_INFO = ToolDefinition(
    name="system_info", description="Version, models, provider health", parameters={"type": "object"}
)
STATUS = '{"version": "1.4.0", "models": ["demo/echo"], "providers": {"demo": "ok"}}'


async def _ask_demo(
    demo: DemoLLM, messages: tuple[ChatMessage, ...], tools: tuple[ToolDefinition, ...]
) -> ChatResponse:
    provider = OpenAIProvider(llm_config.demo_provider(demo.base_url), make_settings(), None)
    try:
        return await collect(provider.stream(ChatRequest("echo", messages, tools)), provider.name, "echo")
    finally:
        await provider.aclose()


def _answer(response: ChatResponse) -> str:
    """The content after the ``<think>`` block (the service splits them; the provider alone does not)."""
    return response.content.split("</think>", 1)[-1]


def test_the_demo_calls_system_info_when_asked_for_its_status(demo: DemoLLM) -> None:
    question = (ChatMessage(role="user", content="What is your status?"),)
    called = asyncio.run(_ask_demo(demo, question, (SYSTEM_INFO,)))
    assert called.stop_reason == "tool_calls"
    # only a short thought (the <think> block; the service splits it from the content) before the call
    assert called.content.startswith("<think>") and called.content.endswith("</think>")
    [call] = called.tool_calls
    assert (call.name, call.arguments) == ("system_info", {}) and call.id.startswith("call_demo_")
    assert demo.requests[-1]["tools"][0]["function"]["name"] == "system_info"

    history = (
        *question,
        ChatMessage(role="assistant", tool_calls=called.tool_calls),
        ChatMessage(role="tool", content=STATUS, tool_call_id=call.id, name=call.name),
    )
    answered = asyncio.run(_ask_demo(demo, history, (SYSTEM_INFO,)))
    assert answered.stop_reason == "stop" and answered.tool_calls == ()
    assert _answer(answered).startswith(
        'Here is what `system_info` returned: version: 1.4.0; models: ["demo/echo"]; providers: {"demo": "ok"}'
    )
    assert "demo model" in _answer(answered)
    assert demo.requests[-1]["messages"][-1] == {"role": "tool", "tool_call_id": call.id, "content": STATUS}


def test_the_demo_echoes_without_the_tool_or_the_question(demo: DemoLLM) -> None:
    status = (ChatMessage(role="user", content="What is your status?"),)
    other_tool = ToolDefinition(name="list_files", description="files", parameters={"type": "object"})
    for messages, tools in (
        (status, ()),
        (status, (other_tool,)),
        ((ChatMessage(role="user", content="hello there"),), (SYSTEM_INFO,)),
    ):
        response = asyncio.run(_ask_demo(demo, messages, tools))
        assert response.tool_calls == () and _answer(response).startswith(f"You said: {messages[0].content}")


def test_a_long_result_is_summarised_within_bounds() -> None:
    summary = summarise("<tool_output>" + json.dumps({"log": "y" * 5000, "n": 3}) + "</tool_output>")
    assert summary.startswith("log: yyy") and len(summary) <= RESULT_SUMMARY_MAX_CHARS and "n: 3" in summary
    assert summarise("plain   text\nresult") == "plain text result"
    assert len(summarise("z" * 5000)) == RESULT_SUMMARY_MAX_CHARS
