"""Chat with small context windows, over HTTP: a 4,096-token model answers a long conversation, a prompt that
leaves no room for an answer is a 413 that names roomier models, and a conversation that outgrew a server's
real (unannounced) window recovers after the server refuses it once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from privategpt.app import create_app, create_stream_app
from privategpt.auth.principal import user_id_for
from privategpt.llm.registry import LEARNED_WINDOWS
from privategpt.llm.tokens import REPLY_PRIMING, TokenCounter
from privategpt.llm.types import ChatMessage
from privategpt.settings import Settings
from tests.chat.conftest import conversation, detail, stream_url
from tests.support.api import User, assert_error
from tests.support.fake_llm import FakeProvider, ollama_app, openai_app, running
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve

TINY = "tiny/tiny:1b"  # Ollama says 4096 tokens
STRICT = "strict/smol"  # llama.cpp-style server with a real window of 1024 that it announces nowhere
ROOMY = "roomy/big-32k"  # vLLM-style, 32k, stated in /v1/models
WINDOW = 4096


@dataclass
class Small:
    api: str
    stream: str
    tiny: FakeProvider
    strict: FakeProvider
    roomy: FakeProvider
    settings: Settings


@pytest.fixture(scope="module")
def small(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Small]:
    tiny = FakeProvider("ollama", ["tiny:1b"])
    strict = FakeProvider("openai", ["smol"], window=1024, dialect="llamacpp", report_window=False)
    roomy = FakeProvider("openai", ["big-32k"], window=32768, dialect="vllm")
    with (
        running(tiny, lambda state: ollama_app(state, WINDOW)),
        running(strict, openai_app, "/v1"),
        running(roomy, openai_app, "/v1"),
    ):
        path = Path(tmp_path_factory.mktemp("small")) / "providers.json"
        key = {"api_key_env": "FAKE_OPENAI_KEY"}
        document = {
            "providers": [
                {"name": "tiny", "type": "ollama", "base_url": tiny.url},
                {"name": "strict", "type": "openai", "base_url": strict.url, **key},
                {"name": "roomy", "type": "openai", "base_url": roomy.url, **key},
            ]
        }
        path.write_text(json.dumps(document))
        # no tools offered: the budget arithmetic below counts messages only (tools: tests/chat/test_tools.py)
        update = {"llm_providers_file": path, "llm_discovery_timeout_seconds": 30.0, "tools_default_enabled": []}
        mine = settings.model_copy(update=update)
        with serve(create_app(mine)) as api, serve(create_stream_app(mine)) as stream:
            yield Small(api, stream, tiny, strict, roomy, mine)


@pytest.fixture
def user(small: Small, issuer: TestIssuer) -> Iterator[User]:
    for fake in (small.tiny, small.strict, small.roomy):
        fake.reset()
        for key in [key for key in LEARNED_WINDOWS if key[1] == fake.url]:
            del LEARNED_WINDOWS[key]  # each test meets the servers' windows afresh
    subject = new_subject()
    token = issuer.token(subject)
    with httpx.Client(base_url=small.api, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield User(subject, user_id_for(issuer.url, subject), token, client)


def send(user: User, cid: str, content: str, model: str) -> httpx.Response:
    return user.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": content, "model": model})


def stream(user: User, small: Small, cid: str, content: str, model: str) -> list[tuple[str, dict[str, Any]]]:
    response = user.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": content, "model": model}
    )
    assert response.status_code == 200, response.text
    events: list[tuple[str, dict[str, Any]]] = []
    with httpx.Client(timeout=60) as client:
        body = client.get(stream_url(small.stream, response.json())).text
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


def words(n: int, tag: str = "word") -> str:
    return " ".join([tag] * n)


def test_a_4096_token_model_streams_an_answer_to_a_3000_token_conversation(user: User, small: Small) -> None:
    cid = conversation(user)
    for turn in range(3):
        response = send(user, cid, words(500, f"t{turn}"), TINY)
        assert response.status_code == 200, response.text  # every one was a 413 when the window was reserved
    stored = detail(user, cid)["messages"]
    assert sum(m["token_count"] for m in stored) >= 3000

    events = stream(user, small, cid, words(300, "last"), TINY)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and "error" not in kinds
    assert "".join(e["delta"] for kind, e in events if kind == "content").startswith("Hello from ollama!")
    assert events[-1][1]["stop_reason"] == "stop"

    sent = small.tiny.requests[-1]
    # History was trimmed to what fits, newest kept; the answer got what the window leaves.
    contents = [m["content"] for m in sent["messages"]]
    assert contents[-1] == words(300, "last")
    history = [m["content"] for m in stored]
    assert 1 <= len(contents) - 1 < len(history)
    assert contents[:-1] == history[-(len(contents) - 1) :]
    counts = {m["content"]: m["token_count"] for m in detail(user, cid)["messages"]}
    prompt = sum(counts[c] for c in contents) + REPLY_PRIMING
    assert sent["options"]["num_ctx"] == WINDOW
    assert sent["options"]["num_predict"] == WINDOW - prompt
    assert sent["options"]["num_predict"] >= WINDOW // 2  # history left half the window to the answer


def _message_of(tokens: int, settings: Settings) -> str:
    """A message that we count as about ``tokens`` tokens for the tiny model."""
    counter = TokenCounter(settings)
    n = tokens
    while counter.count_message("ollama", "tiny:1b", ChatMessage("user", words(n))) > tokens:
        n -= 10
    return words(n)


def test_a_prompt_that_leaves_less_than_the_minimum_answer_is_413(user: User, small: Small) -> None:
    cid = conversation(user)
    minimum = small.settings.llm_min_answer_tokens
    response = send(user, cid, _message_of(WINDOW - minimum // 2, small.settings), TINY)
    error = assert_error(response, 413, "context_too_long")
    details = error["details"]
    assert details["limit"] == WINDOW and details["reserved_output"] == minimum
    assert f"use a model with a larger context window: {ROOMY}" in details["suggestions"]
    assert detail(user, cid)["message_count"] == 0  # refused before anything was stored
    assert small.tiny.requests == []

    # A 3,000-token message fits, and its answer gets the rest of the window.
    response = send(user, cid, _message_of(3000, small.settings), TINY)
    assert response.status_code == 200, response.text
    options = small.tiny.requests[-1]["options"]
    assert options["num_predict"] == WINDOW - (response.json()["user_message"]["token_count"] + REPLY_PRIMING)


def test_a_conversation_recovers_after_the_server_refuses_it(user: User, small: Small) -> None:
    strict = small.strict
    cid = conversation(user)
    refused: dict[str, Any] | None = None
    for turn in range(8):  # the history grows until the server's real window (1024) no longer holds it
        response = send(user, cid, words(150, f"t{turn}"), STRICT)
        if response.status_code != 200:
            refused = assert_error(response, 413, "context_too_long")
            break
    assert refused is not None, "the server never refused"
    assert refused["details"]["limit"] == 1024  # the window the server stated
    assert strict.refusals == 1

    # The next turn, even a short one, is fitted to the learned window and answered.
    response = send(user, cid, "Hi", STRICT)
    assert response.status_code == 200, response.text
    assert response.json()["assistant_message"]["content"] == "Hello from openai! You said: Hi"
    models = {m["id"]: m for m in user.client.get("/api/models").json()["items"]}
    assert models[STRICT]["context_window"] <= 1024
    # And it keeps working as the conversation goes on, through both phases of a stream too.
    assert send(user, cid, words(150, "more"), STRICT).status_code == 200
    events = stream(user, small, cid, words(150, "streamed"), STRICT)
    assert [kind for kind, _ in events][-1] == "done" and "error" not in [kind for kind, _ in events]
    assert strict.refusals == 1
    stored = detail(user, cid)["messages"]
    assert len(strict.requests[-1]["messages"]) < len(stored)  # older history left out


def test_a_streamed_conversation_recovers_after_the_server_refuses_it(user: User, small: Small) -> None:
    cid = conversation(user)
    refused: dict[str, Any] | None = None
    for turn in range(8):
        events = stream(user, small, cid, words(150, f"s{turn}"), STRICT)
        errors = [data for kind, data in events if kind == "error"]
        if errors:
            refused = errors[0]
            break
    assert refused is not None and refused["code"] == "context_too_long"
    assert "1024" in refused["message"]
    events = stream(user, small, cid, "Hi again", STRICT)
    assert "error" not in [kind for kind, _ in events]
    assert "".join(e["delta"] for kind, e in events if kind == "content") == "Hello from openai! You said: Hi again"
    assert small.strict.refusals == 1


def test_phase_two_fits_a_stored_plan_to_a_window_learned_after_phase_one(user: User, small: Small) -> None:
    """In AWS the streaming function can learn a server's window (from a refusal) that the API function, which
    planned phase 1, never saw. Phase 2 then does not send the stored plan that no longer fits: it fits the
    history to the learned window, and the turn is answered."""
    cid = conversation(user)
    for turn in range(3):
        assert send(user, cid, words(200, f"h{turn}"), ROOMY).status_code == 200
    ticket = user.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "the question", "model": ROOMY}
    )
    assert ticket.status_code == 200, ticket.text
    LEARNED_WINDOWS[("roomy", small.roomy.url, "big-32k")] = 700  # what the stream process learned meanwhile
    with httpx.Client(timeout=60) as client:
        body = client.get(stream_url(small.stream, ticket.json())).text
    assert "event: error" not in body and '"stop_reason":"stop"' in body
    sent = [m["content"] for m in small.roomy.requests[-1]["messages"]]
    assert sent[-1] == "the question" and len(sent) < 7  # older turns were left out to fit 700 tokens
