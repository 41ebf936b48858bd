"""Streamable HTTP at ``/mcp``: stateless, JSON responses, behind the bearer token; and the OAuth
protected-resource metadata (``metadata``).

Per request: the Host and Origin checks (DNS-rebinding protection: localhost's plus ``PGPT_MCP_ALLOWED_HOSTS``
/ ``PGPT_MCP_ALLOWED_ORIGINS`` and the host of ``PGPT_MCP_RESOURCE_URL``), the bearer token (the app's
``TokenVerifier``, ``PGPT_AUTH_REQUIRED_ROLE``, the user's record as every route keeps it), then a fresh
stateless ``StreamableHTTPSessionManager`` run for this one request inside ``acting_as(principal)``. A fresh
manager per request, not one started by the app's lifespan: under Mangum the lifespan is off (and would run
per invocation), and a manager can be run once only. Making one is cheap (a few locks); the server itself
(its tools and their schemas) is built once, on the first request.

The SDK routes by the ``MCP-Protocol-Version`` header: a 2026-07-28 request (no handshake, ``server/discover``,
``Mcp-Method``/``Mcp-Name`` headers) goes to its single-exchange handler, anything else (2025-11-25 and
earlier with ``initialize``, or no header) to the stateless transport. Both answer JSON, never SSE, and set
no ``Mcp-Session-Id``.

``mcp`` is imported here only inside ``install`` and ``create_tools_app`` (and what they call), so importing
``privategpt.app`` does not import it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from privategpt import observability
from privategpt.auth.principal import Principal
from privategpt.auth.verifier import TokenVerifier
from privategpt.error_handlers import app_error_response
from privategpt.errors import AppError, Forbidden, Unauthorized
from privategpt.settings import Settings, get_settings
from privategpt.tools.identity import acting_as
from privategpt.tools.server import metadata

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

    from privategpt.llm.service import LLMService

LOCAL_HOSTS: Final = ("127.0.0.1", "localhost", "[::1]")
# POST only: stateless, so there is no SSE stream to open with GET (the SDK would hold it open until the
# client left, a Lambda until its timeout) and no session to end with DELETE. Both answer 405 (Allow: POST),
# which the spec allows.
MCP_METHODS: Final = ["POST"]


def security_settings(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection on, allowing localhost (any port) and the configured hosts and origins."""
    from mcp.server.transport_security import TransportSecuritySettings

    hosts = [*LOCAL_HOSTS, *(f"{host}:*" for host in LOCAL_HOSTS), *settings.mcp_allowed_hosts]
    origins = [
        *(f"http://{host}" for host in LOCAL_HOSTS),
        *(f"http://{host}:*" for host in LOCAL_HOSTS),
        *settings.mcp_allowed_origins,
    ]
    if settings.mcp_resource_url and (public := metadata.origin_of(settings.mcp_resource_url)):
        hosts.append(public[0])
        origins.append(public[1])
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def _challenge(resource_metadata: str, error: str | None = None, description: str | None = None) -> str:
    parts = []
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append('error_description="{}"'.format(description.replace('"', "'")))
    parts.append(f'resource_metadata="{resource_metadata}"')
    return "Bearer " + ", ".join(parts)


class MCPEndpoint:
    """The ASGI app at ``/mcp``."""

    def __init__(self, settings: Settings, llm: LLMService | None, verifier: TokenVerifier) -> None:
        self.settings = settings
        self.llm = llm
        self.verifier = verifier
        self._server: MCPServer | None = None
        self._security: TransportSecuritySettings | None = None

    def _built(self) -> tuple[MCPServer, TransportSecuritySettings]:
        """The server and its transport checks, made on the first request: the API function, which also serves
        ``/mcp`` under ``dev``, does not pay for importing ``mcp`` (about a second) at its cold start."""
        if self._server is None or self._security is None:
            from privategpt.tools.server.build import build_server

            self._server = build_server(self.settings, self.llm)
            self._security = security_settings(self.settings)
        return self._server, self._security

    async def _principal(self, request: Request) -> Principal | Response:
        resource_metadata = metadata.metadata_url(metadata.resource_url(self.settings, request))
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return app_error_response(
                Unauthorized("missing bearer token"), {"WWW-Authenticate": _challenge(resource_metadata)}
            )
        try:
            principal = await self.verifier.verify(token.strip())
        except Unauthorized as exc:
            challenge = _challenge(resource_metadata, "invalid_token", exc.message)
            return app_error_response(exc, {"WWW-Authenticate": challenge})
        except AppError as exc:  # the issuer's keys cannot be fetched: 503
            return app_error_response(exc)
        role = self.settings.auth_required_role
        if role and not principal.has_role(role):
            challenge = _challenge(resource_metadata, "insufficient_scope", f"the {role} role is required")
            return app_error_response(Forbidden(f"the {role!r} role is required"), {"WWW-Authenticate": challenge})
        from privategpt.users import service as users

        await run_in_threadpool(users.ensure, principal, self.settings)
        return principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
        from mcp.server.transport_security import TransportSecurityMiddleware

        from privategpt.tools.server.build import lowlevel

        server, security = self._built()
        request = Request(scope, receive)
        refused = await TransportSecurityMiddleware(security).validate_request(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        principal = await self._principal(request)
        if isinstance(principal, Response):
            await principal(scope, receive, send)
            return
        manager = StreamableHTTPSessionManager(
            app=lowlevel(server),
            stateless=True,
            json_response=True,
            security_settings=security,
            max_request_body_size=self.settings.mcp_max_body_bytes,
        )
        with acting_as(principal):
            async with manager.run():
                await manager.handle_request(scope, receive, send)


def _metadata_route(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    async def protected_resource(request: Request) -> Response:
        resource = metadata.resource_url(settings, request)
        return JSONResponse(metadata.document(settings, resource), headers={"Cache-Control": "public, max-age=3600"})

    return protected_resource


def install(app: FastAPI, settings: Settings) -> None:
    """``/mcp`` and its protected-resource metadata on ``app`` (which has ``state.verifier`` and ``state.llm``).
    Nothing when tools are off (``PGPT_TOOLS_ENABLED=false``) or when ``app`` has them already."""
    if not settings.tools_enabled or getattr(app.state, "mcp_installed", False):
        return
    app.state.mcp_installed = True
    endpoint = MCPEndpoint(settings, getattr(app.state, "llm", None), app.state.verifier)
    described = _metadata_route(settings)
    app.router.routes.extend(
        [
            Route(metadata.MCP_PATH, endpoint, methods=MCP_METHODS, include_in_schema=False),
            Route(metadata.WELL_KNOWN, described, methods=["GET"], include_in_schema=False),
            Route(metadata.WELL_KNOWN + metadata.MCP_PATH, described, methods=["GET"], include_in_schema=False),
        ]
    )


def create_tools_app(settings: Settings | None = None) -> FastAPI:
    """The tools Lambda's app: ``/mcp`` and the metadata only, with the API's error shape and request ids."""
    from fastapi import FastAPI

    from privategpt import __version__, error_handlers
    from privategpt.auth.keys import key_source
    from privategpt.llm import config as llm_config
    from privategpt.llm.registry import ModelRegistry
    from privategpt.llm.service import LLMService
    from privategpt.middleware import RequestContextMiddleware
    from privategpt.storage import db

    settings = settings or get_settings()
    settings = settings.model_copy(update={"tools_enabled": True})
    observability.configure(settings.service_name, settings.log_level)
    db.bind(settings)
    app = FastAPI(title="PrivateGPT MCP", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.llm = LLMService(settings, ModelRegistry(settings, llm_config.load(settings)))
    app.state.verifier = TokenVerifier(settings, key_source(settings))

    error_handlers.install(app)
    install(app, settings)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.mcp_max_body_bytes,
        retry_after_seconds=settings.dynamodb_retry_after_seconds,
    )
    return app
