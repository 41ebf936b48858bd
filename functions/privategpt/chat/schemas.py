from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from privategpt.chat.contributors.sources import RagRequest
from privategpt.conversations.schemas import ConversationOut, MessageOut, SourceOut, ToolList
from privategpt.errors import ValidationFailed
from privategpt.llm.types import ChatOptions
from privategpt.openapi import MODEL_PATTERN, integral, setting_limit
from privategpt.rag.types import SearchMode
from privategpt.settings import Settings


class OptionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: Annotated[int, Field(gt=0), BeforeValidator(integral)] | None = None
    thinking: bool = False
    thinking_budget_tokens: Annotated[int, Field(ge=1024), BeforeValidator(integral)] | None = None

    def to_options(self) -> ChatOptions:
        return ChatOptions(
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            thinking=self.thinking,
            thinking_budget_tokens=self.thinking_budget_tokens,
        )


class RagIn(BaseModel):
    """Answer from the user's documents: the best chunks go into the prompt as numbered sources to cite."""

    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool = True
    document_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None,
        description="search only these documents (default: all of the user's)",
        json_schema_extra=setting_limit(maxItems="rag_max_document_ids"),
    )
    top_k: Annotated[int, Field(gt=0), BeforeValidator(integral)] | None = Field(
        default=None, json_schema_extra=setting_limit(maximum="rag_max_top_k")
    )
    mode: SearchMode | None = Field(default=None, description="default: PGPT_RAG_DEFAULT_MODE")

    def to_request(self, settings: Settings) -> RagRequest | None:
        """The request as the sources contributor takes it; None when disabled. Limits from settings."""
        if not self.enabled:
            return None
        if self.top_k is not None and self.top_k > settings.rag_max_top_k:
            raise ValidationFailed(
                f"rag.top_k is at most {settings.rag_max_top_k}",
                details={"field": "rag.top_k", "limit": settings.rag_max_top_k},
            )
        ids = self.document_ids
        if ids is not None and len(ids) > settings.rag_max_document_ids:
            raise ValidationFailed(
                f"rag.document_ids holds at most {settings.rag_max_document_ids} ids",
                details={"field": "rag.document_ids", "limit": settings.rag_max_document_ids},
            )
        return RagRequest(tuple(dict.fromkeys(ids)) if ids is not None else None, self.top_k, self.mode)


_CONTENT = Field(min_length=1, json_schema_extra=setting_limit(maxLength="max_message_chars"))


def _model(description: str) -> Any:
    return Field(
        default=None,
        pattern=MODEL_PATTERN,
        description=description,
        json_schema_extra=setting_limit(maxLength="max_model_chars"),
    )


class SendMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    content: str = _CONTENT
    model: str | None = _model("qualified or bare; default: the conversation's last model")
    system_prompt_id: str | None = Field(default=None, max_length=64)
    options: OptionsIn = Field(default_factory=OptionsIn)
    rag: RagIn | None = None
    tools: ToolList | None = Field(
        default=None, description="the tools this message may use (`[]`: none; default: the conversation's)"
    )


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
    model_config = ConfigDict(extra="forbid", strict=True)

    role: Literal["system", "user", "assistant"]
    content: str = _CONTENT


class QuickChat(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    messages: list[QuickMessage] = Field(min_length=1, json_schema_extra=setting_limit(maxItems="max_quick_messages"))
    model: str | None = _model("qualified or bare; default: the configured default model")
    options: OptionsIn = Field(default_factory=OptionsIn)
    rag: RagIn | None = None


class UsageOut(BaseModel):
    input_tokens: int
    output_tokens: int
    total_tokens: int
    estimated: bool = Field(default=False, description="counted here: the provider reported no usage")


class QuickResult(BaseModel):
    content: str
    thinking: str
    model: str
    provider: str
    usage: UsageOut
    stop_reason: str | None
    latency_ms: float
    time_to_first_token_ms: float | None
    sources: list[SourceOut] | None = Field(default=None, description="the sources cited (with `rag`)")
