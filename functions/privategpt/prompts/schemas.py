from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from privategpt.openapi import OneLine, setting_limit

Scope = Literal["user", "global"]


class PromptIn(BaseModel):
    """Body of POST and PUT (PUT replaces every field; ``scope`` is fixed at creation)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Annotated[OneLine, Field(json_schema_extra=setting_limit(maxLength="max_prompt_name_chars"))]
    content: str = Field(min_length=1, json_schema_extra=setting_limit(maxLength="max_prompt_content_chars"))
    model_pattern: str | None = Field(
        default=None,
        description="glob over model ids, such as `claude-*`; none matches every model",
        json_schema_extra=setting_limit(maxLength="max_model_pattern_chars"),
    )
    is_default: bool = False


class PromptCreate(PromptIn):
    scope: Scope = Field(default="user", description="`global` prompts are readable by all; admins only")


class PromptOut(BaseModel):
    id: str
    scope: Scope
    name: str
    content: str
    model_pattern: str | None
    is_default: bool
    created_at: datetime
    updated_at: datetime


class PromptList(BaseModel):
    items: list[PromptOut]
