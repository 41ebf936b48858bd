from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1)
    model: str | None = Field(default=None, min_length=1)
    system_prompt_id: str | None = None


class ConversationUpdate(BaseModel):
    """Only the fields sent change; ``null`` clears ``model`` or ``system_prompt_id``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1)
    model: str | None = Field(default=None, min_length=1)
    system_prompt_id: str | None = None


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
