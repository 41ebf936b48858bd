from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from privategpt.conversations.schemas import ConversationOut, MessageOut
from privategpt.llm.types import ChatOptions


class OptionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    thinking: bool = False
    thinking_budget_tokens: int | None = Field(default=None, ge=1024)

    def to_options(self) -> ChatOptions:
        return ChatOptions(
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            thinking=self.thinking,
            thinking_budget_tokens=self.thinking_budget_tokens,
        )


class SendMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1)
    model: str | None = Field(default=None, description="qualified or bare; default: the conversation's last model")
    system_prompt_id: str | None = None
    options: OptionsIn = Field(default_factory=OptionsIn)


class SendResult(BaseModel):
    conversation: ConversationOut
    user_message: MessageOut
    assistant_message: MessageOut


class StreamTicket(BaseModel):
    stream_url: str
    token: str = Field(description="good for one GET of stream_url, until expires_at")
    expires_at: datetime
    conversation_id: str
    user_message_id: str


class QuickMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class QuickChat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[QuickMessage] = Field(min_length=1)
    model: str | None = None
    options: OptionsIn = Field(default_factory=OptionsIn)


class UsageOut(BaseModel):
    input_tokens: int
    output_tokens: int
    total_tokens: int


class QuickResult(BaseModel):
    content: str
    thinking: str
    model: str
    provider: str
    usage: UsageOut
    stop_reason: str | None
    latency_ms: float
    time_to_first_token_ms: float | None
