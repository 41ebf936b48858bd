"""The application factory: feature routers, error handlers, middleware, docs."""

from __future__ import annotations

from fastapi import FastAPI

from privategpt import __version__, error_handlers, observability, openapi
from privategpt.auth.keys import key_source
from privategpt.auth.verifier import TokenVerifier
from privategpt.chat.router import router as chat_router
from privategpt.chat.stream_router import router as stream_router
from privategpt.conversations.router import router as conversations_router
from privategpt.dashboard.router import router as dashboard_router
from privategpt.docs.router import mount_docs
from privategpt.documents.router import router as documents_router
from privategpt.health.router import router as health_router
from privategpt.keys.router import router as keys_router
from privategpt.limits.router import router as limits_router
from privategpt.llm import config as llm_config
from privategpt.llm.registry import ModelRegistry
from privategpt.llm.router import router as llm_router
from privategpt.llm.service import LLMService
from privategpt.middleware import RequestContextMiddleware
from privategpt.openai_api import app as openai_api
from privategpt.prompts.router import router as prompts_router
from privategpt.settings import Settings, get_settings
from privategpt.storage import db
from privategpt.tools.router import router as tools_router
from privategpt.usage.router import router as usage_router
from privategpt.users.router import router as users_router


def _base_app(settings: Settings, *, openapi_url: str | None) -> FastAPI:
    """What both apps share: settings, the model layer, error handlers (middleware goes on last)."""
    observability.configure(settings.service_name, settings.log_level)
    db.bind(settings)
    app = FastAPI(
        title="PrivateGPT Serverless", version=__version__, docs_url=None, redoc_url=None, openapi_url=openapi_url
    )
    app.state.settings = settings
    app.state.llm = LLMService(settings, ModelRegistry(settings, llm_config.load(settings)))
    app.state.tools = None
    if settings.tools_enabled:
        from privategpt.tools.client.catalog import ToolCatalog

        app.state.tools = ToolCatalog(settings, app.state.llm)
    error_handlers.install(app)
    return app


def create_stream_app(settings: Settings | None = None) -> FastAPI:
    """The streaming app: served by uvicorn under the Lambda Web Adapter, or by ``dev`` on its own port.
    It serves phase 2 of chat's streams (the one-use token is the credential) and the OpenAI-compatible API at
    ``/v1``, whose callers it authenticates itself (API Gateway's authorizer is not in front of it), with the
    same verifier and API keys as the API."""
    settings = settings or get_settings()
    app = _base_app(settings, openapi_url=None)
    app.state.verifier = TokenVerifier(settings, key_source(settings))
    app.include_router(stream_router)
    openai_api.mount(app)
    openapi.install(app, settings)  # not served, but one error shape when built (tests, tooling)
    if settings.cors_origins:
        # the browser's EventSource opens the stream cross-origin (deployed, only when the stream endpoint adds no
        # CORS headers of its own; under `dev`, always: the stream app has its own port); browser clients of /v1
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Last-Event-ID", "Cache-Control", "Authorization", "Content-Type"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.openai_api_max_body_bytes,  # /v1 takes whole conversations; /stream has no body
        retry_after_seconds=settings.dynamodb_retry_after_seconds,
    )
    return app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = _base_app(settings, openapi_url="/openapi.json")
    app.state.verifier = TokenVerifier(settings, key_source(settings))

    routers = (
        health_router,
        users_router,
        keys_router,
        conversations_router,
        chat_router,
        prompts_router,
        llm_router,
        usage_router,
        limits_router,
        documents_router,
        tools_router,
        dashboard_router,
    )
    for router in routers:
        app.include_router(router)
    if settings.tools_enabled:
        from privategpt.tools.server.http import install as install_mcp

        install_mcp(app, settings)  # Streamable HTTP at /mcp, and its OAuth protected-resource metadata
    if settings.auth_provider == "local":
        from privategpt.auth.router import install_local_auth

        install_local_auth(app, settings)  # the JWKS and the development OIDC provider
    mount_docs(app)
    openapi.install(app, settings)

    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_request_body_bytes,
        retry_after_seconds=settings.dynamodb_retry_after_seconds,
    )
    return app
