"""The model → tools → model rounds of one turn, as one stream of events for the relay (and ``send``).

A round streams the model's answer. When it asks for tools, they run (``ToolSession.call_all``: in parallel,
each within ``PGPT_TOOLS_CALL_TIMEOUT_SECONDS``, all of the turn's within ``PGPT_TOOLS_TURN_TIMEOUT_SECONDS``),
the calls and their results join the request (``tool_context``: delimited as data, truncated, counted against
the window) and the model is asked again, at most ``PGPT_TOOLS_MAX_ROUNDS`` times. A tool that fails, times out
or does not exist is an error result the model sees; it never fails the turn. A turn offered no tools is one
round, the provider's events passed through.

Besides the provider's events, the loop yields ``ToolCallStarted`` (a call is complete, with its server) and
``ToolResultReady``. Usage is metered per round; after a round whose usage the provider reported, the running
total of the turn follows (``UsageReport``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack, aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from privategpt.auth.principal import Principal
from privategpt.chat import tool_context
from privategpt.chat.plan import Turn
from privategpt.chat.tool_context import ToolRecord
from privategpt.llm.service import LLMService
from privategpt.llm.types import (
    StreamEvent,
    StreamFailure,
    TextDelta,
    ToolCall,
    ToolCallComplete,
    Usage,
    UsageReport,
)
from privategpt.settings import Settings
from privategpt.tools.types import ToolOutcome, ToolSpec

if TYPE_CHECKING:
    from privategpt.tools.client.catalog import ToolCatalog
    from privategpt.tools.client.session import ToolSession


@dataclass(frozen=True)
class ToolCallStarted:
    """The model's call is complete (its arguments whole) and about to run."""

    id: str
    name: str
    server: str | None
    arguments: dict[str, Any]

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "server": self.server, "arguments": self.arguments}


@dataclass(frozen=True)
class ToolResultReady:
    record: ToolRecord


LoopEvent = StreamEvent | ToolCallStarted | ToolResultReady


@dataclass
class ToolLoop:
    llm: LLMService
    turn: Turn
    session: ToolSession | None  # None: no tools this turn
    settings: Settings
    records: list[ToolRecord] = field(default_factory=list)
    _usages: list[Usage] = field(default_factory=list)

    def usage(self) -> Usage | None:
        """The turn's usage: every round's, summed (None when no round produced or reported anything)."""
        if not self._usages:
            return None
        return Usage(
            sum(u.input_tokens for u in self._usages),
            sum(u.output_tokens for u in self._usages),
            estimated=any(u.estimated for u in self._usages),
        )

    async def events(self) -> AsyncGenerator[LoopEvent, None]:
        specs = {spec.model_name: spec for spec in self.turn.tools}
        deadline = asyncio.get_running_loop().time() + self.settings.tools_turn_timeout_seconds
        prepared = self.turn.prepared
        for round_no in itertools.count(1):
            calls: list[ToolCall] = []
            text: list[str] = []
            broke = False
            meter = self.llm.meter(prepared)
            try:
                async with aclosing(self.llm.stream(prepared)) as events:
                    async for event in events:
                        meter.observe(event)
                        if isinstance(event, ToolCallComplete):
                            calls.append(event.call)
                            spec = specs.get(event.call.name)
                            yield ToolCallStarted(
                                event.call.id,
                                spec.name if spec else event.call.name,
                                spec.server if spec else None,
                                event.call.arguments,
                            )
                        elif isinstance(event, UsageReport):
                            continue  # the running total follows the round
                        else:
                            if isinstance(event, TextDelta):
                                text.append(event.text)
                            broke = broke or isinstance(event, StreamFailure)
                            yield event
            finally:
                usage = meter.usage()
                if usage is not None:
                    self._usages.append(usage)
            total = self.usage()
            if total is not None and meter.reported is not None:  # relayed only when the provider reported
                yield UsageReport(total)
            if not calls or self.session is None or broke:
                return
            last = round_no > self.settings.tools_max_rounds
            records = await self._run(calls, specs, round_no, deadline, last)
            if not last:
                prepared, records = await tool_context.next_request(
                    self.llm, prepared, "".join(text), records, self.settings
                )
            for record in records:
                self.records.append(record)
                yield ToolResultReady(record)
            if last:
                return

    async def _run(
        self, calls: list[ToolCall], specs: dict[str, ToolSpec], round_no: int, deadline: float, last: bool
    ) -> list[ToolRecord]:
        assert self.session is not None
        outcomes: dict[int, ToolOutcome] = {}
        runnable: list[tuple[int, ToolSpec, dict[str, Any]]] = []
        remaining = deadline - asyncio.get_running_loop().time()
        for index, call in enumerate(calls):
            spec = specs.get(call.name)
            if spec is None:
                outcomes[index] = ToolOutcome(False, f"no tool named {call.name!r} is available in this chat", 0.0)
            elif last:
                limit = self.settings.tools_max_rounds
                outcomes[index] = ToolOutcome(
                    False, f"not run: the limit of {limit} tool rounds per turn was reached", 0.0
                )
            elif remaining <= 0:
                seconds = self.settings.tools_turn_timeout_seconds
                outcomes[index] = ToolOutcome(False, f"not run: this turn's tool time ({seconds:g} s) is used up", 0.0)
            else:
                runnable.append((index, spec, call.arguments))
        if runnable:
            results = await self.session.call_all([(spec, args) for _, spec, args in runnable], timeout=remaining)
            outcomes.update({index: outcome for (index, _, _), outcome in zip(runnable, results, strict=True)})
        records = []
        for index, call in enumerate(calls):
            spec = specs.get(call.name)
            outcome = outcomes[index]
            records.append(
                ToolRecord(
                    id=call.id,
                    name=spec.name if spec else call.name,
                    model_name=call.name,
                    server=spec.server if spec else None,
                    arguments=call.arguments,
                    ok=outcome.ok,
                    content=tool_context.clip(outcome.content, self.settings.tools_result_max_chars),
                    duration_ms=outcome.duration_ms,
                    round=round_no,
                )
            )
        return records


@asynccontextmanager
async def running(
    llm: LLMService, turn: Turn, catalog: ToolCatalog | None, settings: Settings
) -> AsyncIterator[tuple[ToolLoop, AsyncGenerator[LoopEvent, None]]]:
    """The turn's rounds and their events, inside the turn's one tool session: opened and closed in the caller's
    task (the SDK's cancel scopes), and only when the turn offers tools."""
    async with AsyncExitStack() as stack:
        session = None
        if turn.tools and catalog is not None:
            principal = Principal(user_id=turn.user_id, issuer="", subject="")
            session = await stack.enter_async_context(catalog.session(principal))
        rounds = ToolLoop(llm, turn, session, settings)
        yield rounds, await stack.enter_async_context(aclosing(rounds.events()))
