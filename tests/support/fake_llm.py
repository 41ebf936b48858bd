"""Local HTTP servers that speak each provider's real wire format, with faults on demand.

Replies are deterministic so tests can check what passes through:
- text: ``Hello from <provider>! You said: <last user message>``, one word per chunk;
- thinking: ``Let me think about it.`` first, when the request asks for it (OpenAI: a model whose name
  contains ``reason``, streamed as ``reasoning_content``);
- a tool call ``get_weather {"city": "Paris"}`` when tools are offered and the last user message mentions
  weather, its arguments streamed in fragments;
- usage: input = words in all messages + 10, output = chunks sent.

Scripted tool calls, the same convention in all three wire formats. When tools are offered and the newest user
message holds markers ``[[call NAME {json args}]]`` (``[[call NAME]]``: no arguments), the model calls those
tools and writes no text; several markers are parallel calls in ONE response. ``[[call NAME !malformed]]``
sends the arguments ``{"query": "x"`` (truncated JSON; Ollama: that text as a string where an object belongs).
Ids are unique per server: ``call_<request>_<n>`` (OpenAI), ``toolu_<request>_<n>`` (Anthropic); Ollama
sends none.
- OpenAI: each call opens with its index, id and name, then its arguments follow in three fragments with the
  calls' fragments interleaved (index 0, 1, 0, 1…); ``finish_reason`` is ``tool_calls``.
- Anthropic: one ``tool_use`` block per call, its input in three ``input_json_delta`` pieces; ``tool_use``.
- Ollama: whole calls, arguments as an object, the first call in a chunk of its own and the others together
  in the next chunk.

When the LAST messages are tool results (OpenAI ``role: tool``; Anthropic a user message of ``tool_result``
blocks; Ollama ``role: tool``), the model calls nothing and answers ``Tool results: `` followed by, for each
result in order, ``<tool name>=<first 80 characters of its content>`` joined by ``; `` (the tool's name from
the call the result answers, else the call id), so a test sees what reached the model. ``state.requests``
holds every chat request body received, in order: check there the exact wire shape sent back.

``server.fail(Fault(...))`` queues a fault for the next request: an HTTP status (with Retry-After), a
malformed body, a stream cut half-way, or a stall before the first token (``none`` serves a request as usual,
so the fault after it meets a later request).

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
import re
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

MARKER = re.compile(r"\[\[call\s+(?P<name>[\w.\-]+)")
MALFORMED = "!malformed"
MALFORMED_ARGUMENTS = '{"query": "x"'
ARGUMENT_PIECES = 3  # fragments each scripted call's arguments are streamed in (OpenAI, Anthropic)
RESULT_PREVIEW_CHARS = 80
RESULTS_PREFIX = "Tool results: "


Dialect = Literal["openai", "vllm", "llamacpp", "lmstudio", "openrouter"]


@dataclass
class Fault:
    kind: Literal["status", "malformed", "cut", "stall", "none"]  # none: this request is served as usual
    status: int = 500
    retry_after: str | None = None


@dataclass(frozen=True)
class ScriptedCall:
    """A call the fake model makes: ``arguments`` is the JSON text it sends, in ``fragments``."""

    name: str
    arguments: str
    fragments: tuple[str, ...]

    @classmethod
    def of(cls, name: str, arguments: str) -> ScriptedCall:
        size = max(1, math.ceil(len(arguments) / ARGUMENT_PIECES))
        return cls(name, arguments, tuple(arguments[i : i + size] for i in range(0, len(arguments), size)))

    def as_object(self) -> Any:
        """The arguments as Ollama sends them: an object, or the text itself when it is not JSON."""
        try:
            return json.loads(self.arguments)
        except json.JSONDecodeError:
            return self.arguments


WEATHER_CALL = ScriptedCall("get_weather", "".join(TOOL_ARGUMENT_FRAGMENTS), tuple(TOOL_ARGUMENT_FRAGMENTS))


def scripted_calls(text: str) -> list[ScriptedCall]:
    """The ``[[call NAME …]]`` markers in a user message, in order (a marker that does not parse is text)."""
    decoder = json.JSONDecoder()
    calls: list[ScriptedCall] = []
    for found in MARKER.finditer(text):
        rest = text[found.end() :].lstrip()
        if rest.startswith(MALFORMED):
            calls.append(ScriptedCall.of(found["name"], MALFORMED_ARGUMENTS))
        elif rest.startswith("]]"):
            calls.append(ScriptedCall.of(found["name"], "{}"))
        else:
            try:
                value, end = decoder.raw_decode(text, len(text) - len(rest))
            except json.JSONDecodeError:
                continue
            if text[end:].lstrip().startswith("]]"):
                calls.append(ScriptedCall.of(found["name"], json.dumps(value)))
    return calls


@dataclass
class Plan:
    thinking: list[str]
    text: list[str]
    calls: list[ScriptedCall]
    input_tokens: int

    @property
    def tool(self) -> bool:
        return bool(self.calls)

    @property
    def output_tokens(self) -> int:
        return len(self.thinking) + len(self.text) + sum(len(c.fragments) for c in self.calls)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(b.get("text") or b.get("content") or "") for b in content if isinstance(b, dict))
    return ""


def _is_results(provider: str, message: dict[str, Any]) -> bool:
    if provider == "anthropic":
        content = message.get("content")
        return (
            message.get("role") == "user"
            and isinstance(content, list)
            and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)
        )
    return message.get("role") == "tool"


def _call_names(provider: str, messages: list[dict[str, Any]]) -> dict[str, str]:
    """Each call id the assistant used, to the tool it named."""
    names: dict[str, str] = {}
    for message in messages:
        if message.get("role") != "assistant":
            continue
        content = message.get("content")
        if provider == "anthropic" and isinstance(content, list):
            names |= {b["id"]: b["name"] for b in content if isinstance(b, dict) and b.get("type") == "tool_use"}
        for call in message.get("tool_calls") or []:
            if call.get("id"):
                names[call["id"]] = (call.get("function") or {}).get("name", "")
    return names


def tool_results(provider: str, messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The results that end the conversation, in order: (tool name, else call id; content). [] if none do."""
    trailing: list[dict[str, Any]] = []
    for message in reversed(messages):
        if not _is_results(provider, message):
            break
        trailing.insert(0, message)
    names = _call_names(provider, messages)
    results: list[tuple[str, str]] = []
    for message in trailing:
        if provider == "anthropic":
            for block in message["content"]:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    call_id = str(block.get("tool_use_id"))
                    results.append((names.get(call_id, call_id), _text_of(block.get("content"))))
        elif provider == "ollama":
            results.append((str(message.get("tool_name") or ""), _text_of(message.get("content"))))
        else:
            call_id = str(message.get("tool_call_id"))
            results.append((names.get(call_id, call_id), _text_of(message.get("content"))))
    return results


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


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
    think = THINKING if thinking else []
    results = tool_results(provider, messages)
    if results:
        answer = "; ".join(f"{name}={content[:RESULT_PREVIEW_CHARS]}" for name, content in results)
        return Plan(think, _words(RESULTS_PREFIX + answer), [], words + 10)
    calls = scripted_calls(last) if tools else []
    if not calls and tools and "weather" in last.lower():
        calls = [WEATHER_CALL]
    text = [] if calls else _words(f"Hello from {provider}! You said: {last}")
    return Plan(think, text, calls, words + 10)


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
        request_number = len(state.requests)
        for i, call in enumerate(p.calls):
            opening = {"index": i, "id": f"call_{request_number}_{i + 1}", "type": "function"}
            chunks.append(chunk({"tool_calls": [{**opening, "function": {"name": call.name, "arguments": ""}}]}))
        for piece in range(max((len(c.fragments) for c in p.calls), default=0)):
            chunks += [
                chunk({"tool_calls": [{"index": i, "function": {"arguments": c.fragments[piece]}}]})
                for i, c in enumerate(p.calls)
                if piece < len(c.fragments)
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
        request_number = len(state.requests)
        for i, call in enumerate(p.calls):
            block = {"type": "tool_use", "id": f"toolu_{request_number}_{i + 1}", "name": call.name, "input": {}}
            chunks.append(event("content_block_start", {"index": index, "content_block": block}))
            chunks += [
                event("content_block_delta", {"index": index, "delta": {"type": "input_json_delta", "partial_json": a}})
                for a in call.fragments
            ]
            chunks.append(event("content_block_stop", {"index": index}))
            index += 1
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
        wire_calls = [{"function": {"name": c.name, "arguments": c.as_object()}} for c in p.calls]
        for batch in (wire_calls[:1], wire_calls[1:]):  # the first call alone, then the others in one chunk
            if batch:
                chunks.append(line({"tool_calls": batch}))
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
