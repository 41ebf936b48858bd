"""Which tools the chat can use: each configured server's tools/list, cached per server for a TTL."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import anyio

from privategpt.auth.principal import Principal
from privategpt.settings import Settings
from privategpt.tools.client.connect import Connection, Connector, Endpoint, describe
from privategpt.tools.client.session import ToolSession
from privategpt.tools.types import ServerTools, ToolSpec, model_name

if TYPE_CHECKING:
    from mcp import Client

    from privategpt.llm.service import LLMService

log = logging.getLogger(__name__)

# tools/list pages read from one server: a server whose cursor never ends cannot hold a listing forever
_LIST_PAGE_CAP = 100


class ToolCatalog:
    """The configured servers and their tools. Reading the servers file happens here, so a bad file fails at
    construction (``ServersFileError``)."""

    def __init__(self, settings: Settings, llm: LLMService | None = None) -> None:
        self._settings = settings
        self._connector = Connector(settings, llm)
        self._cache: dict[str, tuple[float, ServerTools]] = {}

    async def servers(self) -> list[ServerTools]:
        endpoints = self._connector.endpoints
        listed: list[ServerTools | None] = [self._cached(endpoint) for endpoint in endpoints]

        async def fill(index: int, endpoint: Endpoint) -> None:
            server = await self._list(endpoint)
            self._cache[endpoint.name] = (time.monotonic() + self._settings.tools_list_ttl_seconds, server)
            listed[index] = server

        async with anyio.create_task_group() as group:
            for index, endpoint in enumerate(endpoints):
                if listed[index] is None:
                    group.start_soon(fill, index, endpoint)
        return [server for server in listed if server is not None]

    async def specs(self, enabled: Collection[str]) -> tuple[ToolSpec, ...]:
        """The tools ``enabled`` names (server names, or ``server/tool`` ids), each model name once."""
        wanted = set(enabled)
        chosen: list[ToolSpec] = []
        seen: set[str] = set()
        for server in await self.servers():
            for spec in server.tools:
                if (server.name in wanted or spec.id in wanted) and spec.model_name not in seen:
                    seen.add(spec.model_name)
                    chosen.append(spec)
        return tuple(chosen)

    def session(self, principal: Principal) -> AbstractAsyncContextManager[ToolSession]:
        return ToolSession(self._settings, self._connector, principal)

    async def aclose(self) -> None:
        self._cache.clear()

    def _cached(self, endpoint: Endpoint) -> ServerTools | None:
        entry = self._cache.get(endpoint.name)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    async def _list(self, endpoint: Endpoint) -> ServerTools:
        timeout = self._settings.tools_connect_timeout_seconds
        connection: Connection | None = None
        try:
            with anyio.fail_after(timeout):
                async with self._connector.connect(endpoint) as connection:
                    tools = await _list_tools(connection.client)
                    info = connection.client.server_info
        except Exception as exc:  # one server's failure is that server's error, not the listing's
            reason = describe(exc, connection, timeout=timeout)
            log.warning("MCP server %s: tools/list failed: %s", endpoint.name, reason)
            log.debug("MCP server %s: tools/list failed", endpoint.name, exc_info=exc)
            return ServerTools(endpoint.name, endpoint.builtin, endpoint.transport, error=reason, title=endpoint.title)
        specs = tuple(_spec(endpoint, tool) for tool in tools)
        title = endpoint.title or (info.title if info is not None else None)
        return ServerTools(endpoint.name, endpoint.builtin, endpoint.transport, specs, title=title)


async def _list_tools(client: Client) -> list[Any]:
    tools: list[Any] = []
    cursor: str | None = None
    for _ in range(_LIST_PAGE_CAP):
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tools


def _spec(endpoint: Endpoint, tool: Any) -> ToolSpec:
    return ToolSpec(
        server=endpoint.name,
        name=tool.name,
        description=tool.description or "",
        input_schema=dict(tool.input_schema or {"type": "object"}),
        model_name=model_name(endpoint.name, tool.name, endpoint.builtin),
        title=tool.title,
    )
