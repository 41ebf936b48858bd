"""The provider-neutral vocabulary: messages in, events and a response out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolDefinition:
    """A tool the model may call; ``parameters`` is a JSON Schema object."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()  # assistant messages that called tools
    tool_call_id: str | None = None  # tool results: which call this answers
    name: str | None = None  # tool results: the tool's name
    is_error: bool = False  # tool results: the call failed (Anthropic sends ``is_error``; others read the content)


@dataclass(frozen=True)
class ChatOptions:
    temperature: float | None = None
    max_tokens: int | None = None
    thinking: bool = False
    thinking_budget_tokens: int | None = None
    stop: tuple[str, ...] = ()  # stop sequences (the OpenAI-compatible API's ``stop``)
    # None: the provider's default (auto when tools are offered); "auto", "none", "required", or
    # "function:<name>" to force one tool (OpenAI's ``tool_choice``, mapped per provider)
    tool_choice: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stop", tuple(self.stop))  # a stored plan's JSON gives a list


FORCED_TOOL_PREFIX = "function:"


def forced_tool(choice: str | None) -> str | None:
    """The tool a ``tool_choice`` forces, if it names one."""
    return choice.removeprefix(FORCED_TOOL_PREFIX) if choice and choice.startswith(FORCED_TOOL_PREFIX) else None


@dataclass(frozen=True)
class ChatRequest:
    model: str  # the provider's own model name (not qualified)
    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolDefinition, ...] = ()
    options: ChatOptions = field(default_factory=ChatOptions)
    # Set by ``LLMService.prepare`` from the model and the counted prompt (None on a hand-made request):
    max_tokens: int | None = None  # the answer's budget sent to the provider: what the window leaves, capped
    context_window: int | None = None  # the window our accounting uses (Ollama gets it as num_ctx)
    prompt_tokens: int | None = None  # the prompt as we counted it (to calibrate against a refusal's count)


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False  # counted by us because the provider reported none

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


# --- stream events ---


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    index: int
    id: str | None
    name: str | None
    arguments_delta: str


@dataclass(frozen=True)
class ToolCallComplete:
    call: ToolCall


@dataclass(frozen=True)
class UsageReport:
    usage: Usage


@dataclass(frozen=True)
class StopReport:
    reason: str  # "stop", "length", "tool_calls", "content_filter", or the provider's own word


@dataclass(frozen=True)
class StreamFailure:
    """The stream broke after output had reached the caller; what came before stands."""

    code: str
    message: str


StreamEvent = TextDelta | ThinkingDelta | ToolCallDelta | ToolCallComplete | UsageReport | StopReport | StreamFailure


@dataclass(frozen=True)
class ChatResponse:
    content: str
    thinking: str
    tool_calls: tuple[ToolCall, ...]
    usage: Usage
    model: str
    provider: str
    stop_reason: str | None
    latency_ms: float
    time_to_first_token_ms: float | None
    error: StreamFailure | None = None  # the stream broke after output began; content is partial


@dataclass(frozen=True)
class Capabilities:
    tools: bool = False
    thinking: bool = False
    vision: bool = False


@dataclass(frozen=True)
class ModelInfo:
    provider: str
    name: str
    context_window: int
    max_output_tokens: int
    capabilities: Capabilities
    input_price_per_mtok: float | None = None
    output_price_per_mtok: float | None = None

    @property
    def id(self) -> str:
        return f"{self.provider}/{self.name}"
