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

A server with a ``window`` enforces it the way its ``dialect`` does and says so in that server's words:
``openai`` and ``vllm`` refuse prompt + max_tokens over the window, ``llamacpp`` and ``lmstudio`` a prompt
over it, Anthropic both, Ollama a prompt over ``num_ctx``. With ``report_window`` it also states the window
where that server does: vLLM's ``max_model_len`` in /v1/models, llama.cpp's /props (and the larger
``meta.n_ctx_train``), LM Studio's /api/v0/models, ``context_length`` (``openrouter``). The prompt's size is
the fake's own count (words * ``tokens_per_word`` + 10), unlike ours on purpose.
"""

from __future__ import annotations

import asyncio
import json
import math
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


Dialect = Literal["openai", "vllm", "llamacpp", "lmstudio", "openrouter"]


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


def plan(
    provider: str,
    messages: list[dict[str, Any]],
    tools: bool,
    thinking: bool,
    system: str = "",
    tokens_per_word: float = 1.0,
) -> Plan:
    last = next((_text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    counted = sum(len(_text_of(m.get("content")).split()) for m in messages) + len(system.split())
    words = math.ceil(counted * tokens_per_word)
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
    window: int | None = None  # the server's real context window, enforced (None: unlimited)
    dialect: Dialect = "openai"  # OpenAI-compatible servers: whose wording and endpoints
    report_window: bool = True  # state the window where that server does
    serve_props: bool = True  # llama.cpp: answer /props (a proxy in front may forward only /v1)
    tokens_per_word: float = 1.0
    refusals: int = 0  # requests refused as too long

    def fail(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def take_fault(self) -> Fault | None:
        return self.faults.pop(0) if self.faults else None

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.chunk_delay = 0.0
        self.refusals = 0

    def plan(self, provider: str, body: dict[str, Any], thinking: bool, system: str = "") -> Plan:
        tools = bool(body.get("tools"))
        return plan(provider, body["messages"], tools, thinking, system, self.tokens_per_word)

    def too_long(self, prompt: int, max_tokens: int) -> bool:
        """Whether this server refuses the prompt: over the window, with max_tokens where its dialect counts it."""
        if self.window is None:
            return False
        counts_answer = self.dialect in ("openai", "vllm", "openrouter")
        refused = prompt + (max_tokens if counts_answer else 0) > self.window
        self.refusals += refused
        return refused


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
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake", **_entry(state)} for m in state.models]
        return JSONResponse({"object": "list", "data": data})

    async def props(request: Request) -> Response:
        if state.dialect != "llamacpp" or not state.report_window or not state.serve_props or state.window is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"default_generation_settings": {"n_ctx": state.window}, "total_slots": 1})

    async def lmstudio_models(request: Request) -> Response:
        if state.dialect != "lmstudio" or not state.report_window or state.window is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        data = [
            {
                "id": m,
                "object": "model",
                "type": "llm",
                "state": "loaded",
                "max_context_length": state.window * 8,
                "loaded_context_length": state.window,
            }
            for m in state.models
        ]
        return JSONResponse({"object": "list", "data": data})

    async def chat(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        fault = state.take_fault()
        if fault and fault.kind == "status":
            code = "context_length_exceeded" if fault.status == 400 else None
            return _status(fault, {"error": {"message": "fake failure", "type": "invalid_request_error", "code": code}})
        model = body["model"]
        p = state.plan("openai", body, "reason" in model)
        max_tokens = body.get("max_tokens") or body.get("max_completion_tokens") or 0
        if state.too_long(p.input_tokens, max_tokens):
            return JSONResponse(_openai_refusal(state, p.input_tokens, max_tokens), status_code=400)
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

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/props", props),
            Route("/api/v0/models", lmstudio_models),
        ]
    )


def _entry(state: FakeProvider) -> dict[str, Any]:
    """What a /v1/models entry says about the window, as each server says it."""
    if not state.report_window or state.window is None:
        return {}
    if state.dialect == "vllm":
        return {"max_model_len": state.window}
    if state.dialect == "openrouter":
        return {"context_length": state.window}
    if state.dialect == "llamacpp":
        return {"meta": {"n_ctx_train": state.window * 4}}  # trained longer than loaded: /props wins
    return {}


def _openai_refusal(state: FakeProvider, prompt: int, max_tokens: int) -> dict[str, Any]:
    window = state.window
    if state.dialect == "llamacpp":
        message = f"request ({prompt} tokens) exceeds the available context size ({window} tokens), try increasing it"
        return {
            "error": {
                "code": 400,
                "message": message,
                "type": "exceed_context_size_error",
                "n_prompt_tokens": prompt,
                "n_ctx": window,
            }
        }
    if state.dialect == "lmstudio":
        return {
            "error": f"Trying to keep the first {prompt} tokens when context the overflows. However, the model is "
            f"loaded with context length of only {window} tokens, which is not enough. Try to load the model "
            "with a larger context length, or provide a shorter input"
        }
    if state.dialect == "vllm":
        message = (
            f"This model's maximum context length is {window} tokens. However, you requested {max_tokens} output "
            f"tokens and your prompt contains {prompt} input tokens, for a total of {prompt + max_tokens} tokens. "
            "Please reduce the length of the input prompt or the number of requested output tokens."
        )
        return {"object": "error", "error": {"message": message, "type": "BadRequestError", "param": None, "code": 400}}
    message = (
        f"This model's maximum context length is {window} tokens. However, you requested {prompt + max_tokens} "
        f"tokens ({prompt} in the messages, {max_tokens} in the completion). Please reduce the length of the "
        "messages or completion."
    )
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }


# --- Anthropic ------------------------------------------------------------------------------------


def anthropic_app(state: FakeProvider) -> Starlette:
    def error(fault: Fault, prompt: int = 0) -> JSONResponse:
        kind = {429: "rate_limit_error", 401: "authentication_error", 529: "overloaded_error"}.get(
            fault.status, "api_error" if fault.status >= 500 else "invalid_request_error"
        )
        message = f"prompt is too long: {prompt} tokens > 200000 maximum" if fault.status == 400 else "fake failure"
        return _status(fault, {"type": "error", "error": {"type": kind, "message": message}})

    def refusal(prompt: int, max_tokens: int) -> JSONResponse | None:
        window = state.window
        if window is None or prompt + max_tokens <= window:
            return None
        state.refusals += 1
        if prompt > window:
            message = f"prompt is too long: {prompt} tokens > {window} maximum"
        else:
            message = (
                f"input length and `max_tokens` exceed context limit: {prompt} + {max_tokens} > {window}, "
                "decrease input length or `max_tokens` and try again"
            )
        return JSONResponse(
            {"type": "error", "error": {"type": "invalid_request_error", "message": message}}, status_code=400
        )

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
        p = state.plan("anthropic", body, False, _text_of(body.get("system", "")))
        return JSONResponse({"input_tokens": p.input_tokens})

    async def messages(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        thinking = (body.get("thinking") or {}).get("type") == "enabled"
        p = state.plan("anthropic", body, thinking, _text_of(body.get("system", "")))
        fault = state.take_fault()
        if fault and fault.kind == "status":
            return error(fault, p.input_tokens)
        refused = refusal(p.input_tokens, body.get("max_tokens") or 0)
        if refused is not None:
            return refused

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
        p = state.plan("ollama", body, bool(body.get("think")))
        num_ctx = (body.get("options") or {}).get("num_ctx") or context_length
        if state.window is not None and p.input_tokens > min(num_ctx, state.window):
            state.refusals += 1
            limit = min(num_ctx, state.window)
            return JSONResponse({"error": f"input length exceeds limit ({p.input_tokens} > {limit})"}, status_code=400)
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
