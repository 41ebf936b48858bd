"""The two refusals of a request over its user's limits: 429 with ``Retry-After`` (whole seconds)."""

from __future__ import annotations

from privategpt.errors import AppError


class _LimitReached(AppError):
    status_code = 429

    def __init__(self, message: str, *, limit: str, retry_after_seconds: int) -> None:
        seconds = max(1, int(retry_after_seconds))
        super().__init__(
            message,
            details={"limit": limit, "retry_after_seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )
        self.limit = limit
        self.retry_after_seconds = seconds


class RateLimitExceeded(_LimitReached):
    """Requests per minute or tokens per day used up (``limit`` says which)."""

    code = "rate_limit_exceeded"


class QuotaExceeded(_LimitReached):
    """This month's budget is spent; ``Retry-After`` is the time until the month turns (UTC)."""

    code = "insufficient_quota"
