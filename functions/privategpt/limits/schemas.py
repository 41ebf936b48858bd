from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from privategpt.openapi import integral, setting_limit

LimitName = Literal["requests_per_minute", "tokens_per_day", "monthly_budget_usd"]
LIMIT_NAMES: tuple[LimitName, ...] = ("requests_per_minute", "tokens_per_day", "monthly_budget_usd")

_LIMIT = setting_limit(maximum="limit_max_value")


class LimitsOverrideIn(BaseModel):
    """An admin's limits for one user. A field left out takes the default from settings; null means no limit."""

    model_config = ConfigDict(extra="forbid", strict=True)

    requests_per_minute: Annotated[
        int | None,
        Field(default=None, ge=1, description="model calls per minute", json_schema_extra=_LIMIT),
        BeforeValidator(integral),
    ] = None
    tokens_per_day: Annotated[
        int | None,
        Field(default=None, ge=1, description="tokens (input + output) per day", json_schema_extra=_LIMIT),
        BeforeValidator(integral),
    ] = None
    monthly_budget_usd: Annotated[
        float | None,
        Field(
            default=None,
            ge=0,
            description="cost per calendar month (UTC) in US dollars; 0: no model call at all",
            json_schema_extra=_LIMIT,
        ),
    ] = None


class UserLimits(BaseModel):
    """A user's effective limits (null: no limit) and which of them an admin set."""

    user_id: str
    requests_per_minute: int | None
    tokens_per_day: int | None
    monthly_budget_usd: float | None
    overridden: list[LimitName] = Field(description="the limits set by an admin; the others are the defaults")
    updated_at: datetime | None = Field(description="when an admin last set them")


class RateAllowance(BaseModel):
    limit: int | None = Field(description="null: no limit")
    remaining: int | None = Field(description="what may be used now (null: no limit)")
    full_in_seconds: int = Field(description="until the bucket is full again")


class BudgetAllowance(BaseModel):
    limit_usd: float | None = Field(description="null: no budget")
    spent_usd: float = Field(description="this calendar month (UTC), priced models only")
    remaining_usd: float | None
    resets_at: datetime = Field(description="when the month turns (UTC)")


class LimitsStatus(BaseModel):
    """What the caller may still use."""

    requests_per_minute: RateAllowance
    tokens_per_day: RateAllowance
    monthly_budget: BudgetAllowance
    overridden: list[LimitName] = Field(description="the limits an admin set for this user")
