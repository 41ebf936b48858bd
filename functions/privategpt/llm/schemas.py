from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CapabilitiesOut(BaseModel):
    tools: bool
    thinking: bool
    vision: bool


class ModelOut(BaseModel):
    id: str
    provider: str
    name: str
    context_window: int
    max_output_tokens: int
    capabilities: CapabilitiesOut
    input_price_per_mtok: float | None
    output_price_per_mtok: float | None


class ModelList(BaseModel):
    items: list[ModelOut]
    default_model: str | None  # configured, else the first healthy provider's first model, else None
    conflicts: dict[str, list[str]]


class ProviderHealthOut(BaseModel):
    name: str
    type: str
    base_url: str | None
    status: str
    model_count: int
    last_error: str | None
    last_latency_ms: float | None
    checked_at: datetime | None


class ProviderList(BaseModel):
    items: list[ProviderHealthOut]
