"""One entry point for model calls: resolve the model, check the context, call, meter usage.

Chat (streaming and not) builds on ``prepare`` + ``stream``/``complete``; nothing outside ``llm/`` talks to
a provider directly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, replace
from typing import Any

from privategpt.llm import context
from privategpt.llm.provider import collect
from privategpt.llm.registry import ModelRegistry, ProviderState
from privategpt.llm.resilience import RetryPolicy, guarded_stream
from privategpt.llm.tokens import TokenCounter
from privategpt.llm.types import (
    ChatMessage,
    ChatOptions,
    ChatRequest,
    ChatResponse,
    ModelInfo,
    StreamEvent,
    ToolDefinition,
)
from privategpt.llm.usage import UsageMeter
from privategpt.settings import Settings


@dataclass(frozen=True)
class Prepared:
    """A request that passed every check that can fail early."""

    state: ProviderState
    model: ModelInfo
    request: ChatRequest
    prompt_tokens: int


class LLMService:
    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.counter = TokenCounter(settings)

    def answer_limit(self, model: ModelInfo, options: ChatOptions) -> int:
        """The most an answer may take: the request's ``max_tokens``, else the model's output limit."""
        return min(options.max_tokens or model.max_output_tokens, model.max_output_tokens)

    def minimum_answer(self, options: ChatOptions) -> int:
        """The least room a prompt must leave: ``PGPT_LLM_MIN_ANSWER_TOKENS``, or a smaller ``max_tokens``."""
        return min(options.max_tokens or self.settings.llm_min_answer_tokens, self.settings.llm_min_answer_tokens)

    def reserved_output(self, model: ModelInfo, options: ChatOptions) -> int:
        """What to keep free for the answer when choosing how much history fits (chat's budget is
        ``window - reserved_output - fixed prompt``): the request's ``max_tokens`` if it set one, else the
        model's output limit capped by ``PGPT_LLM_DEFAULT_MAX_OUTPUT_TOKENS`` and by
        ``PGPT_LLM_ANSWER_RESERVE_FRACTION`` of the window, never less than the minimum answer. So a small
        window keeps half of itself for the answer instead of all of it; ``prepare`` then gives the answer
        whatever the actual prompt leaves."""
        limit = self.answer_limit(model, options)
        if options.max_tokens:
            return limit
        share = int(model.context_window * self.settings.llm_answer_reserve_fraction)
        return max(min(limit, self.settings.llm_default_max_output_tokens, share), self.minimum_answer(options))

    async def prepare(
        self,
        model_ref: str | None,
        messages: tuple[ChatMessage, ...],
        *,
        tools: tuple[ToolDefinition, ...] = (),
        options: ChatOptions | None = None,
        prompt_tokens: int | None = None,
    ) -> Prepared:
        """Resolve the model (404), then give the answer what the window leaves after the prompt, up to its
        limit: that is the request's ``max_tokens``, sent to the provider. 413 when the prompt leaves less than
        the minimum answer. ``prompt_tokens`` may come from stored per-message counts; otherwise the messages
        are counted here."""
        state, model = await self.registry.resolve(model_ref)
        options = options or ChatOptions()
        request = ChatRequest(model=model.name, messages=messages, tools=tools, options=options)
        if prompt_tokens is None:
            exact = await self.registry.provider(state).count_tokens(request)
            prompt_tokens = exact if exact is not None else self.count(model, messages)
        left = model.context_window - prompt_tokens
        minimum = self.minimum_answer(options)
        if left < minimum:
            raise context.too_long(model, prompt_tokens, minimum, await self.registry.models())
        request = replace(
            request,
            max_tokens=min(self.answer_limit(model, options), left),
            context_window=model.context_window,
            prompt_tokens=prompt_tokens,
        )
        return Prepared(state, model, request, prompt_tokens)

    def count_message(self, model: ModelInfo, message: ChatMessage) -> int:
        return self.counter.count_message(self.registry.provider_type(model.provider), model.name, message)

    def count(self, model: ModelInfo, messages: tuple[ChatMessage, ...]) -> int:
        provider_type = self.registry.provider_type(model.provider)
        return self.counter.count_messages(provider_type, model.name, messages)

    def count_tools(self, model: ModelInfo, tools: tuple[ToolDefinition, ...]) -> int:
        """The room tool definitions take in the prompt (counted as their JSON)."""
        if not tools:
            return 0
        text = json.dumps([{"name": t.name, "description": t.description, "parameters": t.parameters} for t in tools])
        return self.counter.count_text(self.registry.provider_type(model.provider), model.name, text)

    def meter(self, prepared: Prepared) -> UsageMeter:
        """The usage of one call: reported, else counted (see ``llm/usage.py``)."""
        model = prepared.model
        provider_type = self.registry.provider_type(model.provider)
        return UsageMeter(prepared.prompt_tokens, lambda text: self.counter.count_text(provider_type, model.name, text))

    def stream(self, prepared: Prepared) -> AsyncGenerator[StreamEvent, None]:
        """Provider events with retries, timeouts and the concurrency cap. A caller that stops early closes it
        (``contextlib.aclosing``), which closes the provider's stream at once. No wrapping generator here: each
        layer costs a hop per chunk, so a caller that meters usage feeds its ``UsageMeter`` itself."""
        state = prepared.state
        policy = RetryPolicy(
            retries=state.config.retries if state.config.retries is not None else self.settings.llm_retries,
            base_seconds=self.settings.llm_retry_base_seconds,
            max_seconds=self.settings.llm_retry_max_seconds,
        )

        def outcome(ok: bool, latency_ms: float, error: str | None) -> None:
            self.registry.record(state, ok, latency_ms, error)

        return guarded_stream(self.registry.provider(state), prepared.request, policy, state.limit, outcome)

    async def complete(self, prepared: Prepared) -> ChatResponse:
        """A whole reply; its usage is the provider's, else counted and marked estimated."""
        meter = self.meter(prepared)
        async with aclosing(self.stream(prepared)) as events:
            response = await collect(events, prepared.model.provider, prepared.model.name, observe=meter.observe)
        return replace(response, usage=meter.settled())

    async def aclose(self) -> None:
        await self.registry.aclose()


def model_view(model: ModelInfo) -> dict[str, Any]:
    return {
        "id": model.id,
        "provider": model.provider,
        "name": model.name,
        "context_window": model.context_window,
        "max_output_tokens": model.max_output_tokens,
        "capabilities": {
            "tools": model.capabilities.tools,
            "thinking": model.capabilities.thinking,
            "vision": model.capabilities.vision,
        },
        "input_price_per_mtok": model.input_price_per_mtok,
        "output_price_per_mtok": model.output_price_per_mtok,
    }
