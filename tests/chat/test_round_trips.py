"""What a turn costs in DynamoDB calls, counted with a botocore hook on the process's one client, and the
stored plan that lets phase 2 start the provider call after a single call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from httpx_sse import connect_sse

from privategpt.app import create_app, create_stream_app
from privategpt.settings import Settings
from privategpt.storage import db
from tests.chat.conftest import conversation, detail, stream_url
from tests.support.api import User
from tests.support.fake_llm import FakeProvider
from tests.support.server import serve

MODEL = "ollama/llama3.2"


@dataclass
class Calls:
    """DynamoDB operations in order, each with how many provider requests had been made before it."""

    fake: FakeProvider
    seen: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, model: object, **kwargs: object) -> None:
        with self.lock:
            self.seen.append((getattr(model, "name", "?"), len(self.fake.requests)))

    def take(self) -> list[tuple[str, int]]:
        with self.lock:
            taken, self.seen = self.seen, []
        return taken


@pytest.fixture
def calls(fake_ollama: FakeProvider) -> Iterator[Calls]:
    counter = Calls(fake_ollama)
    events = db.connection().client.meta.events
    events.register("before-call.dynamodb", counter.hook)
    yield counter
    events.unregister("before-call.dynamodb", counter.hook)


def _stream(url: str) -> list[str]:
    with httpx.Client(timeout=30) as client, connect_sse(client, "GET", url) as source:
        return [event.event for event in source.iter_sse()]


def _warm(user: User, cid: str) -> None:
    """The user has been seen and the global prompts have been read: what every later turn finds."""
    response = user.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "warm", "model": MODEL})
    assert response.status_code == 200, response.text


def test_a_sync_turn_makes_five_calls(alice: User, calls: Calls) -> None:
    cid = conversation(alice)
    _warm(alice, cid)
    calls.take()
    response = alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "hi", "model": MODEL})
    assert response.status_code == 200, response.text
    # the limits' admission, the conversation and its prompts, the user message, the reply (with its tokens)
    assert [op for op, _ in calls.take()] == [
        "UpdateItem",
        "Query",
        "Query",
        "TransactWriteItems",
        "TransactWriteItems",
    ]
    # the returned conversation is this turn's writes applied, without reading it again: it matches storage
    stored = detail(alice, cid)
    returned = response.json()["conversation"]
    for key in ("message_count", "input_tokens", "output_tokens", "total_tokens", "model", "title"):
        assert returned[key] == stored[key], key


def test_a_streamed_turn_makes_six_calls_and_one_before_the_provider(
    alice: User, calls: Calls, stream_base: str, fake_ollama: FakeProvider
) -> None:
    cid = conversation(alice)
    _warm(alice, cid)
    calls.take()
    ticket = alice.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "stream me", "model": MODEL}
    )
    assert ticket.status_code == 200, ticket.text
    phase1 = [op for op, _ in calls.take()]
    assert phase1 == ["UpdateItem", "Query", "Query", "TransactWriteItems"]  # admission; session with the message
    before = len(fake_ollama.requests)
    assert _stream(stream_url(stream_base, ticket.json()))[-1] == "done"
    phase2 = calls.take()
    assert [op for op, _ in phase2] == ["UpdateItem", "TransactWriteItems"]
    # only consuming the token happens before the provider is asked
    assert [op for op, requests in phase2 if requests == before] == ["UpdateItem"]
    messages = detail(alice, cid)["messages"]
    assert [m["content"] for m in messages[-2:]] == ["stream me", "Hello from ollama! You said: stream me"]


def test_phase_two_answers_from_the_plan_even_if_history_changed(alice: User, stream_base: str) -> None:
    """The plan fixed in phase 1 is what the provider gets: a message added between the phases is not in it."""
    cid = conversation(alice)
    ticket = alice.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "first", "model": MODEL}
    ).json()
    other = alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "second", "model": MODEL})
    assert other.status_code == 200
    assert _stream(stream_url(stream_base, ticket))[-1] == "done"
    replies = [m["content"] for m in detail(alice, cid)["messages"] if m["role"] == "assistant"]
    assert sorted(replies) == ["Hello from ollama! You said: first", "Hello from ollama! You said: second"]


def test_a_plan_too_large_to_store_is_planned_again_in_phase_two(
    alice: User, settings: Settings, fake_ollama: FakeProvider
) -> None:
    small = settings.model_copy(update={"stream_plan_max_bytes": 16})
    with serve(create_app(small)) as api, serve(create_stream_app(small)) as streams:
        client = httpx.Client(base_url=api, headers=alice.headers, timeout=30)
        cid = conversation(alice)
        ticket = client.post(
            f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "no plan", "model": MODEL}
        )
        assert ticket.status_code == 200, ticket.text
        fake_ollama.requests.clear()
        assert _stream(stream_url(streams, ticket.json()))[-1] == "done"
        client.close()
    sent = fake_ollama.requests[-1]["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == ["no plan"]
    assert detail(alice, cid)["messages"][-1]["content"] == "Hello from ollama! You said: no plan"
