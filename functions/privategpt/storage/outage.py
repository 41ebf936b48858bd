"""DynamoDB down, slow or throttling us: recognised in one place, the shared connection's ``dispatch``.

Every DynamoDB call passes through ``storage.db``'s connection. When botocore's own retries are spent and the
last failure was a connection error, a timeout, throttling or a 5xx, that connection raises
``DynamoDBUnavailable`` naming the operation (``Query``, ``TransactWriteItems``…) and never the endpoint
URL. pynamodb wraps it as usual (``UpdateError``, ``QueryError``…); ``find`` digs it out again, and the app's
one exception handler (and the middleware's last-resort guard) answer 503 ``service_unavailable`` with
``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from privategpt.errors import ServiceUnavailable

#: Error codes DynamoDB uses when it sheds load.
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
#: Error codes of DynamoDB failing on its side (also recognised by a 5xx status).
SERVER_ERROR_CODES = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure"})
#: Cancellation reasons of a transaction that was throttled rather than refused.
THROTTLING_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})


class DynamoDBUnavailable(BotoCoreError):
    """A DynamoDB call that failed for want of DynamoDB, after botocore's retries."""

    fmt = "DynamoDB {operation} failed: {reason}"

    def __init__(self, *, operation: str, reason: str) -> None:
        super().__init__(operation=operation, reason=reason)
        self.operation = operation
        self.reason = reason


def _mapping(value: object, key: str) -> Mapping[str, Any]:
    found = value.get(key) if isinstance(value, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _client_error_reason(response: object, status: object) -> str | None:
    code = _mapping(response, "Error").get("Code")
    if code in THROTTLING_CODES:
        return f"throttled ({code})"
    if code == "TransactionCanceledException" and isinstance(response, Mapping):
        reasons = response.get("CancellationReasons")
        codes = {r.get("Code") for r in reasons if isinstance(r, Mapping)} if isinstance(reasons, list) else set()
        if codes & THROTTLING_REASONS:
            return "throttled (transaction cancelled)"
    if code in SERVER_ERROR_CODES or (isinstance(status, int) and status >= 500):
        return f"server error ({code or status})"
    return None


def reason(exc: BaseException) -> str | None:
    """Why ``exc`` (a botocore error) means DynamoDB is unavailable, in a few words; None when it does not."""
    if isinstance(exc, DynamoDBUnavailable):
        return exc.reason
    if isinstance(exc, ReadTimeoutError):
        return "read timeout"
    if isinstance(exc, ConnectTimeoutError):
        return "connect timeout"
    if isinstance(exc, ConnectionClosedError):
        return "connection closed"
    if isinstance(exc, BotocoreConnectionError | HTTPClientError):
        return "connection failed"
    if isinstance(exc, ClientError):
        # pynamodb re-raises botocore's error without the HTTP metadata; the original is its __cause__.
        responses = (getattr(exc, "response", None), getattr(exc.__cause__, "response", None))
        status = next((s for r in responses if (s := _mapping(r, "ResponseMetadata").get("HTTPStatusCode"))), None)
        return _client_error_reason(responses[0], status)
    return None


def classify(operation: str, exc: BaseException) -> DynamoDBUnavailable | None:
    """The outage ``exc`` stands for, raised by ``operation``; None for any other failure."""
    why = reason(exc)
    return None if why is None else DynamoDBUnavailable(operation=operation, reason=why)


def find(exc: BaseException) -> DynamoDBUnavailable | None:
    """The outage behind ``exc``: itself, what a pynamodb exception wraps (``cause``), or its ``__cause__``."""
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, DynamoDBUnavailable):
            return current
        seen.add(id(current))
        pending += [getattr(current, "cause", None), current.__cause__]
    return None


def service_unavailable(retry_after_seconds: int) -> ServiceUnavailable:
    """The API's 503 while DynamoDB is unavailable: no internals, ``Retry-After`` from settings."""
    return ServiceUnavailable(
        "the database is unavailable; try again shortly",
        details={"retry_after_seconds": retry_after_seconds},
        headers={"Retry-After": str(retry_after_seconds)},
    )
