from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ToolOut(BaseModel):
    id: str = Field(description="`server/tool`: what a conversation's or a message's `tools` names")
    name: str
    title: str | None
    description: str
    input_schema: dict[str, Any]


class ToolServerOut(BaseModel):
    name: str
    title: str | None
    builtin: bool
    transport: str = Field(description="builtin, http or stdio")
    tools: list[ToolOut]
    error: str | None = Field(description="why its tools could not be listed (then `tools` is empty)")


class ToolList(BaseModel):
    enabled: bool = Field(description="false: tools are switched off on this deployment")
    defaults: list[str] = Field(description="what a conversation enables unless it says otherwise")
    servers: list[ToolServerOut]
