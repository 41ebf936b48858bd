"""The context window: the answer's budget before any provider call, and the 413 when there is none.

The answer gets what the window leaves after the prompt, up to what was asked for (else the model's output
limit). Only a prompt that leaves less than a minimum answer (``PGPT_LLM_MIN_ANSWER_TOKENS``, or the request's
own smaller ``max_tokens``) is refused, before anything is sent; a provider's own refusal gets the same 413.
"""

from __future__ import annotations

from privategpt.llm.errors import ContextTooLong
from privategpt.llm.types import ModelInfo

_MAX_MODEL_SUGGESTIONS = 3


def too_long(model: ModelInfo, prompt_tokens: int, minimum: int, others: list[ModelInfo]) -> ContextTooLong:
    """The 413 for a prompt that leaves less than ``minimum`` tokens of the window for the answer."""
    return ContextTooLong(
        f"{prompt_tokens} prompt tokens leave less than the {minimum} an answer needs in "
        f"{model.id}'s context window of {model.context_window}",
        details=_details(model.id, model.context_window, prompt_tokens, minimum, others),
    )


def refused(
    model: ModelInfo, window: int | None, prompt_tokens: int, max_tokens: int, others: list[ModelInfo]
) -> ContextTooLong:
    """The 413 for a provider's refusal of the prompt, naming the window it stated (else the one we know)."""
    limit = window or model.context_window
    return ContextTooLong(
        f"the provider refused {model.id}'s prompt as too long for its context window of {limit} tokens; "
        "the next message is fitted to that window",
        details=_details(model.id, limit, prompt_tokens, max_tokens, others),
        window=window,
    )


def _details(model_id: str, limit: int, requested: int, reserved: int, others: list[ModelInfo]) -> dict[str, object]:
    roomy = sorted(
        (m for m in others if m.context_window >= requested + reserved and m.id != model_id),
        key=lambda m: m.context_window,
    )
    suggestions = [f"use a model with a larger context window: {m.id}" for m in roomy[:_MAX_MODEL_SUGGESTIONS]]
    suggestions += ["start a new conversation", "shorten the message", "ask for fewer output tokens"]
    models = [m.id for m in roomy[:_MAX_MODEL_SUGGESTIONS]]  # the same, as ids a client can switch to
    return {
        "limit": limit,
        "requested": requested,
        "reserved_output": reserved,
        "models": models,
        "suggestions": suggestions,
    }
