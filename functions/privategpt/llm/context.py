"""The context-window check that runs before any provider call."""

from __future__ import annotations

from privategpt.llm.errors import ContextTooLong
from privategpt.llm.types import ModelInfo

_MAX_MODEL_SUGGESTIONS = 3


def check(model: ModelInfo, requested: int, reserved_output: int, others: list[ModelInfo]) -> None:
    """Raise ``ContextTooLong`` (413) when prompt plus reserved output exceeds the model's window."""
    if requested + reserved_output <= model.context_window:
        return
    roomy = sorted(
        (m for m in others if m.context_window >= requested + reserved_output and m.id != model.id),
        key=lambda m: m.context_window,
    )
    suggestions = [f"use a model with a larger context window: {m.id}" for m in roomy[:_MAX_MODEL_SUGGESTIONS]]
    suggestions += ["start a new conversation", "shorten the message", "ask for fewer output tokens"]
    raise ContextTooLong(
        f"{requested} prompt tokens and {reserved_output} reserved for the answer exceed "
        f"{model.id}'s context window of {model.context_window}",
        details={
            "limit": model.context_window,
            "requested": requested,
            "reserved_output": reserved_output,
            "suggestions": suggestions,
        },
    )
