"""One entry point for model calls: resolve the model, check the context, call, record usage.

Chat (streaming and not) builds on ``prepare`` + ``stream``/``complete``; nothing outside ``llm/`` talks to
a provider directly.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

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
    Usage,
    UsageReport,
)
from privategpt.observability import logger
from privategpt.settings import Settings
from privategpt.usage import service as usage


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

    def reserved_output(self, model: ModelInfo, options: ChatOptions) -> int:
        return options.max_tokens or min(model.max_output_tokens, self.settings.llm_default_max_output_tokens)

    async def prepare(
        self,
        model_ref: str | None,
        messages: tuple[ChatMessage, ...],
        *,
        tools: tuple[ToolDefinition, ...] = (),
        options: ChatOptions | None = None,
        prompt_tokens: int | None = None,
    ) -> Prepared:
        """Resolve the model (404) and check the context window (413). ``prompt_tokens`` may come from
        stored per-message counts; otherwise the messages are counted here."""
        state, model = await self.registry.resolve(model_ref)
        options = options or ChatOptions()
        request = ChatRequest(model=model.name, messages=messages, tools=tools, options=options)
        if prompt_tokens is None:
            exact = await self.registry.provider(state).count_tokens(request)
            prompt_tokens = exact if exact is not None else self.count(model, messages)
        reserved = self.reserved_output(model, options)
        context.check(model, prompt_tokens, reserved, await self.registry.models())
        return Prepared(state, model, request, prompt_tokens)

    def count_message(self, model: ModelInfo, message: ChatMessage) -> int:
        return self.counter.count_message(self.registry.provider_type(model.provider), model.name, message)

    def count(self, model: ModelInfo, messages: tuple[ChatMessage, ...]) -> int:
        provider_type = self.registry.provider_type(model.provider)
        return self.counter.count_messages(provider_type, model.name, messages)

    async def stream(self, prepared: Prepared, *, user_id: str | None = None) -> AsyncGenerator[StreamEvent, None]:
        """Provider events with retries and limits; the provider's reported usage is recorded at the end."""
        state = prepared.state
        policy = RetryPolicy(
            retries=state.config.retries if state.config.retries is not None else self.settings.llm_retries,
            base_seconds=self.settings.llm_retry_base_seconds,
            max_seconds=self.settings.llm_retry_max_seconds,
        )

        def outcome(ok: bool, latency_ms: float, error: str | None) -> None:
            self.registry.record(state, ok, latency_ms, error)

        reported: Usage | None = None
        try:
            async for event in guarded_stream(
                self.registry.provider(state), prepared.request, policy, state.limit, outcome
            ):
                if isinstance(event, UsageReport):
                    reported = event.usage
                yield event
        finally:
            if user_id is not None and reported is not None:
                await self.record_usage(user_id, prepared.model, reported)

    async def complete(self, prepared: Prepared, *, user_id: str | None = None) -> ChatResponse:
        return await collect(self.stream(prepared, user_id=user_id), prepared.model.provider, prepared.model.name)

    async def record_usage(self, user_id: str, model: ModelInfo, reported: Usage) -> None:
        """Add a call's usage to the user's counters; a failure is logged, never raised."""
        try:
            await run_in_threadpool(usage.record, user_id, model, reported)
        except Exception:  # usage must never cost the user their answer; the log keeps the trace
            logger.exception("usage not recorded", extra={"model": model.id})

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
