from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from privategpt.limits.schemas import LimitsStatus


class UsageTotals(BaseModel):
    requests: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: float = Field(description="sum over priced requests; see unpriced_requests")
    unpriced_requests: int = Field(description="requests to models with no price in the providers file")


class UsageLine(UsageTotals):
    day: str
    model: str


class UsageReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user_id: str
    from_: date = Field(alias="from")
    to: date
    days: list[UsageLine] = Field(description="one line per day and model, oldest first")
    models: dict[str, UsageTotals] = Field(description="totals per qualified model id")
    totals: UsageTotals
    limits: LimitsStatus = Field(description="the user's limits and what remains of each (as `GET /api/limits`)")
