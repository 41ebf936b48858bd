"""The demo model: a local OpenAI-compatible server, so chat works with no key and no Ollama.

``privategpt dev`` starts it (loopback, a free port) when no provider is configured and wires it in as the
provider ``demo`` (model ``demo/echo``) through ``PGPT_LLM_DEMO_BASE_URL``, so the real ``openai`` provider
code path runs against it. It is development-only: it lives under ``privategpt.dev``, which no Lambda
handler imports, and settings refuse the demo URL inside Lambda.

The wire format is OpenAI's: ``GET /v1/models``, ``GET /v1/models/{id}`` and ``POST /v1/chat/completions``,
streamed (``chat.completion.chunk`` SSE events, then ``data: [DONE]``; usage in a last chunk with no choices
when ``stream_options.include_usage`` is set) or whole (``chat.completion``). The reply thinks in a
``<think>`` block (DeepSeek-R1 style, inside the content) and then echoes the last user message.

Tools, so a new user sees a tool call without any key: when the request offers a tool named ``system_info``
and the newest user message asks about status ("what is your status?"), the model calls ``system_info`` with
no arguments. When the conversation ends with tool results (``role: tool``), it answers in words from them:
``Here is what `system_info` returned: …`` (a JSON object summarised as its top-level fields, the whole
bounded), then the demo note. It never calls a tool again on a result, and without tools it only echoes.

Tests reuse it::

    with DemoLLM() as demo:          # or DemoLLM(reply=my_reply, chunk_delay_seconds=0.01)
        settings = Settings(llm_demo_base_url=demo.base_url)
        ...
        demo.requests                # every chat request body received, in order
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from privategpt.llm.config import DEMO_MODEL as MODEL
from privategpt.llm.config import DEMO_PROVIDER as PROVIDER

MODEL_ID = f"{PROVIDER}/{MODEL}"
STARTUP_SECONDS = 20.0

CALL_ID_HEX_DIGITS = 24
_PIECE = re.compile(r"\S+\s*|\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class ToolCallReply:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class DemoReply:
    """What the model answers: thinking (sent as a ``<think>`` block), text, and tool calls if any."""

    thinking: str = ""
    content: str = ""
    tool_calls: list[ToolCallReply] = field(default_factory=list)


ReplyFunction = Callable[[dict[str, Any]], DemoReply]


def text_of(content: Any) -> str:
    """A message's text, whether ``content`` is a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text") or "") for part in content if isinstance(part, dict))
    return ""


DEMO_NOTE = (
    f"(This is the demo model `{MODEL_ID}`: it echoes, and calls `system_info` when asked for its status. Set "
    "OPENAI_API_KEY or ANTHROPIC_API_KEY, run Ollama, or write a providers file to chat with a real model.)"
)
STATUS_TOOL = "system_info"
_ASKS_STATUS = re.compile(r"\bstatus\b", re.IGNORECASE)
RESULT_SUMMARY_MAX_CHARS = 600  # of each tool result, in the answer
FIELD_MAX_CHARS = 160  # of each field of a JSON result, in the summary


def echo_reply(body: dict[str, Any]) -> DemoReply:
    """The reply without tools: a short thought, then the last user message echoed back."""
    messages = body.get("messages") or []
    last = next((text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    words = len(last.split())
    return DemoReply(
        thinking=f"The user wrote {words} word{'' if words == 1 else 's'}. I am the demo model, so I echo them.",
        content=f"You said: {last}\n\n{DEMO_NOTE}",
    )


def offered_tools(body: dict[str, Any]) -> set[str]:
    """The names of the tools a request offers (OpenAI's ``tools``: ``{type: function, function: {name}}``)."""
    names: set[str] = set()
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return names


def _trailing_results(messages: list[Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        results.insert(0, message)
    return results


def _call_names(messages: list[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for message in messages:
        for call in (message.get("tool_calls") or []) if isinstance(message, dict) else []:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and call.get("id"):
                names[str(call["id"])] = str(function.get("name") or "")
    return names


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarise(content: str) -> str:
    """A tool result in a few words: a JSON object (even inside delimiters) as its top-level fields, else the
    text with its whitespace collapsed; bounded either way."""
    start, end = content.find("{"), content.rfind("}")
    value: Any = None
    if 0 <= start < end:
        try:
            value = json.loads(content[start : end + 1])
        except ValueError:
            value = None
    if isinstance(value, dict) and value:
        fields = [
            f"{key}: {_clip(json.dumps(v) if not isinstance(v, str) else v, FIELD_MAX_CHARS)}"
            for key, v in value.items()
        ]
        return _clip("; ".join(fields), RESULT_SUMMARY_MAX_CHARS)
    return _clip(" ".join(content.split()), RESULT_SUMMARY_MAX_CHARS) or "(nothing)"


def demo_reply(body: dict[str, Any]) -> DemoReply:
    """The demo model: answers from tool results, calls ``system_info`` when asked for its status, else echoes."""
    messages = body.get("messages") or []
    results = _trailing_results(messages)
    if results:
        names = _call_names(messages)
        lines = [
            f"Here is what `{names.get(str(r.get('tool_call_id')), 'the tool')}` returned: "
            f"{summarise(text_of(r.get('content')))}"
            for r in results
        ]
        count = len(results)
        return DemoReply(
            thinking=f"The tool answered ({count} result{'' if count == 1 else 's'}). I report what it said.",
            content="\n\n".join([*lines, DEMO_NOTE]),
        )
    last = next((text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    if STATUS_TOOL in offered_tools(body) and _ASKS_STATUS.search(last):
        return DemoReply(
            thinking=f"The user asks for my status and `{STATUS_TOOL}` is offered: I call it.",
            tool_calls=[ToolCallReply(STATUS_TOOL, {})],
        )
    return echo_reply(body)


def count_tokens(text: str) -> int:
    """A rough count (words and punctuation): the demo reports usage, it does not tokenize."""
    return len(_TOKEN.findall(text))


def _pieces(reply: DemoReply) -> list[str]:
    """The reply as stream chunks, one word each, the think block first."""
    pieces: list[str] = []
    if reply.thinking:
        pieces += ["<think>", *_PIECE.findall(reply.thinking), "</think>"]
    return pieces + _PIECE.findall(reply.content)


def _error(status: int, message: str, code: str | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


class _Completion:
    """One chat completion: the chunks to stream or the whole response to return."""

    def __init__(self, body: dict[str, Any], reply: DemoReply) -> None:
        self.model = str(body["model"])
        self.id = f"chatcmpl-demo-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        pieces = _pieces(reply)
        self.truncated = isinstance(limit, int) and 0 < limit < len(pieces)
        self.pieces = pieces[:limit] if self.truncated and isinstance(limit, int) else pieces
        self.tool_calls = [] if self.truncated else reply.tool_calls
        self.call_ids = [f"call_demo_{uuid.uuid4().hex[:CALL_ID_HEX_DIGITS]}" for _ in self.tool_calls]
        messages = body.get("messages") or []
        prompt = sum(count_tokens(text_of(m.get("content"))) + 4 for m in messages if isinstance(m, dict)) + 3
        completion = len(self.pieces) + sum(count_tokens(json.dumps(c.arguments)) + 1 for c in self.tool_calls)
        self.usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    @property
    def finish_reason(self) -> str:
        return "length" if self.truncated else "tool_calls" if self.tool_calls else "stop"

    def _tool_calls(self, with_index: bool) -> list[dict[str, Any]]:
        return [
            {
                **({"index": i} if with_index else {}),
                "id": self.call_ids[i],
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for i, call in enumerate(self.tool_calls)
        ]

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        payload = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [choice],
        }
        return f"data: {json.dumps(payload)}\n\n"

    def chunks(self, include_usage: bool) -> list[str]:
        chunks = [self._chunk({"role": "assistant", "content": ""})]
        chunks += [self._chunk({"content": piece}) for piece in self.pieces]
        if self.tool_calls:
            chunks.append(self._chunk({"tool_calls": self._tool_calls(with_index=True)}))
        chunks.append(self._chunk({}, self.finish_reason))
        if include_usage:
            last = {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": self.usage,
            }
            chunks.append(f"data: {json.dumps(last)}\n\n")
        return [*chunks, "data: [DONE]\n\n"]

    def whole(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.pieces)}
        if self.tool_calls:
            message["tool_calls"] = self._tool_calls(with_index=False)
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish_reason}],
            "usage": self.usage,
        }


def create_app(
    *,
    models: tuple[str, ...] = (MODEL,),
    reply: ReplyFunction = demo_reply,
    chunk_delay_seconds: float = 0.0,
    requests: list[dict[str, Any]] | None = None,
) -> Starlette:
    """The ASGI app; ``requests`` (if given) receives every chat request body."""

    def model_entry(name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 0, "owned_by": "privategpt-demo"}

    async def list_models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [model_entry(m) for m in models]})

    async def get_model(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in models:
            return _error(404, f"The model `{name}` does not exist", "model_not_found")
        return JSONResponse(model_entry(name))

    async def chat(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or "model" not in body:
            return _error(400, "`model` and `messages` are required")
        if body["model"] not in models:
            return _error(404, f"The model `{body['model']}` does not exist", "model_not_found")
        if requests is not None:
            requests.append(body)
        completion = _Completion(body, reply(body))
        if not body.get("stream"):
            return JSONResponse(completion.whole())
        chunks = completion.chunks(bool((body.get("stream_options") or {}).get("include_usage")))

        async def events() -> AsyncIterator[bytes]:
            for i, chunk in enumerate(chunks):
                if i and chunk_delay_seconds:
                    await asyncio.sleep(chunk_delay_seconds)
                yield chunk.encode()

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return Starlette(
        routes=[
            Route("/v1/models", list_models),
            Route("/v1/models/{name:path}", get_model),
            Route("/v1/chat/completions", chat, methods=["POST"]),
        ]
    )


class DemoLLM:
    """The demo server on a loopback port (0: a free one), in a thread; a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        reply: ReplyFunction = demo_reply,
        chunk_delay_seconds: float = 0.0,
        models: tuple[str, ...] = (MODEL,),
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self._app = create_app(
            models=models, reply=reply, chunk_delay_seconds=chunk_delay_seconds, requests=self.requests
        )
        self._host, self._port = host, port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (``…/v1``), as a provider's ``base_url`` takes it."""
        if not self.url:
            raise RuntimeError("the demo server is not running")
        return f"{self.url}/v1"

    def start(self) -> DemoLLM:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self._app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="demo-llm", daemon=True)
        thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                sock.close()
                raise RuntimeError("the demo model server did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        self.url = f"http://{self._host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self.url = ""

    def __enter__(self) -> DemoLLM:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
