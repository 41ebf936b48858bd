"""Ollama through its native HTTP API: /api/chat (NDJSON), /api/tags, /api/show."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from privategpt.llm.errors import (
    ProviderBadResponse,
    ProviderTimeout,
    ProviderUnreachable,
    context_refusal,
    status_error,
)
from privategpt.llm.provider import ModelDetails, Provider, arguments_object, new_call_id
from privategpt.llm.types import (
    Capabilities,
    ChatMessage,
    ChatRequest,
    StopReport,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolCallComplete,
    ToolCallDelta,
    Usage,
    UsageReport,
)

if TYPE_CHECKING:
    import httpx

_STOP_REASONS = {"stop": "stop", "length": "length"}


def _message(message: ChatMessage) -> dict[str, Any]:
    """Ollama's own shape: calls carry their arguments as an object and no id; a result names its tool."""
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "tool" and message.name:
        wire["tool_name"] = message.name
    if message.tool_calls:
        wire["tool_calls"] = [{"function": {"name": c.name, "arguments": c.arguments}} for c in message.tool_calls]
    return wire


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class OllamaProvider(Provider["httpx.AsyncClient"]):
    type = "ollama"

    def _make_client(self) -> httpx.AsyncClient:
        import httpx

        assert self.config.base_url is not None
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else None
        return httpx.AsyncClient(
            base_url=self.config.base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(self.first_token_timeout, connect=self.connect_timeout),
        )

    async def _close_client(self, client: httpx.AsyncClient) -> None:
        await client.aclose()

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if request.options.temperature is not None:
            options["temperature"] = request.options.temperature
        max_tokens = request.max_tokens or request.options.max_tokens
        if max_tokens is not None:
            options["num_predict"] = max_tokens
        if request.options.stop:
            options["stop"] = list(request.options.stop)
        if request.context_window is not None:
            # The window our accounting uses: without it Ollama cuts the prompt at its own default.
            options["num_ctx"] = request.context_window
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [_message(m) for m in request.messages],
            "stream": True,
        }
        if options:
            payload["options"] = options
        if request.options.thinking:
            payload["think"] = True
        if request.tools and request.options.tool_choice != "none":  # Ollama has no tool_choice: "none" drops them
            payload["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in request.tools
            ]
        return payload

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(self.name, "the provider did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ProviderUnreachable(self.name, "the provider cannot be reached") from exc
        if response.status_code >= 400:
            raise status_error(self.name, response.status_code, response.headers, _body(response))
        try:
            return response.json()
        except json.JSONDecodeError as exc:
            raise ProviderBadResponse(self.name, "the provider sent a malformed response") from exc

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        import httpx

        reader = _Reader(self, request)
        try:
            async with self.client.stream("POST", "/api/chat", json=self._payload(request)) as response:
                if response.status_code >= 400:
                    await response.aread()
                    with self.refusals(request):
                        raise status_error(self.name, response.status_code, response.headers, _body(response))
                # NDJSON split by hand on bytes: httpx's text and line decoders cost more per chunk than the rest
                pending = b""
                async for data in response.aiter_bytes():
                    *lines, pending = (pending + data).split(b"\n")
                    for line in lines:
                        for event in reader.feed(line):
                            yield event
                for event in reader.feed(pending):
                    yield event
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(self.name, "the provider did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ProviderUnreachable(self.name, "the connection to the provider broke") from exc
        if reader.stop is None:
            raise ProviderBadResponse(self.name, "the stream ended before the model finished")
        yield UsageReport(reader.usage)
        yield StopReport(reader.stop)

    async def list_models(self) -> list[str]:
        data = await self._request("GET", "/api/tags", timeout=self.settings.llm_discovery_timeout_seconds)
        return sorted(m["name"] for m in data.get("models", []) if isinstance(m, dict) and m.get("name"))

    async def describe(self, model: str) -> ModelDetails | None:
        data = await self._request(
            "POST", "/api/show", json={"model": model}, timeout=self.settings.llm_discovery_timeout_seconds
        )
        info = data.get("model_info") or {}
        context = next((v for k, v in info.items() if k.endswith(".context_length") and isinstance(v, int)), None)
        capabilities = data.get("capabilities")
        caps = (
            Capabilities(
                tools="tools" in capabilities,
                thinking="thinking" in capabilities,
                vision="vision" in capabilities,
            )
            if isinstance(capabilities, list)
            else None
        )
        return ModelDetails(context_window=context, capabilities=caps)


class _Reader:
    """One /api/chat stream's lines, each turned into events."""

    def __init__(self, provider: OllamaProvider, request: ChatRequest) -> None:
        self.provider = provider
        self.request = request
        self.stop: str | None = None
        self.usage = Usage()
        self.calls = 0

    def feed(self, line: bytes) -> list[StreamEvent]:
        if not line.strip():
            return []
        name = self.provider.name
        try:
            chunk = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ProviderBadResponse(name, "the provider sent a malformed response") from exc
        if not isinstance(chunk, dict):
            raise ProviderBadResponse(name, "the provider sent a malformed response")
        if "error" in chunk:
            refused = context_refusal(name, 400, chunk)
            if refused is not None:
                with self.provider.refusals(self.request):
                    raise refused
            raise ProviderBadResponse(name, "the provider reported an error mid-stream")
        events: list[StreamEvent] = []
        message = chunk.get("message") or {}
        if message.get("thinking"):
            events.append(ThinkingDelta(message["thinking"]))
        if message.get("content"):
            events.append(TextDelta(message["content"]))
        # whole calls (one or more a chunk), arguments already an object, no id (recent versions may send one)
        for call in message.get("tool_calls") or []:
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                raise ProviderBadResponse(name, "the provider sent a malformed tool call")
            tool = str(function.get("name") or "")
            arguments = arguments_object(function.get("arguments"))
            call_id = str(call.get("id") or "") or new_call_id()
            events.append(ToolCallDelta(self.calls, call_id, tool, json.dumps(arguments)))
            events.append(ToolCallComplete(ToolCall(call_id, tool, arguments)))
            self.calls += 1
        if chunk.get("done"):
            self.usage = Usage(chunk.get("prompt_eval_count") or 0, chunk.get("eval_count") or 0)
            reason = chunk.get("done_reason") or "stop"
            self.stop = "tool_calls" if self.calls and reason == "stop" else _STOP_REASONS.get(reason, reason)
        return events
