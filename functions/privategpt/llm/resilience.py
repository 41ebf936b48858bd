"""Around every provider stream: a concurrency cap, first-token and total timeouts, and retries.

Retries (429, 5xx, connection errors; exponential backoff with full jitter, never shorter than the
provider's Retry-After) happen only while nothing has reached the caller. Once output has gone out, a
failure ends the stream with a ``StreamFailure`` event instead: what came before stands.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from privategpt.errors import AppError
from privategpt.llm.errors import ContextTooLong, ProviderError, ProviderTimeout
from privategpt.llm.provider import Provider
from privategpt.llm.types import (
    ChatRequest,
    StreamEvent,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
)
from privategpt.loops import LoopLocal

_OUTPUT = (TextDelta, ThinkingDelta, ToolCallDelta)


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = random.uniform(0, min(self.max_seconds, self.base_seconds * 2**attempt))  # noqa: S311
        if retry_after is not None:
            return min(max(backoff, retry_after), self.max_seconds)
        return backoff


Outcome = Callable[[bool, float, str | None], None]


async def guarded_stream(
    provider: Provider[Any],
    request: ChatRequest,
    policy: RetryPolicy,
    limit: LoopLocal[asyncio.Semaphore],
    on_outcome: Outcome,
) -> AsyncGenerator[StreamEvent, None]:
    """The provider's events with timeouts, retries and the concurrency cap applied."""
    attempt = 0
    async with limit.get():
        while True:
            started = time.perf_counter()
            sent_output = False
            events = provider.stream(request)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + provider.total_timeout
            first_deadline = min(deadline, loop.time() + provider.first_token_timeout)
            try:
                while not sent_output:
                    try:
                        # A timer per read until output begins (asyncio.wait_for would make a task per event).
                        async with asyncio.timeout_at(first_deadline):
                            event = await anext(events)
                    except StopAsyncIteration:
                        break
                    except TimeoutError:
                        raise ProviderTimeout(provider.name, "no answer within the first token timeout") from None
                    sent_output = isinstance(event, _OUTPUT)
                    yield event
                # Once output flows, a timer per read would cost more than relaying the event (~10 us): a stalled
                # read is ended by the transport's own read timeout (the first-token timeout, set on every
                # provider's client), and the total deadline is checked as each event arrives.
                if sent_output:
                    async for event in events:
                        if loop.time() > deadline:
                            raise ProviderTimeout(provider.name, "no answer within the total timeout")
                        yield event
                on_outcome(True, (time.perf_counter() - started) * 1000, None)
                return
            except AppError as exc:
                # A prompt refused as too long is the caller's, not a sign of the provider's health.
                healthy = isinstance(exc, ContextTooLong)
                on_outcome(healthy, (time.perf_counter() - started) * 1000, None if healthy else exc.code)
                retryable = isinstance(exc, ProviderError) and exc.retryable
                if sent_output:
                    yield StreamFailure(exc.code, exc.message)
                    return
                if not retryable or attempt >= policy.retries:
                    raise
                await asyncio.sleep(policy.delay(attempt, getattr(exc, "retry_after", None)))
                attempt += 1
            finally:
                await events.aclose()
