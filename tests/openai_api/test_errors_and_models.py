"""``/v1`` answers every error in OpenAI's shape with OpenAI's status, so each SDK raises its own class; the
model list is the registry's (qualified ids) plus the embedding model."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openai
import pytest

from privategpt.app import create_stream_app
from privategpt.settings import Settings
from tests.openai_api.inprocess import client_for, errors_of, post, stream_base, v1
from tests.support.api import User
from tests.support.fake_llm import FakeProvider
from tests.support.server import serve

__all__ = ["stream_base", "v1"]

MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hi"}]


def test_no_or_a_bad_bearer_is_a_401_invalid_api_key(v1: str) -> None:
    errors_of(post(v1, None, "/chat/completions", {"model": MODEL, "messages": HELLO}), 401, "invalid_api_key")
    response = httpx.get(v1 + "/models", headers={"Authorization": "Bearer pgpt-not-a-key"}, timeout=30)
    error = errors_of(response, 401, "invalid_api_key")
    assert error["type"] == "invalid_request_error"
    assert response.headers["www-authenticate"].startswith("Bearer")
    with pytest.raises(openai.AuthenticationError) as caught:
        openai.OpenAI(base_url=v1, api_key="not-a-jwt", max_retries=0).models.list()
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"


def test_a_bad_body_is_a_400_naming_the_parameter(v1: str, alice: User) -> None:
    error = errors_of(
        post(v1, alice, "/chat/completions", {"model": MODEL, "messages": "hi"}), 400, "invalid_request_error"
    )
    assert error["param"] == "messages"
    error = errors_of(
        post(v1, alice, "/chat/completions", {"model": MODEL, "messages": HELLO, "temperature": 9}),
        400,
        "invalid_request_error",
    )
    assert error["param"] == "temperature"
    errors_of(
        post(v1, alice, "/chat/completions", {"model": MODEL, "messages": HELLO, "n": 2}), 400, "invalid_request_error"
    )
    tool_result = {"role": "tool", "content": "x"}
    error = errors_of(
        post(v1, alice, "/chat/completions", {"model": MODEL, "messages": [tool_result]}), 400, "invalid_request_error"
    )
    assert error["param"] == "messages[0].tool_call_id"
    with pytest.raises(openai.BadRequestError):
        client_for(v1, alice).chat.completions.create(model=MODEL, messages=[])
    five_stops = {"model": MODEL, "messages": HELLO, "stop": ["a", "b", "c", "d", "e"]}  # OpenAI allows 4
    assert errors_of(post(v1, alice, "/chat/completions", five_stops), 400, "invalid_request_error")["param"] == "stop"
    bad_choice = {"model": MODEL, "messages": HELLO, "tools": [], "tool_choice": "sometimes"}
    errors_of(post(v1, alice, "/chat/completions", bad_choice), 400, "invalid_request_error")


def test_unknown_models_and_paths_are_404s(v1: str, alice: User) -> None:
    error = errors_of(
        post(v1, alice, "/chat/completions", {"model": "nope/nothing", "messages": HELLO}), 404, "model_not_found"
    )
    assert error["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError):
        client_for(v1, alice).chat.completions.create(model="nope/nothing", messages=[{"role": "user", "content": "x"}])
    errors_of(httpx.get(v1 + "/files", headers=alice.headers, timeout=30), 404, "not_found")
    errors_of(httpx.get(v1 + "/models/nope/nothing", headers=alice.headers, timeout=30), 404, "not_found")


def test_models_are_the_registry_s_and_the_embedding_model(v1: str, alice: User) -> None:
    listed = client_for(v1, alice).models.list()
    ids = [m.id for m in listed]
    api_ids = [m["id"] for m in alice.client.get("/api/models").json()["items"]]
    assert ids[: len(api_ids)] == api_ids
    assert ids[-1] == "local/all-MiniLM-L6-v2-int8"
    first = listed.data[0]
    assert first.object == "model" and first.owned_by == first.id.split("/")[0] and first.created > 0
    one = client_for(v1, alice).models.retrieve("anthropic/claude-haiku-4-9")
    assert one.id == "anthropic/claude-haiku-4-9"


def test_the_api_error_body_carries_openai_s_type_too(alice: User) -> None:
    response = alice.client.post("/api/chat/quick", json={"messages": []})
    body = response.json()["error"]
    assert response.status_code == 422 and body["type"] == "invalid_request_error"


def test_a_prompt_over_the_window_is_a_400_context_length_exceeded(
    alice: User, settings: Settings, fake_openai: FakeProvider, tmp_path: Path
) -> None:
    document = {
        "providers": [
            {
                "name": "small",
                "type": "openai",
                "base_url": fake_openai.url,
                "api_key_env": "FAKE_OPENAI_KEY",
                "allow": ["gpt-4o-mini"],
                "models": {"gpt-4o-mini": {"context_window": 400, "max_output_tokens": 100}},
            }
        ]
    }
    (tmp_path / "providers.json").write_text(json.dumps(document))
    small = settings.model_copy(update={"llm_providers_file": tmp_path / "providers.json"})
    with serve(create_stream_app(small)) as base:
        long = " ".join(["word"] * 1000)
        body = {"model": "small/gpt-4o-mini", "messages": [{"role": "user", "content": long}]}
        error = errors_of(post(base + "/v1", alice, "/chat/completions", body), 400, "context_length_exceeded")
        assert error["type"] == "invalid_request_error" and "window" in error["message"]
        with pytest.raises(openai.BadRequestError) as caught:
            client_for(base + "/v1", alice).chat.completions.create(
                model="small/gpt-4o-mini", messages=[{"role": "user", "content": long}]
            )
        assert caught.value.code == "context_length_exceeded"


def test_a_long_message_is_bounded_by_the_window_unless_it_is_stored(v1: str, alice: User, settings: Settings) -> None:
    long = "x " * (settings.max_message_chars // 2 + 10)  # over the stored-message limit, well inside the window
    body = {"model": MODEL, "messages": [{"role": "user", "content": long}]}
    assert post(v1, alice, "/chat/completions", body).status_code == 200
    error = errors_of(post(v1, alice, "/chat/completions", {**body, "store": True}), 400, "invalid_request_error")
    assert error["param"] == "messages[0].content"
