"""A real MCP server over Streamable HTTP for the client's tests: stateless, JSON responses, served by uvicorn.

The SDK's session manager runs once per request (the test server has no lifespan), and a recorder keeps each
request's headers and JSON-RPC methods. ``/redirect`` answers every request with a redirect to ``/mcp``,
``/denied`` with 401.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.types import Message, Receive, Scope, Send

from tests.support.server import serve


def remote_server() -> MCPServer:
    server: MCPServer = MCPServer(name="remote")

    @server.tool()
    def echo(text: str) -> str:
        """Say the text back."""
        return f"echo: {text}"

    @server.tool()
    async def slow(seconds: float) -> str:
        """Answer after a while."""
        await anyio.sleep(seconds)
        return "done"

    return server


@dataclass
class Recorder:
    headers: list[dict[str, str]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)

    def count(self, method: str) -> int:
        return self.methods.count(method)


def asgi(server: MCPServer, recorder: Recorder) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/redirect":
            await send({"type": "http.response.start", "status": 307, "headers": [(b"location", b"/mcp")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["path"] == "/denied":
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        recorder.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if body:
            payload = json.loads(body)
            for item in payload if isinstance(payload, list) else [payload]:
                if isinstance(item, dict) and "method" in item:
                    recorder.methods.append(str(item["method"]))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        manager = StreamableHTTPSessionManager(app=server._lowlevel_server, stateless=True, json_response=True)
        async with manager.run():
            await manager.handle_request(scope, replay, send)

    return app


@contextmanager
def running() -> Iterator[tuple[str, Recorder]]:
    """The server's base URL (``{base}/mcp`` is the endpoint) and its recorder."""
    recorder = Recorder()
    with serve(asgi(remote_server(), recorder)) as base:
        yield base, recorder
