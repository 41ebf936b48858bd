"""Every enabled provider's models, discovered and cached; model routing; provider health.

Discovery lists each provider's models (OpenAI ``/models``, Anthropic's models list, Ollama ``/api/tags``
and ``/api/show``) at most every ``PGPT_LLM_DISCOVERY_TTL_SECONDS``. A stale list is served while a refresh
runs in the background, so a chat request never waits on a slow provider; only the very first use waits,
bounded by ``PGPT_LLM_DISCOVERY_TIMEOUT_SECONDS`` per provider.
"""

from __future__ import annotations

import asyncio
import difflib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from privategpt.errors import AppError
from privategpt.llm import catalog, context
from privategpt.llm.config import ProviderConfig, ProvidersFile
from privategpt.llm.errors import ContextTooLong, ModelNotFound
from privategpt.llm.provider import ModelDetails, Provider
from privategpt.llm.providers import build
from privategpt.llm.types import Capabilities, ChatRequest, ModelInfo
from privategpt.loops import LoopLocal
from privategpt.observability import logger
from privategpt.settings import Settings

HealthStatus = Literal["ok", "degraded", "down", "unknown"]
LearnedWindows = dict[tuple[str, str | None, str], int]

# Windows providers stated when they refused a prompt: (provider, base URL, model) → tokens in our counting.
# They outlive rediscovery, so a conversation that outgrew a server's window stays fitted to it, and they are
# shared by every registry of the process (`privategpt dev` serves the API and the streaming app in one).
LEARNED_WINDOWS: LearnedWindows = {}
_MAX_SUGGESTIONS = 5


@dataclass
class ProviderState:
    config: ProviderConfig
    limit: LoopLocal[asyncio.Semaphore]
    outcomes: deque[bool]
    provider: Provider[Any] | None = None
    models: list[ModelInfo] = field(default_factory=list)
    discovered: bool | None = None  # None: never tried
    last_error: str | None = None
    last_latency_ms: float | None = None
    checked_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.config.name

    def health(self) -> HealthStatus:
        if self.discovered is None and not self.outcomes:
            return "unknown"
        recent = list(self.outcomes)
        if recent and not any(recent):
            return "down"
        if self.discovered is False and not any(recent):
            return "down"
        if self.discovered is False or (recent and not all(recent)):
            return "degraded"
        return "ok"


def _key(config: ProviderConfig, model: str) -> tuple[str, str | None, str]:
    return (config.name, config.base_url, model)


def _semaphore_factory(limit: int) -> Callable[[], asyncio.Semaphore]:
    return lambda: asyncio.Semaphore(limit)


class ModelRegistry:
    def __init__(self, settings: Settings, providers: ProvidersFile, learned: LearnedWindows | None = None) -> None:
        self.settings = settings
        self.default_model = providers.default_model
        self._states = {
            p.name: ProviderState(
                config=p,
                limit=LoopLocal(_semaphore_factory(p.max_concurrency or settings.llm_max_concurrency)),
                outcomes=deque(maxlen=settings.llm_health_window),
            )
            for p in providers.providers
            if p.enabled
        }
        self._learned = LEARNED_WINDOWS if learned is None else learned
        self._refreshed_at: float | None = None
        self._refresh_lock = LoopLocal(asyncio.Lock)
        self._background: asyncio.Task[None] | None = None

    # --- providers ---

    @property
    def states(self) -> list[ProviderState]:
        return list(self._states.values())

    def provider_type(self, name: str) -> str:
        return self._states[name].config.type

    def provider(self, state: ProviderState) -> Provider[Any]:
        if state.provider is None:
            state.provider = build(state.config, self.settings)
            state.provider.on_refusal = partial(self._refused, state)
        return state.provider

    def record(self, state: ProviderState, ok: bool, latency_ms: float, error: str | None) -> None:
        state.outcomes.append(ok)
        state.last_latency_ms = latency_ms
        if error:
            state.last_error = error

    async def aclose(self) -> None:
        for state in self._states.values():
            if state.provider is not None:
                await state.provider.aclose()

    # --- discovery ---

    def _stale(self) -> bool:
        return (
            self._refreshed_at is None
            or time.monotonic() - self._refreshed_at > self.settings.llm_discovery_ttl_seconds
        )

    async def models(self) -> list[ModelInfo]:
        if self._refreshed_at is None:
            await self.refresh()
        elif self._stale():
            self._refresh_in_background()
        return [self._fitted(state, m) for state in self._states.values() for m in state.models]

    def _refresh_in_background(self) -> None:
        task = self._background
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            return
        self._background = asyncio.get_running_loop().create_task(self.refresh())

    async def refresh(self) -> None:
        async with self._refresh_lock.get():
            await asyncio.gather(*(self._discover(state) for state in self._states.values()))
            self._refreshed_at = time.monotonic()

    async def _discover(self, state: ProviderState) -> None:
        started = time.perf_counter()
        timeout = self.settings.llm_discovery_timeout_seconds
        try:
            provider = self.provider(state)
            # Its client (and SDK: the first import costs seconds on a busy machine) is made outside the bound.
            await asyncio.to_thread(provider.preload)
            names = await asyncio.wait_for(provider.list_models(), timeout)
            offered = [n for n in names if state.config.offers(n)]
            details = await asyncio.wait_for(asyncio.gather(*(self._describe(provider, n) for n in offered)), timeout)
            state.models = [self._info(state.config, n, d) for n, d in zip(offered, details, strict=True)]
            state.discovered, state.last_error = True, None
        except Exception as exc:  # one provider's failure, whatever it is, must not break the others
            state.discovered = False
            if isinstance(exc, AppError):
                state.last_error = exc.code
            elif isinstance(exc, TimeoutError):
                state.last_error = "discovery_timeout"
            else:
                state.last_error = "discovery_failed"
                logger.exception("unexpected discovery failure", extra={"provider": state.name})
            if not state.models:
                state.models = self._configured_models(state.config)
            logger.warning("model discovery failed", extra={"provider": state.name, "error": state.last_error})
        state.last_latency_ms = (time.perf_counter() - started) * 1000
        state.checked_at = datetime.now(UTC)

    async def _describe(self, provider: Provider[Any], name: str) -> ModelDetails | None:
        try:
            return await provider.describe(name)
        except AppError:
            return None

    def _configured_models(self, config: ProviderConfig) -> list[ModelInfo]:
        """Models the providers file names outright stay usable while discovery fails."""
        return [self._info(config, name, None) for name in config.models if not any(c in name for c in "*?[")]

    def _window(self, config: ProviderConfig, name: str, details: ModelDetails | None) -> int:
        """The providers file's window, else the provider's (Ollama's capped: num_ctx costs GPU memory), else
        the built-in table's, else the cautious default; never more than a refusal taught us."""
        override = config.models.get(name)
        known = catalog.family(name)
        if override and override.context_window:
            window = override.context_window
        else:
            window = (
                (details.context_window if details else None)
                or (known.context_window if known else None)
                or self.settings.llm_default_context_window
            )
            if config.type == "ollama":
                window = min(window, self.settings.llm_ollama_max_context_window)
        learned = self._learned.get(_key(config, name))
        return min(window, learned) if learned else window

    def _fitted(self, state: ProviderState, model: ModelInfo) -> ModelInfo:
        """The model with a window learned since discovery (maybe by another registry of this process)."""
        learned = self._learned.get(_key(state.config, model.name))
        if learned is None or learned >= model.context_window:
            return model
        return replace(model, context_window=learned, max_output_tokens=min(model.max_output_tokens, learned))

    def _info(self, config: ProviderConfig, name: str, details: ModelDetails | None) -> ModelInfo:
        override = config.models.get(name)
        known = catalog.family(name)
        context = self._window(config, name, details)
        max_output = (
            (override.max_output_tokens if override else None)
            or (known.max_output_tokens if known else None)
            or self.settings.llm_default_max_output_tokens
        )
        if override and override.capabilities is not None:
            caps = Capabilities(**dict.fromkeys(override.capabilities, True))
        elif details and details.capabilities is not None:
            caps = details.capabilities
        else:
            caps = known.capabilities if known else Capabilities()
        return ModelInfo(
            provider=config.name,
            name=name,
            context_window=context,
            max_output_tokens=min(max_output, context),
            capabilities=caps,
            input_price_per_mtok=override.input_price_per_mtok if override else None,
            output_price_per_mtok=override.output_price_per_mtok if override else None,
        )

    # --- routing ---

    def conflicts(self) -> dict[str, list[str]]:
        """Bare names offered by more than one provider, with the providers in priority order."""
        owners: dict[str, list[str]] = {}
        for state in self._states.values():
            for model in state.models:
                owners.setdefault(model.name, []).append(state.name)
        return {name: providers for name, providers in sorted(owners.items()) if len(providers) > 1}

    async def resolve(self, ref: str | None) -> tuple[ProviderState, ModelInfo]:
        """``provider/model`` or a bare name (first provider in priority order); 404 with close matches."""
        ref = ref or self.default_model
        if not ref:
            raise ModelNotFound("no model given and no default model configured", details={"model": None})
        models = await self.models()
        prefix, _, rest = ref.partition("/")
        if rest and prefix in self._states:
            found = [m for m in self._states[prefix].models if m.name == rest]
        else:
            found = [m for m in models if m.name == ref]
        if not found:
            if self._stale():
                self._refresh_in_background()
            choices = sorted({m.id for m in models} | {m.name for m in models})
            close = difflib.get_close_matches(ref, choices, n=_MAX_SUGGESTIONS, cutoff=0.5)
            raise ModelNotFound(f"unknown model {ref!r}", details={"model": ref, "suggestions": close})
        model = self._fitted(self._states[found[0].provider], found[0])
        return self._states[model.provider], model

    # --- windows learned from refusals ---

    def learn(self, provider: str, model: str, window: int) -> ModelInfo | None:
        """Remember that ``provider``'s ``model`` takes at most ``window`` tokens; the model as it now is."""
        state = self._states.get(provider)
        if state is None:
            return None
        key = _key(state.config, model)
        known = self._learned.get(key)
        self._learned[key] = min(window, known) if known else window
        found = next((m for m in state.models if m.name == model), None)
        return self._fitted(state, found) if found else None

    def _refused(self, state: ProviderState, request: ChatRequest, exc: ContextTooLong) -> AppError:
        """A provider refused a prompt as too long: learn the window it stated and answer 413 with it.

        Our prompt count is an estimate for most models; when the provider counted the same prompt as more
        tokens than we did, the stated window is scaled down by that ratio so that our counting fits theirs."""
        found = next((m for m in state.models if m.name == request.model), None)
        if found is None:
            return exc
        model = self._fitted(state, found)
        prompt = request.prompt_tokens or 0
        window = exc.window
        if window is not None:
            ours = window
            if exc.prompt_tokens and prompt and exc.prompt_tokens > prompt:
                ours = window * prompt // exc.prompt_tokens
            if ours < model.context_window:
                logger.warning(
                    "provider refused a prompt as too long; window learned",
                    extra={"model": model.id, "stated": window, "learned": ours, "was": model.context_window},
                )
                model = self.learn(state.name, model.name, ours) or model
        others = [self._fitted(st, m) for st in self._states.values() for m in st.models]
        return context.refused(model, window, prompt, request.max_tokens or 0, others)
