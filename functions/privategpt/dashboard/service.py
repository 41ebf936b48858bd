"""Every dependency's health, checked concurrently, each within ``PGPT_DASHBOARD_CHECK_TIMEOUT_SECONDS``: DynamoDB
(a ping), the vector store (a count of the caller's chunks, when documents are on), each LLM provider (the
registry's health), each MCP server (the tool catalog's listing). A failing check is reported, never raised."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from privategpt.dashboard.schemas import CheckStatus, DashboardHealth, DependencyKind, DependencyOut
from privategpt.errors import AppError
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.storage import db

if TYPE_CHECKING:
    from privategpt.tools.client.catalog import ToolCatalog

Check = Callable[[], Awaitable[list[DependencyOut]]]


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class HealthChecks:
    def __init__(self, settings: Settings, llm: LLMService, tools: ToolCatalog | None, owner_id: str) -> None:
        self.settings = settings
        self.llm = llm
        self.tools = tools
        self.owner_id = owner_id
        self.timeout = settings.dashboard_check_timeout_seconds

    async def run(self) -> DashboardHealth:
        checks: list[tuple[DependencyKind, str, Check]] = [("dynamodb", self.settings.table_name, self._dynamodb)]
        if self.settings.documents_bucket:
            checks.append(("vector_store", self.settings.vector_store, self._vector_store))
        checks.append(("llm_provider", "providers", self._llm_providers))  # bounds its own discovery
        if self.tools is not None:
            checks.append(("mcp_server", "servers", self._mcp_servers))
        results = await asyncio.gather(*(self._guarded(kind, name, check) for kind, name, check in checks))
        dependencies = [item for result in results for item in result]
        return DashboardHealth(status=_overall(dependencies), checked_at=datetime.now(UTC), dependencies=dependencies)

    async def _guarded(self, kind: DependencyKind, name: str, check: Check) -> list[DependencyOut]:
        started = time.perf_counter()
        try:
            if kind == "llm_provider":
                return await check()
            return await asyncio.wait_for(check(), self.timeout)
        except Exception as exc:  # a failing dependency is what this endpoint reports
            return [
                DependencyOut(
                    kind=kind, name=name, status="down", latency_ms=_elapsed_ms(started), error=self._error(exc)
                )
            ]

    def _error(self, exc: Exception) -> str:
        if isinstance(exc, TimeoutError):
            text = f"no answer within {self.timeout:g}s"
        elif isinstance(exc, AppError):
            text = f"{exc.code}: {exc.message}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        return text[: self.settings.dashboard_error_max_chars]

    async def _dynamodb(self) -> list[DependencyOut]:
        started = time.perf_counter()
        await run_in_threadpool(db.ping)
        return [
            DependencyOut(
                kind="dynamodb", name=self.settings.table_name, status="ok", latency_ms=_elapsed_ms(started), error=None
            )
        ]

    async def _vector_store(self) -> list[DependencyOut]:
        from privategpt.rag.stores import store_for

        started = time.perf_counter()
        await run_in_threadpool(lambda: store_for(self.settings).count(self.owner_id))
        name = self.settings.vector_store
        return [DependencyOut(kind="vector_store", name=name, status="ok", latency_ms=_elapsed_ms(started), error=None)]

    async def _llm_providers(self) -> list[DependencyOut]:
        registry = self.llm.registry
        # discovers once if nothing has been discovered yet (cached afterwards); slow discovery goes on in the
        # background while the providers' states are reported (this check bounds itself: see ``run``)
        with contextlib.suppress(Exception):  # each provider's state below says what went wrong
            await asyncio.wait_for(asyncio.shield(registry.models()), self.timeout)
        return [
            DependencyOut(
                kind="llm_provider",
                name=state.name,
                status=state.health(),
                latency_ms=state.last_latency_ms,
                error=state.last_error,
                model_count=len(state.models),
                checked_at=state.checked_at,
            )
            for state in registry.states
        ]

    async def _mcp_servers(self) -> list[DependencyOut]:
        assert self.tools is not None
        started = time.perf_counter()
        servers = await self.tools.servers()
        latency = _elapsed_ms(started)
        return [
            DependencyOut(
                kind="mcp_server",
                name=server.name,
                status="down" if server.error else "ok",
                latency_ms=latency,
                error=server.error[: self.settings.dashboard_error_max_chars] if server.error else None,
                tool_count=len(server.tools),
            )
            for server in servers
        ]


def _overall(dependencies: list[DependencyOut]) -> CheckStatus:
    if any(d.kind == "dynamodb" and d.status == "down" for d in dependencies):
        return "down"
    if any(d.status in ("down", "degraded") for d in dependencies):
        return "degraded"
    return "ok"
