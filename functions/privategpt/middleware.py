"""Pure ASGI middleware (no BaseHTTPMiddleware: it would buffer streaming responses).

Per request: take or make the request id, echo it in ``X-Request-ID``, cap the body size, and turn any
unexpected exception into the API's 500 body with the stack trace in the log only. A DynamoDB outage that
gets this far (the app's handler answers it before) is still a 503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import json
import re
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from privategpt.errors import AppError, PayloadTooLarge, error_body
from privategpt.observability import logger, request_id_var
from privategpt.storage import outage

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, retry_after_seconds: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.retry_after_seconds = retry_after_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = request_id_var.set(request_id)
        started = False
        too_large = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a cut-off body is replaced by our 413
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != REQUEST_ID_HEADER.encode()]
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        too_large_error = PayloadTooLarge("request body too large", details={"limit_bytes": self.max_body_bytes})
        received = 0

        async def receive_capped() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def reply_too_large() -> None:
            nonlocal too_large
            too_large = False
            await _send_error(send_with_id, too_large_error, request_id)

        try:
            declared = _content_length(scope)
            if declared is not None and declared > self.max_body_bytes:
                await reply_too_large()
                return
            await self.app(scope, receive_capped, send_with_id)
            if too_large and not started:
                await reply_too_large()
        except Exception as exc:
            if too_large and not started:
                await reply_too_large()
                return
            error: AppError
            unavailable = outage.find(exc)
            if unavailable is not None:
                logger.warning(
                    "dynamodb unavailable", extra={"operation": unavailable.operation, "reason": unavailable.reason}
                )
                error = outage.service_unavailable(self.retry_after_seconds)
            else:
                logger.exception("unhandled error", extra={"path": scope.get("path")})
                error = AppError("internal server error")
            if not started:
                await _send_error(send_with_id, error, request_id)
        finally:
            request_id_var.reset(token)


async def _send_error(send: Send, error: AppError, request_id: str) -> None:
    """The API's error body, sent from below the app (where its exception handlers cannot help)."""
    body = json.dumps(error_body(error.status_code, error.code, error.message, request_id, error.details)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
