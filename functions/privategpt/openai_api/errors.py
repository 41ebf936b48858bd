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
        if not location:
            return None, str(first.get("msg") or message)
        # param: the top-level field (deeper parts may name a union's branch, e.g. stop.str); the message: all of it
        return location[0], f"{'.'.join(location)}: {first.get('msg')}"
    return None, message


def _body(status: int, code: str, message: str, details: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """OpenAI's status and body for one of our errors."""
    param, message = _param_and_message(message, details)
    status, code = _RENAMED.get(code, (status, code))
    return status, {
        "error": {"message": message, "type": error_type(status, code, details), "param": param, "code": code}
    }


def openai_error(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    status, body = _body(status, code, message, details or {})
    if body["error"]["code"] == "insufficient_quota":
        # the SDKs honour this: a spent budget comes back with the month, not after a retry's backoff
        headers = {**(headers or {}), "x-should-retry": "false"}
    return JSONResponse(body, status_code=status, headers=headers)


def stream_error(exc: AppError) -> dict[str, Any]:
    """An error that ends a stream already under way: the data of its last event (the SDKs raise it)."""
    return _body(exc.status_code, exc.code, exc.message, exc.details)[1]
