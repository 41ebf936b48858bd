from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Scope = Literal["user", "global"]


class PromptIn(BaseModel):
    """Body of POST and PUT (PUT replaces every field; ``scope`` is fixed at creation)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1)
    content: str = Field(min_length=1)
    model_pattern: str | None = Field(
        default=None, description="glob over model ids, such as `claude-*`; none matches every model"
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
