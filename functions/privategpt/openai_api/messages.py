"""OpenAI's messages as the model layer's ``ChatMessage``s."""

from __future__ import annotations

from privategpt.errors import ValidationFailed, check_length
from privategpt.llm.provider import parse_arguments
from privategpt.llm.types import ChatMessage, ToolCall, ToolDefinition
from privategpt.openai_api.schemas import Content, MessageIn, ToolIn


def _text(content: Content, where: str) -> str:
    """A message's text: a string, or its text parts joined (other parts, e.g. images, are refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts = []
    for index, part in enumerate(content):
        if part.type != "text" or part.text is None:
            raise ValidationFailed(
                f"{where}.content[{index}]: only text parts are supported (got {part.type!r})",
                details={"field": f"{where}.content"},
            )
        texts.append(part.text)
    return "".join(texts)


def to_chat(messages: list[MessageIn], max_chars: int | None) -> tuple[ChatMessage, ...]:
    out: list[ChatMessage] = []
    names: dict[str, str] = {}  # tool call id -> tool name, for the results that answer them
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        text = _text(message.content, where)
        if max_chars is not None:
            check_length(f"{where}.content", text, max_chars)
        if message.role in ("system", "developer"):
            out.append(ChatMessage("system", text))
        elif message.role == "user":
            out.append(ChatMessage("user", text))
        elif message.role == "assistant":
            calls = tuple(
                ToolCall(call.id, call.function.name, parse_arguments(call.function.arguments))
                for call in message.tool_calls or ()
            )
            names.update((call.id, call.name) for call in calls)
            out.append(ChatMessage("assistant", text, tool_calls=calls))
        else:
            if not message.tool_call_id:
                raise ValidationFailed(
                    f"{where}.tool_call_id is required for a tool message", details={"field": f"{where}.tool_call_id"}
                )
            name = names.get(message.tool_call_id) or message.name
            out.append(ChatMessage("tool", text, tool_call_id=message.tool_call_id, name=name))
    return tuple(out)


def tool_definitions(tools: list[ToolIn] | None) -> tuple[ToolDefinition, ...]:
    return tuple(ToolDefinition(t.function.name, t.function.description, t.function.parameters) for t in tools or ())
