"""Opening an SDK client to one MCP server: the built-in one in-process, the operator's over HTTP or stdio.

``Connector.connect`` is an async context manager: enter and exit it in one task (the SDK's transports hold
anyio task groups). Every failure is described by ``describe`` in words the model and the user can act on:
no header values, no URLs with credentials, no stack traces.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio

from privategpt import __version__
from privategpt.settings import Settings
from privategpt.tools.client.config import HttpServer, ServersFileError, StdioServer, load_servers, secret_headers

if TYPE_CHECKING:
    import httpx2
    from mcp import Client
    from mcp.server.mcpserver import MCPServer
    from mcp_types import Implementation

    from privategpt.llm.service import LLMService
    from privategpt.tools.client.ssrf import GuardedBackend

log = logging.getLogger(__name__)

CLIENT_NAME = "privategpt"


@dataclass(frozen=True)
class Endpoint:
    """One server the chat can use: the built-in one (``config`` None) or an entry of the servers file."""

    name: str
    transport: str  # "builtin", "http" or "stdio"
    title: str | None = None
    config: HttpServer | StdioServer | None = None

    @property
    def builtin(self) -> bool:
        return self.config is None


@dataclass
class Connection:
    """An open SDK client and what its HTTP client saw (an address refused, statuses other than 2xx)."""

    endpoint: Endpoint
    client: Client
    guard: GuardedBackend | None = None
    statuses: list[int] = field(default_factory=list)  # of the HTTP responses that were not a success
    redirects: list[int] = field(default_factory=list)  # of those that were a redirect (never followed)


class ConnectFailed(Exception):
    """Opening the client failed; the message is ``describe``'s, safe to show."""


class Connector:
    def __init__(self, settings: Settings, llm: LLMService | None = None) -> None:
        self._settings = settings
        self._llm = llm
        self._builtin: MCPServer | None = None
        self.endpoints: list[Endpoint] = []
        if settings.tools_enabled:
            self.endpoints.append(Endpoint(name=settings.tools_builtin_server, transport="builtin"))
        for server in load_servers(settings):
            self.endpoints.append(
                Endpoint(name=server.name, transport=server.transport, title=server.title, config=server)
            )

    def endpoint(self, name: str) -> Endpoint | None:
        return next((endpoint for endpoint in self.endpoints if endpoint.name == name), None)

    def _builtin_server(self) -> MCPServer:
        if self._builtin is None:
            from privategpt.tools.server.build import build_server

            self._builtin = build_server(self._settings, self._llm)
        return self._builtin

    @asynccontextmanager
    async def connect(self, endpoint: Endpoint) -> AsyncIterator[Connection]:
        from mcp_types import Implementation

        info = Implementation(name=CLIENT_NAME, version=__version__)
        timeout = self._settings.tools_connect_timeout_seconds  # each request's default; calls pass their own
        async with AsyncExitStack() as stack:
            connection: Connection | None = None
            try:
                connection = await self._client(endpoint, stack, info, timeout)
                await stack.enter_async_context(connection.client)
            except Exception as exc:
                raise ConnectFailed(describe(exc, connection)) from exc
            yield connection

    async def _client(
        self, endpoint: Endpoint, stack: AsyncExitStack, info: Implementation, timeout: float
    ) -> Connection:
        from mcp import Client
        from mcp.client.stdio import StdioServerParameters

        config = endpoint.config
        if config is None:
            client = Client(self._builtin_server(), client_info=info, cache=None, read_timeout_seconds=timeout)
            return Connection(endpoint, client)
        if isinstance(config, StdioServer):
            params = StdioServerParameters(
                command=config.command, args=list(config.args), env=dict(config.env) or None, cwd=config.cwd
            )
            return Connection(endpoint, Client(params, client_info=info, cache=None, read_timeout_seconds=timeout))
        return await self._http(endpoint, config, stack, info)

    async def _http(
        self, endpoint: Endpoint, config: HttpServer, stack: AsyncExitStack, info: Implementation
    ) -> Connection:
        import httpx2
        from mcp import Client
        from mcp.client.streamable_http import streamable_http_client

        from privategpt.tools.client.ssrf import GuardedBackend

        headers = dict(config.headers)
        headers.update(await anyio.to_thread.run_sync(secret_headers, config))
        settings = self._settings
        timeout = httpx2.Timeout(settings.tools_call_timeout_seconds, connect=settings.tools_connect_timeout_seconds)
        guard = None if config.allow_private_network else GuardedBackend()
        statuses: list[int] = []
        redirects: list[int] = []

        async def note_status(response: httpx2.Response) -> None:
            if not response.is_success:
                statuses.append(response.status_code)
            if response.is_redirect:
                redirects.append(response.status_code)

        http = await stack.enter_async_context(
            httpx2.AsyncClient(
                headers=headers,
                timeout=timeout,
                follow_redirects=False,
                max_redirects=0,  # the SDK follows same-origin redirects up to this many: none
                trust_env=False,  # no proxy from the environment: the guard must see the real destination
                transport=_transport(guard),
                event_hooks={"response": [note_status]},
            )
        )
        transport = streamable_http_client(config.url, http_client=http)
        client = Client(
            transport, client_info=info, cache=None, read_timeout_seconds=settings.tools_connect_timeout_seconds
        )
        return Connection(endpoint, client, guard, statuses, redirects)


def _transport(guard: GuardedBackend | None) -> httpx2.AsyncHTTPTransport:
    import httpcore2
    import httpx2

    transport = httpx2.AsyncHTTPTransport(trust_env=False)
    if guard is not None:
        # httpx has no network-backend option: its transport gets a pool that connects through the guard.
        ssl_context = httpx2.create_ssl_context(trust_env=False)
        transport._pool = httpcore2.AsyncConnectionPool(ssl_context=ssl_context, network_backend=guard)
    return transport


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def describe(exc: BaseException, connection: Connection | None = None, *, timeout: float | None = None) -> str:
    """A failure in words for the model: what went wrong and nothing secret (header values, URLs, traces)."""
    import httpx2
    from mcp.shared.exceptions import MCPError
    from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

    from privategpt.tools.client.ssrf import AddressRefused

    exc = _leaf(exc)
    if isinstance(exc, ConnectFailed):
        return str(exc)
    if connection is not None and connection.guard is not None and connection.guard.refused is not None:
        return str(connection.guard.refused)
    if isinstance(exc, AddressRefused):
        return str(exc)
    if connection is not None and connection.redirects:
        return f"the server answered with a redirect (HTTP {connection.redirects[-1]}), which is not followed"
    if isinstance(exc, TimeoutError) or (isinstance(exc, MCPError) and exc.code == REQUEST_TIMEOUT):
        return f"no answer within {timeout:g} s" if timeout is not None else "the server did not answer in time"
    if isinstance(exc, MCPError):
        if exc.code == CONNECTION_CLOSED:
            return "the server closed the connection"
        if connection is not None and connection.statuses:
            return f"the server answered HTTP {connection.statuses[-1]}"
        return f"the server answered with an error: {exc.message}"
    if isinstance(exc, httpx2.TimeoutException):
        return "the server did not answer in time"
    if isinstance(exc, httpx2.HTTPStatusError):
        return f"the server answered HTTP {exc.response.status_code}"
    if isinstance(exc, httpx2.TransportError):
        return f"could not reach the server ({type(exc).__name__})"
    if isinstance(exc, ServersFileError):
        return "the server's headers secret is not a JSON object of strings"
    if isinstance(exc, RuntimeError):  # the SDK's checks of an answer (an output schema not met, ...)
        return f"the server's answer could not be used: {exc}"
    if isinstance(exc, (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)):
        return "the server closed the connection"
    if isinstance(exc, OSError):
        return f"could not start or reach the server ({type(exc).__name__})"
    return f"the server failed ({type(exc).__name__})"
