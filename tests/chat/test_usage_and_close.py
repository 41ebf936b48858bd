"""A server that reports no usage (some OpenAI-compatible servers never do): every path counts the reply and
marks it estimated. And a client that leaves mid-stream: the provider's stream is closed at once."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from privategpt.app import create_app, create_stream_app
from privategpt.settings import Settings
from tests.chat.conftest import conversation, stream_url
from tests.support.api import User
from tests.support.server import serve

MODEL = "quiet/mute-7b"
WORDS = 200


@dataclass
class Quiet:
    """An OpenAI-wire server that never sends usage and streams ``WORDS`` words, ``delay`` apart."""

    delay: float = 0.0
    words: int = WORDS
    finished: int = 0
    cut_short: threading.Event = field(default_factory=threading.Event)

    def app(self) -> Starlette:
        async def models(request: Request) -> JSONResponse:
            return JSONResponse({"object": "list", "data": [{"id": "mute-7b", "object": "model", "owned_by": "x"}]})

        async def completions(request: Request) -> StreamingResponse:
            await request.json()

            async def body() -> AsyncIterator[bytes]:
                completed = False
                try:
                    for i in range(self.words):
                        delta = {"content": f"w{i} "}
                        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "mute-7b"}
                        chunk["choices"] = [{"index": 0, "delta": delta, "finish_reason": None}]
                        yield f"data: {json.dumps(chunk)}\n\n".encode()
                        if self.delay:
                            await asyncio.sleep(self.delay)
                    last = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "mute-7b"}
                    last["choices"] = [{"index": 0, "delta": {}, "finish_reason": "stop"}]
                    yield f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode()
                    completed = True
                finally:
                    if completed:
                        self.finished += 1
                    else:
                        self.cut_short.set()

            return StreamingResponse(body(), media_type="text/event-stream")

        return Starlette(
            routes=[Route("/v1/models", models), Route("/v1/chat/completions", completions, methods=["POST"])]
        )


@dataclass
class Apps:
    quiet: Quiet
    client: httpx.Client
    stream_base: str


@pytest.fixture
def apps(alice: User, settings: Settings, tmp_path: Path) -> Iterator[Apps]:
    quiet = Quiet()
    with serve(quiet.app()) as url:
        providers = tmp_path / "providers.json"
        providers.write_text(json.dumps({"providers": [{"name": "quiet", "type": "openai", "base_url": f"{url}/v1"}]}))
        own = settings.model_copy(update={"llm_providers_file": providers})
        with (
            serve(create_app(own)) as api,
            serve(create_stream_app(own)) as stream_base,
            httpx.Client(base_url=api, headers=alice.headers, timeout=30) as client,
        ):
            yield Apps(quiet, client, stream_base)


def _usage_of(client: httpx.Client) -> dict[str, int]:
    line: dict[str, int] = client.get("/api/usage").json()["models"][MODEL]
    return line


def test_send_counts_and_marks_usage_the_server_did_not_report(apps: Apps, alice: User) -> None:
    cid = conversation(alice)
    response = apps.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "hi", "model": MODEL})
    assert response.status_code == 200, response.text
    reply = response.json()["assistant_message"]
    assert reply["usage_estimated"] is True
    assert reply["input_tokens"] > 0 and reply["output_tokens"] >= WORDS
    recorded = _usage_of(apps.client)
    assert (recorded["requests"], recorded["output_tokens"]) == (1, reply["output_tokens"])
    assert response.json()["conversation"]["total_tokens"] == reply["total_tokens"]


def test_quick_counts_and_marks_usage(apps: Apps) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    response = apps.client.post("/api/chat/quick", json=body)
    assert response.status_code == 200, response.text
    usage = response.json()["usage"]
    assert usage["estimated"] is True and usage["output_tokens"] >= WORDS
    assert _usage_of(apps.client)["output_tokens"] == usage["output_tokens"]


def test_stream_counts_and_marks_usage(apps: Apps, alice: User) -> None:
    cid = conversation(alice)
    ticket = apps.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "hi", "model": MODEL})
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(client, "GET", stream_url(apps.stream_base, ticket.json())) as s,
    ):
        events = [(e.event, e.json()) for e in s.iter_sse()]
    assert "usage" not in [name for name, _ in events]  # nothing was reported, so nothing is relayed as reported
    done = events[-1][1]
    assert done["usage"]["estimated"] is True and done["usage"]["output_tokens"] >= WORDS
    stored = apps.client.get(f"/api/chat/conversations/{cid}").json()["messages"][-1]
    assert stored["usage_estimated"] is True and stored["output_tokens"] == done["usage"]["output_tokens"]
    assert _usage_of(apps.client)["output_tokens"] == done["usage"]["output_tokens"]


def test_a_client_leaving_closes_the_provider_stream_at_once(apps: Apps, alice: User) -> None:
    apps.quiet.delay = 0.02  # the whole reply would take 4 s
    cid = conversation(alice)
    ticket = apps.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "hi", "model": MODEL})
    with (
        httpx.Client(timeout=30) as client,
        connect_sse(client, "GET", stream_url(apps.stream_base, ticket.json())) as s,
    ):
        for event in s.iter_sse():
            if event.event == "content":
                break
    left = time.monotonic()
    assert apps.quiet.cut_short.wait(timeout=2.0), "the provider's stream was left open"
    assert time.monotonic() - left < 2.0 and apps.quiet.finished == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stored = apps.client.get(f"/api/chat/conversations/{cid}").json()["messages"]
        if len(stored) == 2:
            break
        time.sleep(0.05)
    assert stored[-1]["status"] == "incomplete" and stored[-1]["stop_reason"] == "client_disconnected"
    assert stored[-1]["usage_estimated"] is True


def test_an_empty_answer_is_still_a_request_on_every_path(apps: Apps, alice: User) -> None:
    """A call that finished with no text and no usage report cost a prompt: send and stream record it alike."""
    apps.quiet.words = 0
    cid = conversation(alice)
    sent = apps.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "hi", "model": MODEL})
    assert sent.status_code == 200, sent.text
    assert sent.json()["assistant_message"]["usage_estimated"] is True
    ticket = apps.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "hi", "model": MODEL})
    url = stream_url(apps.stream_base, ticket.json())
    with httpx.Client(timeout=30) as client, connect_sse(client, "GET", url) as s:
        done = next(e.json() for e in s.iter_sse() if e.event == "done")
    assert done["usage"]["estimated"] is True and done["usage"]["input_tokens"] > 0
    recorded = _usage_of(apps.client)
    assert recorded["requests"] == 2 and recorded["output_tokens"] == 0
