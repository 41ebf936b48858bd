"""What is known about well-known model families when neither the providers file nor the provider says.

Context windows and output limits as the vendors publish them; the providers file's per-model overrides
win over this table, and Ollama's /api/show wins for Ollama models. No prices: they change, and a
guessed price is worse than none, so cost stays unknown until the providers file sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from privategpt.llm.types import Capabilities


@dataclass(frozen=True)
class Family:
    pattern: str
    context_window: int
    max_output_tokens: int
    capabilities: Capabilities
    encoding: str | None = None  # tiktoken encoding, for OpenAI's own models


_TOOLS = Capabilities(tools=True)
_TOOLS_VISION = Capabilities(tools=True, vision=True)
_REASONING = Capabilities(tools=True, thinking=True, vision=True)

# First match wins: specific patterns before general ones.
FAMILIES: tuple[Family, ...] = (
    Family("gpt-5*", 400_000, 128_000, _REASONING, "o200k_base"),
    Family("gpt-4.1*", 1_047_576, 32_768, _TOOLS_VISION, "o200k_base"),
    Family("gpt-4o*", 128_000, 16_384, _TOOLS_VISION, "o200k_base"),
    Family("chatgpt-4o*", 128_000, 16_384, _TOOLS_VISION, "o200k_base"),
    Family("o1*", 200_000, 100_000, _REASONING, "o200k_base"),
    Family("o3*", 200_000, 100_000, _REASONING, "o200k_base"),
    Family("o4*", 200_000, 100_000, _REASONING, "o200k_base"),
    Family("gpt-4-turbo*", 128_000, 4_096, _TOOLS_VISION, "cl100k_base"),
    Family("gpt-4*", 8_192, 8_192, _TOOLS, "cl100k_base"),
    Family("gpt-3.5-turbo*", 16_385, 4_096, _TOOLS, "cl100k_base"),
    Family("claude-opus-4*", 200_000, 32_000, _REASONING),
    Family("claude-sonnet-4*", 200_000, 64_000, _REASONING),
    Family("claude-3-7-sonnet*", 200_000, 64_000, _REASONING),
    Family("claude-haiku-4*", 200_000, 64_000, _REASONING),
    Family("claude-3-5*", 200_000, 8_192, _TOOLS_VISION),
    Family("claude-*", 200_000, 4_096, _TOOLS_VISION),
)


def family(model: str) -> Family | None:
    bare = model.rsplit("/", 1)[-1].lower()
    return next((f for f in FAMILIES if fnmatchcase(bare, f.pattern)), None)
