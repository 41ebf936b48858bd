"""Two-phase streaming end to end: phase 1 on the API server, phase 2 on the streaming app's own server,
read with a real SSE client (httpx-sse), against the protocol-faithful provider servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse
from pynamodb.transactions import TransactWrite

from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from privategpt.storage import db, streams
from tests.chat.conftest import conversation, detail, stream_url
from tests.conftest import REPO_ROOT
from tests.support.api import User, assert_error
from tests.support.fake_llm import FakeProvider, Fault
from tests.support.issuer import CLIENT_ID, TestIssuer

MODELS = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-9", "ollama/llama3.2"]


def prepare(user: User, cid: str, **body: Any) -> dict[str, Any]:
    response = user.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body)
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()
    return ticket


def read_events(url: str, *, stop_after: int | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    events: list[tuple[str, str, dict[str, Any]]] = []
    with httpx.Client(timeout=30) as client, connect_sse(client, "GET", url) as source:
        assert source.response.headers["content-type"].startswith("text/event-stream")
        for sse in source.iter_sse():
            events.append((sse.id, sse.event, json.loads(sse.data)))
            if stop_after is not None and len(events) >= stop_after:
                break
    return events


@pytest.mark.parametrize("model", MODELS)
def test_happy_path(alice: User, stream_base: str, model: str) -> None:
    cid = conversation(alice)
    ticket = prepare(alice, cid, content="Hi there", model=model)
    assert len(ticket["token"]) >= 22  # >= 128 random bits, url-safe
    events = read_events(stream_url(stream_base, ticket))
    kinds = [kind for _, kind, _ in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and "usage" in kinds
    assert [int(i) for i, _, _ in events] == list(range(1, len(events) + 1))
    start, done = events[0][2], events[-1][2]
    assert start["model"] == model and start["conversation_id"] == cid
    text = "".join(data["delta"] for _, kind, data in events if kind == "content")
    provider = model.split("/")[0]
    assert text == f"Hello from {provider}! You said: Hi there"
    assert done["message_id"] == start["message_id"] and done["stop_reason"] == "stop"
    # The reply was stored before `done` went out, with the provider's exact usage.
    stored = detail(alice, cid)
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]
    reply = stored["messages"][1]
    assert reply["id"] == done["message_id"] and reply["content"] == text
    assert reply["total_tokens"] == done["usage"]["total_tokens"] == stored["total_tokens"]
    assert stored["messages"][0]["id"] == ticket["user_message_id"]


def test_native_thinking_and_think_tags_split_across_chunks(alice: User, stream_base: str) -> None:
    cid = conversation(alice)
    native = read_events(
        stream_url(
            stream_base,
            prepare(alice, cid, content="why", model="anthropic/claude-haiku-4-9", options={"thinking": True}),
        )
    )
    assert "".join(d["delta"] for _, k, d in native if k == "thinking") == "Let me think about it."
    # The fake echoes the message word by word, so the tag arrives split across chunks.
    tagged = read_events(
        stream_url(
            stream_base,
            prepare(
                alice,
                cid,
                content='<think>secret plan</think>visible <card title="T">inside card</card>',
                model="openai/gpt-4o-mini",
            ),
        )
    )
    assert "".join(d["delta"] for _, k, d in tagged if k == "thinking") == "secret plan"
    content = "".join(d["delta"] for _, k, d in tagged if k == "content")
    assert "secret plan" not in content and content.endswith("visible ")
    assert [d for _, k, d in tagged if k == "ui"] == [
        {"tag": "card", "attrs": {"title": "T"}, "content": "inside card"}
    ]
    stored = detail(alice, cid)["messages"][-1]
    assert stored["thinking"] == "secret plan"
    assert stored["content"].endswith('visible <card title="T">inside card</card>')


def test_token_is_good_once(alice: User, stream_base: str) -> None:
    cid = conversation(alice)
    url = stream_url(stream_base, prepare(alice, cid, content="once", model="ollama/llama3.2"))
    read_events(url)
    with httpx.Client(timeout=30) as client:
        again = client.get(url)
        assert_error(again, 410, "stream_gone")
        assert detail(alice, cid)["message_count"] == 2


def test_expired_unknown_and_malformed_tokens(alice: User, stream_base: str) -> None:
    cid = conversation(alice)
    ticket = prepare(alice, cid, content="late", model="ollama/llama3.2")
    expired = "x" * 43
    write, _ = streams.session(
        expired,
        user_id=alice.user_id,
        conversation_id=cid,
        user_message_id=ticket["user_message_id"],
        model="ollama/llama3.2",
        system_prompt_id=None,
        options="{}",
        plan=None,
        ttl_seconds=-1,
    )
    with TransactWrite(connection=db.connection()) as transaction:
        write(transaction)
    with httpx.Client(base_url=stream_base, timeout=30) as client:
        assert_error(client.get(f"/stream/{expired}"), 410, "stream_gone")
        assert_error(client.get("/stream/" + "A" * 43), 404, "not_found")
        assert_error(client.get("/stream/not..valid"), 404, "not_found")
        # The streaming app has no bearer-token routes at all.
        assert client.get("/api/me").status_code == 404


def test_user_b_cannot_prepare_on_a_conversation_of_a(alice: User, bob: User) -> None:
    cid = conversation(alice)
    response = bob.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "x", "model": "ollama/llama3.2"}
    )
    assert_error(response, 404, "not_found")
    assert detail(alice, cid)["message_count"] == 0


def test_413_at_phase_one_stores_nothing(alice: User) -> None:
    cid = conversation(alice)
    response = alice.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream",
        json={"content": "word " * 9000, "model": "openai/deepseek-reasoner"},
    )
    assert_error(response, 413, "context_too_long")
    assert detail(alice, cid)["message_count"] == 0


def test_provider_failing_mid_stream_saves_the_partial_reply(
    alice: User, stream_base: str, fake_openai: FakeProvider
) -> None:
    cid = conversation(alice)
    ticket = prepare(alice, cid, content="one two three four five six", model="openai/gpt-4o")
    requests_before = alice.client.get("/api/usage").json()["totals"]["requests"]
    fake_openai.fail(Fault("cut"))
    events = read_events(stream_url(stream_base, ticket))
    kinds = [k for _, k, _ in events]
    assert "content" in kinds and kinds[-2:] == ["error", "done"]
    partial = "".join(d["delta"] for _, k, d in events if k == "content")
    stored = detail(alice, cid)
    reply = stored["messages"][-1]
    assert (reply["status"], reply["error_code"]) == ("incomplete", events[-2][2]["code"])
    assert reply["content"] == partial and partial
    assert stored["total_tokens"] == reply["total_tokens"] > 0  # estimated: the provider never reported usage
    usage = alice.client.get("/api/usage").json()
    assert usage["totals"]["requests"] == requests_before + 1  # the estimate is counted against the user too
    assert usage["models"]["openai/gpt-4o"]["total_tokens"] == reply["total_tokens"]


def test_provider_failing_before_output_is_an_error_event(
    alice: User, stream_base: str, fake_ollama: FakeProvider
) -> None:
    cid = conversation(alice)
    ticket = prepare(alice, cid, content="hello", model="ollama/llama3.2")
    fake_ollama.fail(Fault("status", 401))
    events = read_events(stream_url(stream_base, ticket))
    assert [k for _, k, _ in events] == ["start", "error", "done"]
    assert events[1][2]["code"] == "provider_auth_error"
    reply = detail(alice, cid)["messages"][-1]
    assert (reply["role"], reply["status"], reply["content"]) == ("assistant", "error", "")


def test_client_disconnect_saves_what_arrived(alice: User, stream_base: str, fake_openai: FakeProvider) -> None:
    cid = conversation(alice)
    fake_openai.chunk_delay = 0.2
    ticket = prepare(alice, cid, content=" ".join(f"w{i}" for i in range(30)), model="openai/gpt-4o")
    events = read_events(stream_url(stream_base, ticket), stop_after=3)  # then hang up
    assert [k for _, k, _ in events][:1] == ["start"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        messages = detail(alice, cid)["messages"]
        if len(messages) == 2:
            break
        time.sleep(0.2)
    reply = messages[-1]
    assert (reply["role"], reply["status"], reply["stop_reason"]) == ("assistant", "incomplete", "client_disconnected")
    full = "Hello from openai! You said: " + " ".join(f"w{i}" for i in range(30))
    assert reply["content"] and full.startswith(reply["content"]) and len(reply["content"]) < len(full)


def test_concurrent_streams_are_each_saved_once(alice: User, stream_base: str, fake_ollama: FakeProvider) -> None:
    cid = conversation(alice)
    fake_ollama.chunk_delay = 0.02
    tickets = [prepare(alice, cid, content=f"stream {i}", model="ollama/llama3.2") for i in range(4)]
    results: list[list[tuple[str, str, dict[str, Any]]]] = [[] for _ in tickets]

    def run(i: int) -> None:
        results[i] = read_events(stream_url(stream_base, tickets[i]))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tickets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(r and r[-1][1] == "done" for r in results)
    stored = detail(alice, cid)
    assert stored["message_count"] == 8 and len(stored["messages"]) == 8
    replies = [m for m in stored["messages"] if m["role"] == "assistant"]
    assert len({m["id"] for m in replies}) == 4
    assert stored["total_tokens"] == sum(m["total_tokens"] for m in replies)
    assert stored["total_tokens"] == sum(r[-1][2]["usage"]["total_tokens"] for r in results)


def test_heartbeat_keeps_an_idle_stream_alive(alice: User, settings: Settings, fake_ollama: FakeProvider) -> None:
    from privategpt.app import create_stream_app
    from tests.support.server import serve

    fast = settings.model_copy(update={"stream_heartbeat_seconds": 0.1})
    cid = conversation(alice)
    fake_ollama.chunk_delay = 0.35
    ticket = prepare(alice, cid, content="slow one", model="ollama/llama3.2")
    with (
        serve(create_stream_app(fast)) as base,
        httpx.Client(timeout=30) as client,
        client.stream("GET", stream_url(base, ticket)) as response,
    ):
        lines = list(response.iter_lines())
    assert ": ping" in lines
    assert any(line == "event: done" for line in lines)


# --- the Lambda Web Adapter contract -----------------------------------------------------------------


@contextmanager
def run_sh(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("PGPT_")}
    full.update(env, PORT=str(port), PYTHON=sys.executable, LAMBDA_TASK_ROOT=str(REPO_ROOT / "functions"))
    process = subprocess.Popen(
        [str(REPO_ROOT / "functions" / "run.sh")], env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/", timeout=1).status_code == 200:  # the adapter's readiness check
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            process.kill()
            raise AssertionError(process.stdout.read().decode() if process.stdout else "run.sh never became ready")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_run_sh_serves_the_stream_app_on_port(
    alice: User, settings: Settings, issuer: TestIssuer, providers_file: Path
) -> None:
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": "privategpt-stream",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PGPT_AUTH_PROVIDER": "keycloak",
        "PGPT_AUTH_ISSUER": issuer.url,
        "PGPT_AUTH_CLIENT_IDS": CLIENT_ID,
        "PGPT_TABLE_NAME": settings.table_name,
        "PGPT_DYNAMODB_ENDPOINT": settings.dynamodb_endpoint or "",
        "PGPT_LLM_PROVIDERS_FILE": str(providers_file),
    }
    cid = conversation(alice)
    ticket = prepare(alice, cid, content="via the adapter", model="ollama/llama3.2")
    with run_sh(env) as base:
        assert httpx.get(f"{base}/").json()["status"] == "ok"
        events = read_events(base + f"/stream/{ticket['token']}")
    assert [k for _, k, _ in events][-1] == "done"
    assert detail(alice, cid)["messages"][-1]["content"] == "Hello from ollama! You said: via the adapter"
