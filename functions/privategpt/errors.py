"""The API's errors: one exception family, one JSON body shape.

Every error response is ``{"error": {"code", "type", "message", "request_id", "details"}}`` (``code``, ``type``
and ``message`` as OpenAI's API names them, so OpenAI clients read ours). Services raise
``AppError`` subclasses; ``privategpt.app`` turns them (and framework errors) into that body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field


class AppError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str = "invalid or missing bearer token") -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


def check_length(field: str, value: str | None, limit: int) -> None:
    """Reject a text field longer than its configured limit."""
    if value is not None and len(value) > limit:
        raise ValidationFailed(
            f"{field} is longer than {limit} characters",
            details={"field": field, "limit": limit, "length": len(value)},
        )


_TYPES = {403: "permission_error"}  # OpenAI says invalid_request_error for a bad key (401) too
_LIMIT_TYPES = {"insufficient_quota": "insufficient_quota", "rate_limit_exceeded": "requests"}


def error_type(status: int, code: str, details: dict[str, Any] | None = None) -> str:
    """OpenAI's ``type`` word for an error, so a client written for OpenAI reads ours too."""
    if status == 429:
        if code == "rate_limit_exceeded" and (details or {}).get("limit") == "tokens_per_day":
            return "tokens"
        return _LIMIT_TYPES.get(code, "rate_limit_error")
    if status >= 500:
        return "server_error"
    return _TYPES.get(status, "invalid_request_error")


def error_body(
    status: int, code: str, message: str, request_id: str | None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "type": error_type(status, code, details),
            "message": message,
            "request_id": request_id,
            "details": details or {},
        }
    }


class ErrorDetail(BaseModel):
    code: str
    type: str = Field(description="OpenAI's word for the kind of error (`invalid_request_error`, `insufficient_quota`)")
    message: str
    request_id: str | None
    details: dict[str, Any]


class ErrorResponse(BaseModel):
    """The one error body, as the OpenAPI document shows it."""

    error: ErrorDetail


_ERROR_DESCRIPTIONS = {
    400: "A doctored or foreign pagination cursor, or a body that cannot be parsed (`bad_request`)",
    401: "Missing or invalid bearer token (`unauthorized`)",
    403: "A role is missing (`forbidden`)",
    404: "No such item for this user (`not_found`), or an unknown model (`model_not_found`)",
    409: "Conflict: a limit is reached (`conflict`)",
    410: "The stream token was already used or has expired (`stream_gone`)",
    413: "Body over the size cap (`payload_too_large`) or prompt over the model's window (`context_too_long`)",
    422: "Bad body, path or query (`validation_error`)",
    429: "The provider rate-limited us (`rate_limited`), or a limit of the caller is reached "
    "(`rate_limit_exceeded`, `insufficient_quota`); `Retry-After` says when to try again",
    502: "The provider failed or answered nonsense (`provider_*`)",
    503: "DynamoDB, the issuer's keys or the provider cannot be reached (`service_unavailable`, "
    "`provider_unreachable`)",
    504: "The provider did not answer in time (`provider_timeout`)",
}
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}}


# Every route behind the bearer token: bad token, missing role, DynamoDB or the issuer's keys unreachable.
AUTHED = (401, 403, 503)
# Routes that call a model: unknown model, context too long, provider failures.
PROVIDER = (404, 413, 429, 502, 503, 504)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route: each status with the one error body."""
    return {
        status: {
            "model": ErrorResponse,
            "description": _ERROR_DESCRIPTIONS[status],
            **({"headers": _RETRY_AFTER} if status in (429, 503) else {}),
        }
        for status in statuses
    }
