"""Per-user limits and budgets (``privategpt.limits``): the defaults every user has unless an admin overrides them.

Each limit may be off: an empty value (or ``none``) in the environment means no limit.
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, Field, field_validator, model_validator

_OFF = {"", "none", "off", "null"}


class LimitsFields(BaseModel):
    # --- limits and budgets ---
    limit_requests_per_minute: int | None = Field(default=60, gt=0)  # model calls per user and minute (a bucket)
    limit_tokens_per_day: int | None = Field(default=1_000_000, gt=0)  # tokens per user and day (a bucket)
    limit_monthly_budget_usd: float | None = Field(default=None, ge=0)  # cost per user and calendar month (UTC)
    # the largest value a default or an admin's override may take (each limit is kept in DynamoDB numbers)
    limit_max_value: int = Field(default=1_000_000_000_000, gt=0)
    # a warm process trusts an override it read this long: the bound on how late an admin's change takes effect
    limit_override_cache_seconds: float = Field(default=5.0, ge=0)
    # conditional writes one admission may try when other requests of the same user change the bucket meanwhile
    limit_update_max_attempts: int = Field(default=4, ge=2)
    # the longest jittered pause before such an attempt when the bucket was in a reply's unfinished transaction
    limit_conflict_backoff_seconds: float = Field(default=0.02, ge=0)

    @field_validator("limit_requests_per_minute", "limit_tokens_per_day", "limit_monthly_budget_usd", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in _OFF else value

    @model_validator(mode="after")
    def _within_max(self) -> Self:
        for name in ("limit_requests_per_minute", "limit_tokens_per_day", "limit_monthly_budget_usd"):
            value = getattr(self, name)
            if value is not None and value > self.limit_max_value:
                raise ValueError(f"PGPT_{name.upper()} must not exceed PGPT_LIMIT_MAX_VALUE")
        return self
