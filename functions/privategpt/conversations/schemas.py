from __future__ import annotations

from datetime import datetime
from typing import Annotated

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


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | None = None
    model: Model | None = None
    system_prompt_id: PromptId | None = None


class ConversationUpdate(BaseModel):
    """Only the fields sent change; ``null`` clears ``model`` or ``system_prompt_id`` (a title cannot be cleared)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: Title | SkipJsonSchema[None] = None
    model: Model | None = None
    system_prompt_id: PromptId | None = None


class ConversationOut(BaseModel):
    id: str
    title: str
    model: str | None
    system_prompt_id: str | None
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
