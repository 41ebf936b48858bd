"""Ollama through its native HTTP API: /api/chat (NDJSON), /api/tags, /api/show."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

from privategpt.llm.errors import (
    ProviderBadResponse,
    ProviderTimeout,
    ProviderUnreachable,
    status_error,
)
from privategpt.llm.provider import ModelDetails, Provider
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
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "tool" and message.name:
        wire["tool_name"] = message.name
    if message.tool_calls:
        wire["tool_calls"] = [{"function": {"name": c.name, "arguments": c.arguments}} for c in message.tool_calls]
    return wire


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
        if request.options.max_tokens is not None:
            options["num_predict"] = request.options.max_tokens
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [_message(m) for m in request.messages],
            "stream": True,
        }
        if options:
            payload["options"] = options
        if request.options.thinking:
            payload["think"] = True
        if request.tools:
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
            raise status_error(self.name, response.status_code, response.headers)
        try:
            return response.json()
        except json.JSONDecodeError as exc:
            raise ProviderBadResponse(self.name, "the provider sent a malformed response") from exc

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        import httpx

        stop: str | None = None
        usage = Usage()
        index = 0
        try:
            async with self.client.stream("POST", "/api/chat", json=self._payload(request)) as response:
                if response.status_code >= 400:
                    await response.aread()
                    context = "context" in response.text.lower() and response.status_code == 400
                    raise status_error(self.name, response.status_code, response.headers, context_exceeded=context)
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    try:
                        chunk = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ProviderBadResponse(self.name, "the provider sent a malformed response") from exc
                    if "error" in chunk:
                        raise ProviderBadResponse(self.name, "the provider reported an error mid-stream")
                    message = chunk.get("message") or {}
                    if message.get("thinking"):
                        yield ThinkingDelta(message["thinking"])
                    if message.get("content"):
                        yield TextDelta(message["content"])
                    for call in message.get("tool_calls") or []:
                        function = call.get("function") or {}
                        arguments = function.get("arguments") or {}
                        call_id = call.get("id") or f"call_{uuid.uuid4().hex[:12]}"
                        yield ToolCallDelta(index, call_id, function.get("name"), json.dumps(arguments))
                        yield ToolCallComplete(ToolCall(call_id, function.get("name", ""), arguments))
                        index += 1
                    if chunk.get("done"):
                        usage = Usage(chunk.get("prompt_eval_count") or 0, chunk.get("eval_count") or 0)
                        reason = chunk.get("done_reason") or "stop"
                        stop = "tool_calls" if index and reason == "stop" else _STOP_REASONS.get(reason, reason)
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(self.name, "the provider did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ProviderUnreachable(self.name, "the connection to the provider broke") from exc
        if stop is None:
            raise ProviderBadResponse(self.name, "the stream ended before the model finished")
        yield UsageReport(usage)
        yield StopReport(stop)

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
