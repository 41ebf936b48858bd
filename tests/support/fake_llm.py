"""Local HTTP servers that speak each provider's real wire format, with faults on demand.

Replies are deterministic so tests can check what passes through:
- text: ``Hello from <provider>! You said: <last user message>``, one word per chunk;
- thinking: ``Let me think about it.`` first, when the request asks for it (OpenAI: a model whose name
  contains ``reason``, streamed as ``reasoning_content``);
- a tool call ``get_weather {"city": "Paris"}`` when tools are offered and the last user message mentions
  weather, its arguments streamed in fragments;
- usage: input = words in all messages + 10, output = chunks sent.

``server.fail(Fault(...))`` queues a fault for the next request: an HTTP status (with Retry-After), a
malformed body, a stream cut half-way, or a stall before the first token.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.server import serve

THINKING = ["Let me ", "think ", "about it."]
TOOL_ARGUMENT_FRAGMENTS = ['{"ci', 'ty": ', '"Paris"}']
STALL_SECONDS = 5.0


@dataclass
class Fault:
    kind: Literal["status", "malformed", "cut", "stall"]
    status: int = 500
    retry_after: str | None = None


@dataclass
class Plan:
    thinking: list[str]
    text: list[str]
    tool: bool
    input_tokens: int

    @property
    def output_tokens(self) -> int:
        return len(self.thinking) + len(self.text) + (len(TOOL_ARGUMENT_FRAGMENTS) if self.tool else 0)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text") or b.get("content") or "") for b in content if isinstance(b, dict))
    return ""


def plan(provider: str, messages: list[dict[str, Any]], tools: bool, thinking: bool, system: str = "") -> Plan:
    last = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    words = sum(len(_text_of(m.get("content")).split()) for m in messages) + len(system.split())
    reply = f"Hello from {provider}! You said: {last}".split(" ")
    text = [w + " " for w in reply[:-1]] + [reply[-1]]
    wants_tool = tools and "weather" in last.lower()
    return Plan(THINKING if thinking else [], [] if wants_tool else text, wants_tool, words + 10)


@dataclass
class FakeProvider:
    name: str
    models: list[str]
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    chunk_delay: float = 0.0  # seconds between chunks (a slow model)

    def fail(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def take_fault(self) -> Fault | None:
        return self.faults.pop(0) if self.faults else None

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.chunk_delay = 0.0


async def _stream(
    chunks: list[bytes], fault: Fault | None, media_type: str, trailer: bytes = b"", delay: float = 0.0
) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        if fault is not None and fault.kind == "stall":
            await asyncio.sleep(STALL_SECONDS)
        for i, chunk in enumerate(chunks):
            if fault is not None and fault.kind == "cut" and i == len(chunks) // 2:
                raise ConnectionResetError("fake provider cut the stream")
            if fault is not None and fault.kind == "malformed" and i == len(chunks) // 2:
                yield trailer or b"{not json\n"
                return
            yield chunk
            await asyncio.sleep(delay)

    return StreamingResponse(body(), media_type=media_type)


def _status(fault: Fault, body: dict[str, Any]) -> JSONResponse:
    headers = {"retry-after": fault.retry_after} if fault.retry_after is not None else None
    return JSONResponse(body, status_code=fault.status, headers=headers)


# --- OpenAI ---------------------------------------------------------------------------------------


def openai_app(state: FakeProvider) -> Starlette:
    async def models(request: Request) -> Response:
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return _status(fault, {"error": {"message": "nope", "type": "server_error", "code": None}})
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in state.models]
        return JSONResponse({"object": "list", "data": data})

    async def chat(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        fault = state.take_fault()
        if fault and fault.kind == "status":
            code = "context_length_exceeded" if fault.status == 400 else None
            return _status(fault, {"error": {"message": "fake failure", "type": "invalid_request_error", "code": code}})
        model = body["model"]
        p = plan("openai", body["messages"], bool(body.get("tools")), "reason" in model)
        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            payload = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(payload)}\n\n".encode()

        chunks = [chunk({"role": "assistant", "content": ""})]
        chunks += [chunk({"reasoning_content": t}) for t in p.thinking]
        chunks += [chunk({"content": t}) for t in p.text]
        if p.tool:
            chunks.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ]
                    }
                )
            )
            chunks += [
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": a}}]}) for a in TOOL_ARGUMENT_FRAGMENTS
            ]
        chunks.append(chunk({}, "tool_calls" if p.tool else "stop"))
        usage = {
            "prompt_tokens": p.input_tokens,
            "completion_tokens": p.output_tokens,
            "total_tokens": p.input_tokens + p.output_tokens,
        }
        if (body.get("stream_options") or {}).get("include_usage"):
            chunks.append(f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n".encode())
        chunks.append(b"data: [DONE]\n\n")
        return await _stream(chunks, fault, "text/event-stream", b"data: {not json\n\n", state.chunk_delay)

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"])])


# --- Anthropic ------------------------------------------------------------------------------------


def anthropic_app(state: FakeProvider) -> Starlette:
    def error(fault: Fault) -> JSONResponse:
        kind = {429: "rate_limit_error", 401: "authentication_error", 529: "overloaded_error"}.get(
            fault.status, "api_error" if fault.status >= 500 else "invalid_request_error"
        )
        message = "prompt is too long: 300000 tokens > 200000 maximum" if fault.status == 400 else "fake failure"
        return _status(fault, {"type": "error", "error": {"type": kind, "message": message}})

    async def models(request: Request) -> Response:
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return error(fault)
        data = [
            {"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"} for m in state.models
        ]
        return JSONResponse({"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]})

    async def count_tokens(request: Request) -> Response:
        body = await request.json()
        p = plan("anthropic", body["messages"], bool(body.get("tools")), False, _text_of(body.get("system", "")))
        return JSONResponse({"input_tokens": p.input_tokens})

    async def messages(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return error(fault)
        thinking = (body.get("thinking") or {}).get("type") == "enabled"
        p = plan("anthropic", body["messages"], bool(body.get("tools")), thinking, _text_of(body.get("system", "")))

        def event(kind: str, data: dict[str, Any]) -> bytes:
            return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n".encode()

        chunks = [
            event(
                "message_start",
                {
                    "message": {
                        "id": "msg_fake",
                        "type": "message",
                        "role": "assistant",
                        "model": body["model"],
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": p.input_tokens, "output_tokens": 1},
                    }
                },
            ),
            event("ping", {}),
        ]
        index = 0
        if p.thinking:
            chunks.append(
                event(
                    "content_block_start",
                    {"index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
                )
            )
            chunks += [
                event("content_block_delta", {"index": index, "delta": {"type": "thinking_delta", "thinking": t}})
                for t in p.thinking
            ]
            chunks.append(
                event(
                    "content_block_delta", {"index": index, "delta": {"type": "signature_delta", "signature": "c2ln"}}
                )
            )
            chunks.append(event("content_block_stop", {"index": index}))
            index += 1
        if p.text:
            chunks.append(event("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}))
            chunks += [
                event("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": t}})
                for t in p.text
            ]
            chunks.append(event("content_block_stop", {"index": index}))
            index += 1
        if p.tool:
            chunks.append(
                event(
                    "content_block_start",
                    {
                        "index": index,
                        "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
                    },
                )
            )
            chunks += [
                event("content_block_delta", {"index": index, "delta": {"type": "input_json_delta", "partial_json": a}})
                for a in TOOL_ARGUMENT_FRAGMENTS
            ]
            chunks.append(event("content_block_stop", {"index": index}))
        chunks.append(
            event(
                "message_delta",
                {
                    "delta": {"stop_reason": "tool_use" if p.tool else "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": p.output_tokens},
                },
            )
        )
        chunks.append(event("message_stop", {}))
        return await _stream(
            chunks, fault, "text/event-stream", b"event: content_block_delta\ndata: {not json\n\n", state.chunk_delay
        )

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/messages", messages, methods=["POST"]),
            Route("/v1/messages/count_tokens", count_tokens, methods=["POST"]),
        ]
    )


# --- Ollama ---------------------------------------------------------------------------------------


def ollama_app(state: FakeProvider, context_length: int = 131072) -> Starlette:
    async def tags(request: Request) -> Response:
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return _status(fault, {"error": "fake failure"})
        return JSONResponse(
            {
                "models": [
                    {
                        "name": m,
                        "model": m,
                        "modified_at": "2025-01-01T00:00:00Z",
                        "size": 1,
                        "digest": "d",
                        "details": {"family": "llama", "parameter_size": "3B", "quantization_level": "Q4_K_M"},
                    }
                    for m in state.models
                ]
            }
        )

    async def show(request: Request) -> Response:
        body = await request.json()
        if body.get("model") not in state.models:
            return JSONResponse({"error": f"model '{body.get('model')}' not found"}, status_code=404)
        caps = ["completion", "tools"] + (["thinking"] if "think" in body["model"] else [])
        return JSONResponse(
            {
                "model_info": {"general.architecture": "llama", "llama.context_length": context_length},
                "capabilities": caps,
            }
        )

    async def chat(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return _status(fault, {"error": "fake failure"})
        p = plan("ollama", body["messages"], bool(body.get("tools")), bool(body.get("think")))
        model = body["model"]

        def line(message: dict[str, Any], **extra: Any) -> bytes:
            payload = {
                "model": model,
                "created_at": "2025-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": "", **message},
                "done": False,
                **extra,
            }
            return (json.dumps(payload) + "\n").encode()

        chunks = [line({"thinking": t}) for t in p.thinking] + [line({"content": t}) for t in p.text]
        if p.tool:
            chunks.append(line({"tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]}))
        chunks.append(
            line(
                {},
                done=True,
                done_reason="stop",
                total_duration=1000,
                prompt_eval_count=p.input_tokens,
                eval_count=p.output_tokens,
            )
        )
        return await _stream(chunks, fault, "application/x-ndjson", delay=state.chunk_delay)

    return Starlette(
        routes=[
            Route("/api/tags", tags),
            Route("/api/show", show, methods=["POST"]),
            Route("/api/chat", chat, methods=["POST"]),
        ]
    )


@contextmanager
def running(
    state: FakeProvider, factory: Callable[[FakeProvider], Starlette], suffix: str = ""
) -> Iterator[FakeProvider]:
    with serve(factory(state)) as url:
        state.url = url + suffix
        yield state
