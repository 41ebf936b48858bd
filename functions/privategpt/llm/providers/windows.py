"""Where OpenAI-compatible servers state a model's context window, read at discovery.

- vLLM: ``max_model_len`` in each ``/v1/models`` entry (the limit it enforces on prompt + max_tokens).
- llama.cpp's server: ``GET /props`` → ``default_generation_settings.n_ctx`` (one slot's window: what a
  request gets); its ``/v1/models`` entries carry ``meta.n_ctx_train``, the trained length, used only when
  ``/props`` says nothing (the server may have loaded the model with less).
- LM Studio: ``GET /api/v0/models`` → ``loaded_context_length`` of a loaded model. An unloaded one is loaded
  on demand with LM Studio's default length, so its ``max_context_length`` counts only up to
  ``PGPT_LLM_DEFAULT_CONTEXT_WINDOW``.
- OpenRouter and others: ``context_length`` in the ``/v1/models`` entry.

The two server probes run once per listing, only when some entry states no window, shared by every model's
``describe``, each bounded by half the discovery timeout; a 404 or anything unexpected means "not that kind
of server". The providers file's ``context_window`` wins over all of this.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from privategpt.llm.providers.openai import OpenAIProvider


def positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _entry_window(entry: dict[str, Any]) -> int | None:
    return positive(entry.get("max_model_len")) or positive(entry.get("context_length"))


@dataclass
class ServerWindows:
    """What a server's own endpoints say: one window for every model (llama.cpp), or one per model."""

    every: int | None = None
    per_model: dict[str, int] = field(default_factory=dict)


class Probe:
    """One listing's entries, and the server probes made (at most once) for models they leave open."""

    def __init__(self, provider: OpenAIProvider, entries: dict[str, dict[str, Any]]) -> None:
        self._provider = provider
        self._entries = entries
        self._server: asyncio.Task[ServerWindows] | None = None

    async def window(self, model: str) -> int | None:
        entry = self._entries.get(model, {})
        stated = _entry_window(entry)
        if stated:
            return stated
        server = await self._server_windows()
        meta = entry.get("meta")
        trained = positive(meta.get("n_ctx_train")) if isinstance(meta, dict) else None
        return server.per_model.get(model) or server.every or trained

    async def _server_windows(self) -> ServerWindows:
        if self._server is None:
            self._server = asyncio.get_running_loop().create_task(self._probe())
        return await asyncio.shield(self._server)

    async def _probe(self) -> ServerWindows:
        import httpx

        provider = self._provider
        assert provider.config.base_url is not None
        root = provider.config.base_url.rstrip("/").removesuffix("/v1")
        headers = {"Authorization": f"Bearer {provider.api_key}"} if provider.api_key else None
        timeout = provider.settings.llm_discovery_timeout_seconds / 2
        async with httpx.AsyncClient(base_url=root, headers=headers, timeout=timeout) as client:
            props, lmstudio = await asyncio.gather(_get(client, "/props"), _get(client, "/api/v0/models"))
        windows = ServerWindows()
        if isinstance(props, dict):
            settings = props.get("default_generation_settings")
            slot = positive(settings.get("n_ctx")) if isinstance(settings, dict) else None
            windows.every = slot or positive(props.get("n_ctx"))
        data = lmstudio.get("data") if isinstance(lmstudio, dict) else None
        default = provider.settings.llm_default_context_window
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            loaded = positive(item.get("loaded_context_length"))
            most = positive(item.get("max_context_length"))
            window = loaded or (min(most, default) if most else None)
            if window:
                windows.per_model[item["id"]] = window
        return windows


async def _get(client: Any, path: str) -> Any:
    """A probe's JSON, or None for anything but a 200 with JSON (a server that has no such endpoint)."""
    import httpx

    try:
        response = await client.get(path)
        return response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
