"""OpenAI and every OpenAI-compatible server (vLLM, llama.cpp, LM Studio, OpenRouter…), through the SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from privategpt.llm.errors import ProviderBadResponse, sdk_errors
from privategpt.llm.provider import ModelDetails, Provider, new_call_id, parse_arguments
from privategpt.llm.providers import windows
from privategpt.llm.types import (
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
    forced_tool,
)

if TYPE_CHECKING:
    import openai

_STOP_REASONS = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
}


def _message(message: ChatMessage) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        # content null when the model only called tools, as the API itself returns it
        return {
            "role": "assistant",
            "content": message.content or None,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": json.dumps(c.arguments)},
                }
                for c in message.tool_calls
            ],
        }
    return {"role": message.role, "content": message.content}


@dataclass
class _PendingCall:
    """One streamed call: id and name come in its first delta, the arguments as JSON text in pieces."""

    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    def add(self, call: Any) -> ToolCallDelta:
        function = call.function
        name = function.name if function is not None else None
        arguments = (function.arguments if function is not None else None) or ""
        self.id = self.id or call.id or ""
        self.name = self.name or name or ""
        self.arguments.append(arguments)
        return ToolCallDelta(call.index, call.id, name, arguments)

    def complete(self) -> ToolCallComplete:
        arguments = parse_arguments("".join(self.arguments))
        return ToolCallComplete(ToolCall(self.id or new_call_id(), self.name, arguments))


class OpenAIProvider(Provider["openai.AsyncOpenAI"]):
    type = "openai"
    sdk_module = "openai"

    def _make_client(self) -> openai.AsyncOpenAI:
        import openai

        return openai.AsyncOpenAI(
            api_key=self.api_key or "unset",  # compatible servers often need no key; the SDK wants one
            base_url=self.config.base_url,
            max_retries=0,  # retries are ours, and only before the first token
            timeout=openai.Timeout(self.first_token_timeout, connect=self.connect_timeout),
        )

    _windows: windows.Probe | None = None  # what the last model listing found out about windows

    async def _close_client(self, client: openai.AsyncOpenAI) -> None:
        await client.close()

    def _errors(self) -> AbstractContextManager[None]:
        import openai

        return sdk_errors(self.name, openai)

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [_message(m) for m in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        options = request.options
        if options.temperature is not None:
            payload["temperature"] = options.temperature
        max_tokens = request.max_tokens or options.max_tokens
        if max_tokens is not None:
            # The official API wants max_completion_tokens; compatible servers know max_tokens.
            key = "max_completion_tokens" if self.config.base_url is None else "max_tokens"
            payload[key] = max_tokens
        if options.stop:
            payload["stop"] = list(options.stop)
        if request.tools:
            payload["tools"] = [
                {
                    "type": "function",
                    "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
                }
                for t in request.tools
            ]
            if options.tool_choice is not None:
                forced = forced_tool(options.tool_choice)
                payload["tool_choice"] = (
                    {"type": "function", "function": {"name": forced}} if forced else options.tool_choice
                )
        return payload

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        calls: dict[int, _PendingCall] = {}  # by the index each delta names: parallel calls may interleave
        stop: str | None = None
        with self.refusals(request), self._errors():
            # the SDK stream is closed even when the caller stops early (no socket left in CLOSE_WAIT)
            async with await self.client.chat.completions.create(**self._payload(request)) as response:
                async for chunk in response:
                    if chunk.usage is not None:
                        yield UsageReport(Usage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0))
                    for choice in chunk.choices or []:
                        delta = choice.delta
                        if delta is not None:
                            extra = delta.model_extra or {}
                            reasoning = extra.get("reasoning_content") or extra.get("reasoning")
                            if isinstance(reasoning, str) and reasoning:
                                yield ThinkingDelta(reasoning)
                            if delta.content:
                                yield TextDelta(delta.content)
                            for call in delta.tool_calls or []:
                                yield calls.setdefault(call.index, _PendingCall()).add(call)
                        if choice.finish_reason:
                            stop = _STOP_REASONS.get(choice.finish_reason, choice.finish_reason)
        for index in sorted(calls):
            yield calls[index].complete()
        if stop is None:
            raise ProviderBadResponse(self.name, "the stream ended before the model finished")
        # some compatible servers end a reply that called tools with "stop"
        yield StopReport("tool_calls" if calls and stop == "stop" else stop)

    async def list_models(self) -> list[str]:
        with self._errors():
            page = await self.client.models.list(timeout=self.settings.llm_discovery_timeout_seconds)
            entries = {model.id: model.model_extra or {} async for model in page}
        self._windows = windows.Probe(self, entries)
        return sorted(entries)

    async def describe(self, model: str) -> ModelDetails | None:
        """The window the server states: vLLM's ``max_model_len``, llama.cpp's ``/props``, LM Studio's
        model info, ``context_length`` (OpenRouter and others), llama.cpp's ``n_ctx_train`` (see ``windows``)."""
        if self.config.base_url is None or self._windows is None:
            return None  # OpenAI itself states no windows: the built-in table knows its models
        window = await self._windows.window(model)
        return ModelDetails(context_window=window) if window else None
