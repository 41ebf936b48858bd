"""The exception handlers every app of ours installs (the API, the streaming app, the tools Lambda's app), so
each answers in the one error body shape (``errors.error_body``); the ``/v1`` app installs the same handlers with
OpenAI's wording (``openai_api.errors.openai_error``)."""

from __future__ import annotations

from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pynamodb.exceptions import PynamoDBException
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from privategpt import observability
from privategpt.errors import AppError, error_body
from privategpt.storage import outage

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


class Render(Protocol):
    """How an app words its errors: ours (``json_error``), or OpenAI's for ``/v1`` (``openai_api.errors``)."""

    def __call__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> JSONResponse: ...


def json_error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        error_body(status, code, message, observability.request_id_var.get(), details),
        status_code=status,
        headers=headers,
    )


def _log(exc: AppError) -> None:
    if exc.status_code >= 500:
        observability.logger.warning("request failed", extra={"code": exc.code, "error": exc.message})


def app_error_response(exc: AppError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The response of an ``AppError`` (``headers`` added to its own)."""
    _log(exc)
    return json_error(exc.status_code, exc.code, exc.message, exc.details, {**exc.headers, **(headers or {})})


def _allowed_methods(request: Request) -> str:
    """Every method any route serves at this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


def install(app: FastAPI, render: Render = json_error) -> None:
    """The handlers, each answering through ``render``."""

    async def app_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AppError)
        _log(exc)
        return render(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    async def storage_error(request: Request, exc: Exception) -> JSONResponse:
        """DynamoDB down, slow or throttling: 503 with Retry-After; any other storage error stays a 500."""
        unavailable = outage.find(exc)
        if unavailable is None:
            raise exc  # on to the middleware's 500 guard, trace and all
        observability.logger.warning(
            "dynamodb unavailable", extra={"operation": unavailable.operation, "reason": unavailable.reason}
        )
        error = outage.service_unavailable(request.app.state.settings.dynamodb_retry_after_seconds)
        return render(error.status_code, error.code, error.message, error.details, error.headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return render(422, "validation_error", "request validation failed", {"errors": errors})

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return render(exc.status_code, code, str(exc.detail), headers=headers)

    app.add_exception_handler(AppError, app_error)
    for storage in (PynamoDBException, outage.DynamoDBUnavailable):
        app.add_exception_handler(storage, storage_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
