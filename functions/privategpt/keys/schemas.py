from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from privategpt.openapi import OneLine, integral, setting_limit


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[OneLine, Field(json_schema_extra=setting_limit(maxLength="api_key_max_name_chars"))]
    expires_in_days: Annotated[
        int | None,
        Field(default=None, ge=1, json_schema_extra=setting_limit(maximum="api_key_max_days")),
        BeforeValidator(integral),
    ] = None


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it (the key itself is never shown again)")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key: shown once, stored only as its hash")


class ApiKeyList(BaseModel):
    items: list[ApiKeyOut]
