"""The exception handlers every app of ours installs (the API, the streaming app, the tools Lambda's app), so
each answers in the one error body shape (``errors.error_body``)."""

from __future__ import annotations

from typing import Any

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


def json_error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, observability.request_id_var.get(), details), status_code=status, headers=headers
    )


def app_error_response(exc: AppError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The response of an ``AppError`` (``headers`` added to its own)."""
    if exc.status_code >= 500:
        observability.logger.warning("request failed", extra={"code": exc.code, "error": exc.message})
    return json_error(exc.status_code, exc.code, exc.message, exc.details, {**exc.headers, **(headers or {})})


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


async def _storage_error(request: Request, exc: Exception) -> JSONResponse:
    """DynamoDB down, slow or throttling: 503 with Retry-After; any other storage error stays a 500."""
    unavailable = outage.find(exc)
    if unavailable is None:
        raise exc  # on to the middleware's 500 guard, trace and all
    observability.logger.warning(
        "dynamodb unavailable", extra={"operation": unavailable.operation, "reason": unavailable.reason}
    )
    error = outage.service_unavailable(request.app.state.settings.dynamodb_retry_after_seconds)
    return app_error_response(error)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return json_error(422, "validation_error", "request validation failed", {"errors": errors})


def _allowed_methods(request: Request) -> str:
    """Every method any route serves at this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return json_error(exc.status_code, code, str(exc.detail), headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    for storage_error in (PynamoDBException, outage.DynamoDBUnavailable):
        app.add_exception_handler(storage_error, _storage_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
