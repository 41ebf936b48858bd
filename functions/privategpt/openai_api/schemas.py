"""Request bodies of the OpenAI-compatible API, as OpenAI's API reference defines them.

Unknown fields are ignored, not refused (clients send fields of newer API versions, and other servers'
extensions). Responses are built as plain dicts (``responses.py``): they are OpenAI's shapes, not ours.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from privategpt.chat.schemas import RagIn
from privategpt.openapi import MODEL_PATTERN, integral, setting_limit

_OPEN = ConfigDict(extra="ignore")
MAX_STOP_SEQUENCES = 4  # OpenAI's own limit
TOOL_NAME = r"^[a-zA-Z0-9_-]{1,64}$"  # OpenAI's function names


class TextPart(BaseModel):
    model_config = _OPEN

    type: str
    text: str | None = None


Content = str | list[TextPart] | None


class FunctionCall(BaseModel):
    model_config = _OPEN

    name: str = Field(pattern=TOOL_NAME)
    arguments: str = ""


class ToolCallIn(BaseModel):
    model_config = _OPEN

    id: str = Field(min_length=1, max_length=128)
    type: Literal["function"] = "function"
    function: FunctionCall


class MessageIn(BaseModel):
    model_config = _OPEN

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Content = None
    name: str | None = None
    tool_calls: list[ToolCallIn] | None = None
    tool_call_id: str | None = Field(default=None, max_length=128)


class FunctionIn(BaseModel):
    model_config = _OPEN

    name: str = Field(pattern=TOOL_NAME)
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class ToolIn(BaseModel):
    model_config = _OPEN

    type: Literal["function"]
    function: FunctionIn


class NamedFunction(BaseModel):
    model_config = _OPEN

    name: str = Field(pattern=TOOL_NAME)


class NamedToolChoice(BaseModel):
    model_config = _OPEN

    type: Literal["function"]
    function: NamedFunction


class StreamOptions(BaseModel):
    model_config = _OPEN

    include_usage: bool = False


PositiveInt = Annotated[int, Field(gt=0), BeforeValidator(integral)]


class ChatCompletionRequest(BaseModel):
    model_config = _OPEN

    messages: list[MessageIn] = Field(min_length=1, json_schema_extra=setting_limit(maxItems="openai_api_max_messages"))
    model: str | None = Field(
        default=None,
        pattern=MODEL_PATTERN,
        description="a qualified id from /v1/models (bare when unambiguous); default: the configured default",
        json_schema_extra=setting_limit(maxLength="max_model_chars"),
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: PositiveInt | None = None
    max_completion_tokens: PositiveInt | None = None
    stop: str | Annotated[list[str], Field(max_length=MAX_STOP_SEQUENCES)] | None = None
    tools: list[ToolIn] | None = None
    tool_choice: Literal["auto", "none", "required"] | NamedToolChoice | None = None
    reasoning_effort: str | None = Field(default=None, description="any value but `none`/`minimal` turns thinking on")
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: Annotated[int, Field(ge=1, le=1), BeforeValidator(integral)] | None = None
    # extensions (see the README)
    store: bool = Field(default=False, description="save the exchange as a new conversation")
    rag: RagIn | bool | None = Field(default=None, description="answer from the caller's documents, with sources")

    def stop_sequences(self) -> tuple[str, ...]:
        if self.stop is None:
            return ()
        stops = [self.stop] if isinstance(self.stop, str) else self.stop
        return tuple(s for s in stops if s)

    def forced_choice(self) -> str | None:
        choice = self.tool_choice
        if isinstance(choice, NamedToolChoice):
            return f"function:{choice.function.name}"
        return choice


class EmbeddingRequest(BaseModel):
    model_config = _OPEN

    input: str | list[str] = Field(description="a text or a list of texts (token arrays are not supported)")
    model: str | None = Field(default=None, max_length=200)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: PositiveInt | None = None
    user: str | None = None
