"""One chat turn's tool calls: SDK sessions opened lazily, calls run concurrently, every failure an outcome.

Each server's SDK client lives in a task of its own (a ``_Link``), started by the first ``call_all`` that needs
the server and ended when the turn's ``async with`` exits: the client is entered and exited in that one task,
as the SDK's anyio cancel scopes require, and a transport that breaks (a server process that dies) ends that
task only, never the turn. The calls themselves are plain requests on the open client, made from the tasks of
``call_all`` (the built-in server's handlers run in those tasks, so ``acting_as`` reaches them).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import anyio
import anyio.abc

from privategpt.auth.principal import Principal
from privategpt.settings import Settings
from privategpt.tools.client.connect import Connection, Connector, Endpoint, describe
from privategpt.tools.client.render import render
from privategpt.tools.identity import acting_as
from privategpt.tools.types import ToolOutcome, ToolSpec

log = logging.getLogger(__name__)

_MS = 1000.0


class _Link:
    """One server's SDK client for the length of a turn, owned by the task that runs ``run``."""

    def __init__(self, connector: Connector, endpoint: Endpoint) -> None:
        self._connector = connector
        self.endpoint = endpoint
        self.connection: Connection | None = None
        self.error: str | None = None
        self.ready = anyio.Event()  # connected, or failed
        self.done = anyio.Event()
        self._closing = anyio.Event()
        self._scope = anyio.CancelScope()

    async def run(self) -> None:
        with self._scope:
            try:
                async with self._connector.connect(self.endpoint) as connection:
                    self.connection = connection
                    self.ready.set()
                    await self._closing.wait()
            except Exception as exc:  # the turn goes on: the reason becomes this server's calls' outcome
                self.error = describe(exc, self.connection)
                log.warning("MCP server %s: %s", self.endpoint.name, self.error)
                log.debug("MCP server %s failed", self.endpoint.name, exc_info=exc)
            finally:
                self.connection = None
                if self.error is None and not self._closing.is_set():
                    self.error = "the connection to the server was lost"
                self.ready.set()
                self.done.set()

    def close(self) -> None:
        self._closing.set()

    def cancel(self) -> None:
        self._scope.cancel()


class ToolSession:
    """Use as ``async with catalog.session(principal) as session``; ``call_all`` may be called once per round."""

    def __init__(self, settings: Settings, connector: Connector, principal: Principal) -> None:
        self._settings = settings
        self._connector = connector
        self._principal = principal
        self._links: dict[str, _Link] = {}
        self._group: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> ToolSession:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._group is not None
        for link in self._links.values():
            link.close()
        # Closing is bounded: a server that does not shut down in time is cancelled.
        with anyio.move_on_after(self._settings.tools_connect_timeout_seconds, shield=True):
            for link in self._links.values():
                await link.done.wait()
        for link in self._links.values():
            link.cancel()
        group, self._group = self._group, None
        if isinstance(exc, anyio.get_cancelled_exc_class()):
            return await group.__aexit__(exc_type, exc, tb)
        # The links are ended and never raise: the turn's own exception (or GeneratorExit, when a streaming
        # response is closed) goes on unchanged instead of inside an ExceptionGroup.
        await group.__aexit__(None, None, None)
        return None

    async def call_all(self, calls: Sequence[tuple[ToolSpec, dict[str, Any]]], *, timeout: float) -> list[ToolOutcome]:
        """The outcome of each call, in order. Never raises for a tool's or a server's failure."""
        limit = min(self._settings.tools_call_timeout_seconds, timeout)
        deadline = time.monotonic() + limit
        await self._open({spec.server for spec, _ in calls}, deadline)
        outcomes: list[ToolOutcome | None] = [None] * len(calls)
        limiter = anyio.Semaphore(self._settings.tools_max_parallel_calls)

        async def one(index: int, spec: ToolSpec, arguments: dict[str, Any]) -> None:
            async with limiter:
                outcomes[index] = await self._call(spec, arguments, deadline, limit)

        async with anyio.create_task_group() as group:
            for index, (spec, arguments) in enumerate(calls):
                group.start_soon(one, index, spec, arguments)
        return [outcome or ToolOutcome(False, "the call did not run", 0.0) for outcome in outcomes]

    async def _open(self, servers: set[str], deadline: float) -> None:
        """Start a link for each server not yet open and wait (within the connect timeout) until each is ready."""
        if self._group is None:
            raise RuntimeError("ToolSession.call_all outside its async with")
        started = []
        for name in sorted(servers):
            endpoint = self._connector.endpoint(name)
            if name in self._links or endpoint is None:
                continue
            link = _Link(self._connector, endpoint)
            self._links[name] = link
            self._group.start_soon(link.run)
            started.append(link)
        wait = min(self._settings.tools_connect_timeout_seconds, max(deadline - time.monotonic(), 0.0))
        with anyio.move_on_after(wait):
            for link in started:
                await link.ready.wait()
        for link in started:
            if not link.ready.is_set():
                link.error = f"the server did not connect within {wait:g} s"
                link.cancel()

    async def _call(self, spec: ToolSpec, arguments: dict[str, Any], deadline: float, limit: float) -> ToolOutcome:
        started = time.monotonic()

        def outcome(ok: bool, content: str, structured: dict[str, Any] | None = None) -> ToolOutcome:
            return ToolOutcome(ok, content, (time.monotonic() - started) * _MS, structured)

        arguments, malformed = _arguments(arguments)
        if malformed is not None:
            return outcome(False, malformed)
        link = self._links.get(spec.server)
        if link is None:
            return outcome(False, f"there is no tool server named {spec.server!r}")
        connection = link.connection
        if connection is None:
            return outcome(False, f"the tool server {spec.server!r} is unavailable: {link.error or 'not connected'}")
        budget = deadline - time.monotonic()
        if budget <= 0:
            return outcome(False, "no time was left for this call in this turn")
        try:
            with anyio.fail_after(budget), acting_as(self._principal):
                result = await connection.client.call_tool(spec.name, arguments, read_timeout_seconds=budget)
        except Exception as exc:  # every failure is the model's to see, never the turn's
            reason = describe(exc, connection, timeout=limit)
            log.info("MCP tool %s failed: %s", spec.id, reason)
            log.debug("MCP tool %s failed", spec.id, exc_info=exc)
            return outcome(False, f"the tool call failed: {reason}")
        return outcome(not result.is_error, render(result), result.structured_content)


def _arguments(arguments: Any) -> tuple[dict[str, Any], str | None]:
    """The arguments to send, or why they cannot be (the provider layer keeps arguments that are not JSON as
    ``{"_raw": "<text>"}``)."""
    if not isinstance(arguments, dict):
        return {}, "the arguments must be a JSON object"
    raw = arguments.get("_raw") if set(arguments) == {"_raw"} else None
    if not isinstance(raw, str):
        return arguments, None
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        return {}, f"the arguments were not valid JSON: {exc}"
    if not isinstance(parsed, dict):
        return {}, "the arguments were not valid JSON: they must be an object"
    return parsed, None
