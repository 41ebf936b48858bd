"""POST …/messages (whole replies) and POST /api/chat/quick, over HTTP against the fake providers."""

from __future__ import annotations

import pytest

from privategpt.settings import Settings
from tests.chat.conftest import conversation, detail
from tests.support.api import User, assert_error
from tests.support.fake_llm import FakeProvider, Fault

MODELS = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-9", "ollama/llama3.2"]


@pytest.mark.parametrize("model", MODELS)
def test_send_saves_both_messages_with_usage(alice: User, model: str) -> None:
    cid = conversation(alice)
    response = alice.client.post(
        f"/api/chat/conversations/{cid}/messages", json={"content": "Hi there", "model": model}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    provider = model.split("/")[0]
    assert body["user_message"]["content"] == "Hi there" and body["user_message"]["token_count"] > 0
    reply = body["assistant_message"]
    assert reply["content"] == f"Hello from {provider}! You said: Hi there"
    assert (reply["model"], reply["provider"], reply["status"], reply["stop_reason"]) == (
        model,
        provider,
        "complete",
        "stop",
    )
    assert reply["input_tokens"] > 0 and reply["output_tokens"] == 7
    assert reply["latency_ms"] > 0
    conv = body["conversation"]
    assert conv["message_count"] == 2 and conv["model"] == model and conv["title"] == "Hi there"
    assert conv["total_tokens"] == reply["total_tokens"]
    stored = detail(alice, cid)
    assert [m["id"] for m in stored["messages"]] == [body["user_message"]["id"], reply["id"]]


def test_model_switching_and_history(alice: User, fake_anthropic: FakeProvider) -> None:
    cid = conversation(alice)
    alice.client.post(
        f"/api/chat/conversations/{cid}/messages", json={"content": "first", "model": "openai/gpt-4o-mini"}
    )
    second = alice.client.post(
        f"/api/chat/conversations/{cid}/messages", json={"content": "second", "model": "anthropic/claude-haiku-4-9"}
    ).json()
    assert second["conversation"]["model"] == "anthropic/claude-haiku-4-9"
    sent = fake_anthropic.requests[-1]["messages"]
    # The history from the other model goes along, in Anthropic's shape.
    assert [(m["role"], m["content"][0]["text"]) for m in sent] == [
        ("user", "first"),
        ("assistant", "Hello from openai! You said: first"),
        ("user", "second"),
    ]
    # No model in the request: the conversation's last one.
    third = alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "third"}).json()
    assert third["assistant_message"]["model"] == "anthropic/claude-haiku-4-9"


def test_system_prompt_selection(
    alice: User, admin: User, fake_openai: FakeProvider, fake_ollama: FakeProvider
) -> None:
    house = admin.client.post(
        "/api/prompts",
        json={
            "name": "house",
            "content": "House rules.",
            "scope": "global",
            "is_default": True,
            "model_pattern": "gpt-4o*",
        },
    ).json()
    try:
        cid = conversation(alice)
        alice.client.post(
            f"/api/chat/conversations/{cid}/messages", json={"content": "a", "model": "openai/gpt-4o-mini"}
        )
        assert fake_openai.requests[-1]["messages"][0] == {"role": "system", "content": "House rules."}
        mine = alice.client.post(
            "/api/prompts", json={"name": "mine", "content": "My rules.", "is_default": True, "model_pattern": "gpt-*"}
        ).json()
        alice.client.post(
            f"/api/chat/conversations/{cid}/messages", json={"content": "b", "model": "openai/gpt-4o-mini"}
        )
        assert fake_openai.requests[-1]["messages"][0]["content"] == "My rules."
        named = alice.client.post("/api/prompts", json={"name": "named", "content": "Named."}).json()
        alice.client.post(
            f"/api/chat/conversations/{cid}/messages",
            json={"content": "c", "model": "openai/gpt-4o-mini", "system_prompt_id": named["id"]},
        )
        assert fake_openai.requests[-1]["messages"][0]["content"] == "Named."
        # No default matches llama3.2 (patterns gpt-* and gpt-4o*), and none is named: no system message.
        alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "d", "model": "ollama/llama3.2"})
        assert all(m["role"] != "system" for m in fake_ollama.requests[-1]["messages"])
        # A default without a pattern applies to every model.
        alice.client.put(
            f"/api/prompts/{mine['id']}", json={"name": "mine", "content": "My rules.", "is_default": True}
        )
        alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "e", "model": "ollama/llama3.2"})
        assert fake_ollama.requests[-1]["messages"][0] == {"role": "system", "content": "My rules."}
    finally:
        admin.client.delete(f"/api/prompts/{house['id']}")


def test_context_too_long_is_413_and_stores_nothing(alice: User) -> None:
    cid = conversation(alice)
    response = alice.client.post(
        f"/api/chat/conversations/{cid}/messages", json={"content": "word " * 9000, "model": "openai/deepseek-reasoner"}
    )
    error = assert_error(response, 413, "context_too_long")
    assert set(error["details"]) == {"limit", "requested", "reserved_output", "models", "suggestions"}
    assert detail(alice, cid)["message_count"] == 0


def test_provider_failure_keeps_the_user_message(alice: User, fake_openai: FakeProvider) -> None:
    cid = conversation(alice)
    fake_openai.fail(Fault("status", 401))
    response = alice.client.post(
        f"/api/chat/conversations/{cid}/messages", json={"content": "hello", "model": "openai/gpt-4o"}
    )
    assert_error(response, 502, "provider_auth_error")
    messages = detail(alice, cid)["messages"]
    assert [(m["role"], m["status"]) for m in messages] == [("user", "complete"), ("assistant", "error")]
    assert messages[1]["error_code"] == "provider_auth_error"


def test_bad_input(alice: User, bob: User) -> None:
    cid = conversation(alice)
    url = f"/api/chat/conversations/{cid}/messages"
    assert_error(alice.client.post(url, json={"content": ""}), 422, "validation_error")
    assert_error(
        alice.client.post(url, json={"content": "x", "model": "openai/gpt-4o", "options": {"temperature": 9}}),
        422,
        "validation_error",
    )
    assert_error(alice.client.post(url, json={"content": "x", "model": "nope-model"}), 404, "model_not_found")
    assert_error(alice.client.post(url, json={"content": "x"}), 404, "model_not_found")  # none given, none set
    assert_error(bob.client.post(url, json={"content": "x", "model": "openai/gpt-4o"}), 404, "not_found")
    assert detail(alice, cid)["message_count"] == 0


def test_quick_chat_stores_only_usage(alice: User) -> None:
    before = alice.client.get("/api/usage").json()["totals"]["requests"]
    response = alice.client.post(
        "/api/chat/quick",
        json={
            "model": "ollama/llama3.2",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "quick one"}],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["content"] == "Hello from ollama! You said: quick one"
    assert body["usage"]["total_tokens"] == body["usage"]["input_tokens"] + body["usage"]["output_tokens"]
    assert alice.client.get("/api/usage").json()["totals"]["requests"] == before + 1
    assert alice.client.get("/api/chat/conversations").json()["items"] == []
    assert_error(
        alice.client.post("/api/chat/quick", json={"model": "ollama/llama3.2", "messages": []}), 422, "validation_error"
    )
    assert_error(
        alice.client.post(
            "/api/chat/quick", json={"model": "ollama/llama3.2", "messages": [{"role": "tool", "content": "x"}]}
        ),
        422,
        "validation_error",
    )


def test_size_limits(alice: User, settings: Settings) -> None:
    cid = conversation(alice)
    long = "x" * (settings.max_message_chars + 1)
    for path in (f"/api/chat/conversations/{cid}/messages", f"/api/chat/conversations/{cid}/prepare-stream"):
        error = assert_error(
            alice.client.post(path, json={"content": long, "model": "ollama/llama3.2"}), 422, "validation_error"
        )
        assert error["details"]["field"] == "content"
    assert detail(alice, cid)["message_count"] == 0
    too_many = [{"role": "user", "content": "hi"}] * (settings.max_quick_messages + 1)
    response = alice.client.post("/api/chat/quick", json={"model": "ollama/llama3.2", "messages": too_many})
    assert assert_error(response, 422, "validation_error")["details"] == {"limit": settings.max_quick_messages}
    quick_long = [{"role": "user", "content": long}]
    assert_error(
        alice.client.post("/api/chat/quick", json={"model": "ollama/llama3.2", "messages": quick_long}),
        422,
        "validation_error",
    )
