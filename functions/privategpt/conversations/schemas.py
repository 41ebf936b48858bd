from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from privategpt.openapi import MODEL_PATTERN, OneLine, setting_limit

Title = Annotated[OneLine, Field(json_schema_extra=setting_limit(maxLength="max_title_chars"))]
Model = Annotated[
    str,
    Field(
        min_length=1,
        pattern=MODEL_PATTERN,
        description="qualified (`provider/model`) or bare; the registry must know it",
        json_schema_extra=setting_limit(maxLength="max_model_chars"),
    ),
]
PromptId = Annotated[str, Field(max_length=64)]
ToolId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=161,
        pattern=r"^[a-z0-9][a-z0-9_-]{0,31}(/[A-Za-z0-9_.-]{1,128})?$",
        description="a server's name (all its tools) or `server/tool`, as GET /api/tools lists them",
    ),
]
ToolList = Annotated[list[ToolId], Field(json_schema_extra=setting_limit(maxItems="tools_max_enabled"))]


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | None = None
    model: Model | None = None
    system_prompt_id: PromptId | None = None
    tools: ToolList | None = Field(
        default=None, description="the tools its turns may use (default: PGPT_TOOLS_DEFAULT_ENABLED)"
    )


class ConversationUpdate(BaseModel):
    """Only the fields sent change; ``null`` clears ``model``, ``system_prompt_id`` or ``tools`` (back to the
    defaults); a title cannot be cleared."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | SkipJsonSchema[None] = None
    model: Model | None = None
    system_prompt_id: PromptId | None = None
    tools: ToolList | None = Field(default=None, description="`[]`: no tools; `null`: the defaults")


class ConversationOut(BaseModel):
    id: str
    title: str
    model: str | None
    system_prompt_id: str | None
    tools: list[str] | None = Field(description="the enabled tools; null: the defaults (GET /api/tools)")
    status: str
    message_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    created_at: datetime
    updated_at: datetime


class SourceOut(BaseModel):
    n: int = Field(description="the number the answer cites as [n]")
    document_id: str
    filename: str
    page: int | None
    chunk_id: str
    score: float
    snippet: str
    document_deleted: bool = Field(default=False, description="the document has been deleted since")


class ToolCallOut(BaseModel):
    id: str
    name: str
    server: str | None = Field(description="the MCP server; null: the model named a tool no server offers")
    arguments: dict[str, Any]
    ok: bool
    content: str = Field(description="the result as the model saw it (bounded), or why the call failed")
    duration_ms: float
    round: int = Field(description="1 for the calls of the model's first answer, 2 for the next, …")


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    role: str
    content: str
    model: str | None
    provider: str | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    token_count: int
    status: str
    thinking: str | None
    stop_reason: str | None
    error_code: str | None
    latency_ms: float | None
    time_to_first_token_ms: float | None
    usage_estimated: bool = Field(default=False, description="the usage was counted: the provider reported none")
    sources: list[SourceOut] | None = Field(default=None, description="the sources the reply was given (`rag`)")
    tool_calls: list[ToolCallOut] | None = Field(default=None, description="the tools the reply called, in order")
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    messages_next_cursor: str | None = Field(description="more messages follow: pass to GET …/messages?cursor=")


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None
