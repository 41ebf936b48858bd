"""The one interface every provider implements: a stream of events, and model discovery."""

from __future__ import annotations

import importlib
import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from privategpt.errors import AppError
from privategpt.llm.config import ProviderConfig
from privategpt.llm.errors import ContextTooLong
from privategpt.llm.types import (
    Capabilities,
    ChatRequest,
    ChatResponse,
    StopReport,
    StreamEvent,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    ToolCallComplete,
    Usage,
    UsageReport,
)
from privategpt.loops import LoopLocal
from privategpt.settings import Settings

Client = TypeVar("Client")


@dataclass(frozen=True)
class ModelDetails:
    """What a provider itself says about a model (Ollama's /api/show); None fields are unknown."""

    context_window: int | None = None
    capabilities: Capabilities | None = None


# What the registry does with a provider's refusal of a prompt as too long: learn the stated window, and
# return the 413 the caller gets.
RefusalHook = Callable[[ChatRequest, ContextTooLong], AppError]


class Provider(ABC, Generic[Client]):
    """A configured provider. Its HTTP client is made on first use, one per event loop."""

    type: str

    def __init__(self, config: ProviderConfig, settings: Settings, api_key: str | None) -> None:
        self.config = config
        self.name = config.name
        self.settings = settings
        self.api_key = api_key
        self.connect_timeout = config.timeouts.connect or settings.llm_connect_timeout_seconds
        self.first_token_timeout = config.timeouts.first_token or settings.llm_first_token_timeout_seconds
        self.total_timeout = config.timeouts.total or settings.llm_total_timeout_seconds
        self._clients: LoopLocal[Client] = LoopLocal(self._make_client)
        self.on_refusal: RefusalHook | None = None

    @contextmanager
    def refusals(self, request: ChatRequest) -> Iterator[None]:
        """Around a provider call: a refusal of the prompt as too long goes through ``on_refusal``."""
        try:
            yield
        except ContextTooLong as exc:
            if self.on_refusal is None:
                raise
            raise self.on_refusal(request, exc) from exc

    @property
    def client(self) -> Client:
        return self._clients.get()

    #: the module its client comes from, imported by ``preload`` (kept off the cold-start path until then)
    sdk_module: str = "httpx"

    def preload(self) -> None:
        """Import the client's SDK. Run in a worker thread before the first call: the first import of an SDK
        costs a second or more, which must neither block the event loop nor count against a call's timeout."""
        importlib.import_module(self.sdk_module)

    @abstractmethod
    def _make_client(self) -> Client: ...

    @abstractmethod
    async def _close_client(self, client: Client) -> None: ...

    @abstractmethod
    def stream(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Events for one chat request. Raises a ``ProviderError`` for failures."""

    @abstractmethod
    async def list_models(self) -> list[str]:
        """The provider's model names (not qualified)."""

    async def describe(self, model: str) -> ModelDetails | None:
        return None

    async def count_tokens(self, request: ChatRequest) -> int | None:
        """Exact prompt tokens from the provider's own counter, where it has one and it is enabled."""
        return None

    async def aclose(self) -> None:
        """Close this loop's client, if one was made."""
        client = self._clients.pop()
        if client is not None:
            await self._close_client(client)


#: where ``parse_arguments`` keeps arguments that are not a JSON object, exactly as the model wrote them
RAW_ARGUMENTS = "_raw"
CALL_ID_HEX_DIGITS = 24  # the ids we make: call_ and 96 random bits


def parse_arguments(raw: str) -> dict[str, Any]:
    """Tool-call arguments as the model wrote them. Never raises: text that is not a JSON object (malformed,
    truncated, or a list or a number) is kept whole under ``RAW_ARGUMENTS``, so the caller can answer the
    model with an error result instead of failing the turn."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        return {RAW_ARGUMENTS: raw}
    return value if isinstance(value, dict) else {RAW_ARGUMENTS: raw}


def arguments_object(value: Any) -> dict[str, Any]:
    """Arguments a provider sent already decoded (Ollama): an object stands; a string is parsed; anything else
    is kept as JSON text under ``RAW_ARGUMENTS``."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return parse_arguments(value)
    return {RAW_ARGUMENTS: json.dumps(value)}


def malformed_arguments(arguments: Mapping[str, Any]) -> str | None:
    """The model's own text when its arguments were not a JSON object (see ``parse_arguments``), else None."""
    raw = arguments.get(RAW_ARGUMENTS)
    return raw if len(arguments) == 1 and isinstance(raw, str) else None


def new_call_id() -> str:
    """An id for a tool call whose provider sent none (Ollama; some OpenAI-compatible servers)."""
    return f"call_{uuid.uuid4().hex[:CALL_ID_HEX_DIGITS]}"


async def collect(
    events: AsyncIterator[StreamEvent],
    provider: str,
    model: str,
    *,
    observe: Callable[[StreamEvent], None] | None = None,
) -> ChatResponse:
    """A complete response from a stream: the one way ``complete`` is built. ``observe`` sees every event."""
    started = time.perf_counter()
    first: float | None = None
    text: list[str] = []
    thinking: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage()
    stop: str | None = None
    failure: StreamFailure | None = None
    async for event in events:
        if observe is not None:
            observe(event)
        if isinstance(event, TextDelta | ThinkingDelta) and first is None:
            first = time.perf_counter()
        if isinstance(event, TextDelta):
            text.append(event.text)
        elif isinstance(event, ThinkingDelta):
            thinking.append(event.text)
        elif isinstance(event, ToolCallComplete):
            first = first or time.perf_counter()
            calls.append(event.call)
        elif isinstance(event, UsageReport):
            usage = event.usage
        elif isinstance(event, StopReport):
            stop = event.reason
        elif isinstance(event, StreamFailure):
            stop, failure = "error", event
    elapsed = (time.perf_counter() - started) * 1000
    return ChatResponse(
        content="".join(text),
        thinking="".join(thinking),
        tool_calls=tuple(calls),
        usage=usage,
        model=model,
        provider=provider,
        stop_reason=stop,
        latency_ms=elapsed,
        time_to_first_token_ms=(first - started) * 1000 if first is not None else None,
        error=failure,
    )
