from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

CheckStatus = Literal["ok", "degraded", "down", "unknown"]
DependencyKind = Literal["dynamodb", "vector_store", "llm_provider", "mcp_server"]


class DependencyOut(BaseModel):
    kind: DependencyKind
    name: str
    status: CheckStatus
    latency_ms: float | None  # this check's, or (LLM providers) the provider's last call or discovery
    error: str | None
    model_count: int | None = None  # LLM providers
    tool_count: int | None = None  # MCP servers
    checked_at: datetime | None = None  # LLM providers: when discovery last ran


class DashboardHealth(BaseModel):
    status: CheckStatus  # down when DynamoDB is down, degraded when anything else is, else ok
    checked_at: datetime
    dependencies: list[DependencyOut]
