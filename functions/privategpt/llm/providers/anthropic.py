"""Anthropic through its SDK: system prompt apart, thinking as thinking events, usage from the stream."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from privategpt.llm.errors import ProviderBadResponse, sdk_errors
from privategpt.llm.provider import Provider, new_call_id, parse_arguments
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
    import anthropic

_STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}


def _blocks(message: ChatMessage) -> list[dict[str, Any]]:
    if message.role == "tool":
        result: dict[str, Any] = {"type": "tool_result", "tool_use_id": message.tool_call_id}
        if message.content:
            result["content"] = message.content
        if message.is_error:
            result["is_error"] = True
        return [result]
    blocks: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in message.tool_calls]
    return blocks


def to_wire(messages: tuple[ChatMessage, ...]) -> tuple[str | None, list[dict[str, Any]]]:
    """System text apart; tool results become ``tool_result`` blocks of a user turn; consecutive same-role turns
    merge, so the results of parallel calls travel in ONE user message (results first, as the API wants)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system") or None
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return system, turns


def _inside_tool_loop(messages: tuple[ChatMessage, ...]) -> bool:
    """Whether the request continues a turn after tool calls (an assistant call since the last user text)."""
    for message in reversed(messages):
        if message.role == "assistant" and message.tool_calls:
            return True
        if message.role == "user":
            return False
    return False


def _tool_choice(choice: str) -> dict[str, str]:
    """OpenAI's ``tool_choice`` words in Anthropic's terms (``required`` is ``any``)."""
    forced = forced_tool(choice)
    if forced:
        return {"type": "tool", "name": forced}
    return {"type": {"required": "any"}.get(choice, choice)}


@dataclass
class _PendingUse:
    """One ``tool_use`` block: id and name at its start, the input as JSON text in ``input_json_delta`` pieces."""

    ordinal: int  # the call's place in the reply: the index of its ``ToolCallDelta`` events
    id: str
    name: str
    start_input: dict[str, Any]
    json: list[str] = field(default_factory=list)

    def complete(self) -> ToolCallComplete:
        text = "".join(self.json)
        arguments = parse_arguments(text) if text else dict(self.start_input)
        return ToolCallComplete(ToolCall(self.id or new_call_id(), self.name, arguments))


class AnthropicProvider(Provider["anthropic.AsyncAnthropic"]):
    type = "anthropic"
    sdk_module = "anthropic"

    def _make_client(self) -> anthropic.AsyncAnthropic:
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=self.api_key,
            base_url=self.config.base_url,
            max_retries=0,
            timeout=anthropic.Timeout(self.first_token_timeout, connect=self.connect_timeout),
        )

    async def _close_client(self, client: anthropic.AsyncAnthropic) -> None:
        await client.close()

    def _errors(self) -> AbstractContextManager[None]:
        import anthropic

        return sdk_errors(self.name, anthropic)

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        system, turns = to_wire(request.messages)
        options = request.options
        max_tokens = request.max_tokens or options.max_tokens or self.settings.llm_default_max_output_tokens
        payload: dict[str, Any] = {"model": request.model, "messages": turns, "max_tokens": max_tokens}
        if system:
            payload["system"] = system
        # No temperature: API version 2026-10-21 (the SDK's default) refuses sampling parameters.
        # Thinking blocks (with their signatures) are not kept, and the API refuses thinking on a request whose
        # tool-calling assistant turn lacks them: the rounds after a tool call go without thinking.
        if options.thinking and not _inside_tool_loop(request.messages):
            budget = options.thinking_budget_tokens or self.settings.llm_default_thinking_budget_tokens
            payload["thinking"] = {"type": "enabled", "budget_tokens": budget, "display": "summarized"}
            payload["max_tokens"] = max(max_tokens, budget + 1)
        if request.tools:
            payload["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in request.tools
            ]
            if options.tool_choice is not None:
                payload["tool_choice"] = _tool_choice(options.tool_choice)
        if options.stop:
            payload["stop_sequences"] = list(options.stop)
        return payload

    async def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        input_tokens = output_tokens = 0
        stop: str | None = None
        tools: dict[int, _PendingUse] = {}  # by content block index
        uses = 0  # tool_use blocks so far
        with self.refusals(request), self._errors():
            # the SDK stream is closed even when the caller stops early (no socket left in CLOSE_WAIT)
            async with await self.client.messages.create(**self._payload(request), stream=True) as events:
                async for event in events:
                    kind = event.type
                    if kind == "message_start":
                        usage = event.message.usage
                        input_tokens = _input_tokens(usage)
                        output_tokens = usage.output_tokens or 0
                    elif kind == "content_block_start":
                        block = event.content_block
                        if block.type == "tool_use":
                            start = block.input if isinstance(block.input, dict) else {}
                            tools[event.index] = _PendingUse(uses, block.id, block.name, start)
                            uses += 1
                            yield ToolCallDelta(tools[event.index].ordinal, block.id, block.name, "")
                    elif kind == "content_block_delta":
                        delta = event.delta
                        if delta.type == "text_delta":
                            yield TextDelta(delta.text)
                        elif delta.type == "thinking_delta":
                            yield ThinkingDelta(delta.thinking)
                        elif delta.type == "input_json_delta" and event.index in tools:
                            pending = tools[event.index]
                            pending.json.append(delta.partial_json)
                            yield ToolCallDelta(pending.ordinal, None, None, delta.partial_json)
                    elif kind == "content_block_stop" and event.index in tools:
                        yield tools.pop(event.index).complete()
                    elif kind == "message_delta":
                        if event.usage is not None:
                            output_tokens = event.usage.output_tokens or output_tokens
                            input_tokens = _input_tokens(event.usage) or input_tokens
                        if event.delta.stop_reason:
                            stop = _STOP_REASONS.get(event.delta.stop_reason, event.delta.stop_reason)
        if stop is None:
            raise ProviderBadResponse(self.name, "the stream ended before the model finished")
        yield UsageReport(Usage(input_tokens, output_tokens))
        yield StopReport(stop)

    async def list_models(self) -> list[str]:
        with self._errors():
            page = await self.client.models.list(timeout=self.settings.llm_discovery_timeout_seconds)
            return sorted([model.id async for model in page])

    async def count_tokens(self, request: ChatRequest) -> int | None:
        if not self.config.count_tokens_api:
            return None
        import anthropic

        payload = self._payload(request)
        for key in ("max_tokens", "temperature", "stream"):
            payload.pop(key, None)
        try:
            result = await self.client.messages.count_tokens(**payload)
        except anthropic.APIError:
            return None  # the estimate stands in; counting is advisory
        return int(result.input_tokens)


def _input_tokens(usage: Any) -> int:
    # Cached prompt tokens are billed input too.
    return sum(
        getattr(usage, name, 0) or 0
        for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )
