"""Errors in OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, for the ``/v1`` app only.

The same handlers as every app of ours (``error_handlers.install``), worded as OpenAI words them, so each SDK raises
its own class (``AuthenticationError``, ``RateLimitError``…): a body that fails validation is a 400 (not our 422),
a prompt over the window a 400 ``context_length_exceeded`` (not our 413), a bad key a 401 ``invalid_api_key``.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from privategpt.errors import AppError, error_type

# Our codes whose OpenAI status or code differs.
_RENAMED: dict[str, tuple[int, str]] = {
    "validation_error": (400, "invalid_request_error"),
    "context_too_long": (400, "context_length_exceeded"),
    "unauthorized": (401, "invalid_api_key"),
}


def _param_and_message(message: str, details: dict[str, Any]) -> tuple[str | None, str]:
    """The parameter at fault (``param``) and, for a body that failed validation, its first complaint."""
    field = details.get("field")
    if isinstance(field, str):
        return field, message
    errors = details.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0]
        location = [str(part) for part in first.get("loc", ()) if part != "body"]
        param = ".".join(location) or None
        return param, f"{param}: {first.get('msg')}" if param else str(first.get("msg") or message)
    return None, message


def openai_error(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    details = details or {}
    param, message = _param_and_message(message, details)
    status, code = _RENAMED.get(code, (status, code))
    if code == "insufficient_quota":
        # the SDKs honour this: a spent budget comes back with the month, not after a retry's backoff
        headers = {**(headers or {}), "x-should-retry": "false"}
    body = {"error": {"message": message, "type": error_type(status, code, details), "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def stream_error(exc: AppError) -> dict[str, Any]:
    """An error that ends a stream already under way: the data of its last event (the SDKs raise it)."""
    status, code = _RENAMED.get(exc.code, (exc.status_code, exc.code))
    kind = error_type(status, code, exc.details)
    return {"error": {"message": exc.message, "type": kind, "param": None, "code": code}}
