"""OpenAI's response shapes: ``chat.completion``, ``chat.completion.chunk``, the model list, embeddings."""

from __future__ import annotations

import json
from typing import Any

from privategpt.llm.types import ModelInfo, ToolCall, Usage

DONE = b"data: [DONE]\n\n"
# Our stop reasons are OpenAI's words already ("stop", "length", "tool_calls", "content_filter"); anything else a
# provider said (or a reply that broke off) is reported as "stop".
_FINISH_REASONS = frozenset({"stop", "length", "tool_calls", "content_filter"})


def finish_reason(stop_reason: str | None) -> str:
    return stop_reason if stop_reason in _FINISH_REASONS else "stop"


def usage_view(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }


def tool_call_view(call: ToolCall) -> dict[str, Any]:
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": json.dumps(call.arguments)}}


def model_view(model_id: str, owner: str, created: int) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": created, "owned_by": owner}


def chat_model_view(model: ModelInfo, created: int) -> dict[str, Any]:
    return model_view(model.id, model.provider, created)


def completion(
    completion_id: str,
    created: int,
    model: str,
    message: dict[str, Any],
    stop_reason: str | None,
    usage: Usage,
    extensions: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason(stop_reason)}],
        "usage": usage_view(usage),
        **extensions,
    }


class Chunks:
    """The ``data:`` lines of one streamed completion; each chunk names the same id, time and model."""

    def __init__(self, completion_id: str, created: int, model: str, include_usage: bool) -> None:
        self._head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
        self._include_usage = include_usage

    def _line(self, body: dict[str, Any]) -> bytes:
        return b"data: " + json.dumps({**self._head, "system_fingerprint": None, **body}).encode() + b"\n\n"

    def delta(self, delta: dict[str, Any], finish: str | None = None, **extensions: Any) -> bytes:
        body: dict[str, Any] = {
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extensions,
        }
        if self._include_usage:
            body["usage"] = None  # as OpenAI: every chunk but the last says usage null
        return self._line(body)

    def usage(self, usage: Usage) -> bytes:
        """The last chunk, with ``stream_options.include_usage``: no choices, the whole usage."""
        return self._line({"choices": [], "usage": usage_view(usage)})


def error_line(error: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(error).encode() + b"\n\n"
