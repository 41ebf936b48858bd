"""The tool vocabulary shared by the client side (``client/``), the chat's tool loop and ``GET /api/tools``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from privategpt.llm.types import ToolDefinition

_MODEL_NAME = re.compile(r"[^a-zA-Z0-9_-]")
MODEL_NAME_MAX_CHARS = 64  # OpenAI's and Anthropic's limit on a tool's name


@dataclass(frozen=True)
class ToolSpec:
    """One tool of one server, as discovered with tools/list."""

    server: str
    name: str  # the tool's own name on its server
    description: str
    input_schema: dict[str, Any]
    model_name: str  # the name the model sees: unique within a turn, ^[a-zA-Z0-9_-]{1,64}$
    title: str | None = None

    @property
    def id(self) -> str:
        """What conversations store and ``GET /api/tools`` lists: ``server/tool``."""
        return f"{self.server}/{self.name}"

    def definition(self) -> ToolDefinition:
        return ToolDefinition(self.model_name, self.description, self.input_schema)

    def view(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
            "model_name": self.model_name,
            "title": self.title,
        }

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> ToolSpec:
        return cls(
            server=str(view["server"]),
            name=str(view["name"]),
            description=str(view.get("description") or ""),
            input_schema=dict(view.get("input_schema") or {"type": "object"}),
            model_name=str(view["model_name"]),
            title=view.get("title"),
        )


def model_name(server: str, tool: str, builtin: bool) -> str:
    """The built-in server's tools keep their names; another server's are prefixed with the server's name."""
    raw = tool if builtin else f"{server}__{tool}"
    return _MODEL_NAME.sub("_", raw)[:MODEL_NAME_MAX_CHARS]


@dataclass(frozen=True)
class ServerTools:
    """A server and the tools it offers (``error`` when it could not be listed; its tools are then empty)."""

    name: str
    builtin: bool
    transport: str  # "builtin", "http" or "stdio"
    tools: tuple[ToolSpec, ...] = ()
    error: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ToolOutcome:
    """What one call returned. A failing, refused or timed-out call is ``ok=False`` with the reason as
    content: the model sees it; the turn goes on."""

    ok: bool
    content: str
    duration_ms: float
    structured: dict[str, Any] | None = field(default=None, compare=False)
