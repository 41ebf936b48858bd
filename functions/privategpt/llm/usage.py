"""What a call cost: the one place that decides a reply's usage, for send, quick and stream alike.

The provider's report wins. Without one (some OpenAI-compatible servers never send usage; a stream that broke
off or whose client left never gets to it) the usage is counted: the prompt as planned, the output as it came,
and marked ``estimated``. A call that produced nothing and reported nothing cost nothing we can know of.
"""

from __future__ import annotations

from collections.abc import Callable

from privategpt.llm.types import (
    ModelInfo,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    Usage,
    UsageReport,
)

_NANO_PER_MICRO = 1000  # price per million tokens * tokens = micro-dollars


class UsageMeter:
    """Watches one call's events; ``usage()`` is the reported usage, else the counted estimate."""

    __slots__ = ("_count", "_output", "_prompt_tokens", "reported")

    def __init__(self, prompt_tokens: int, count_output: Callable[[str], int]) -> None:
        self._prompt_tokens = prompt_tokens
        self._count = count_output
        self._output: list[str] = []
        self.reported: Usage | None = None

    def observe(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta | ThinkingDelta):
            self._output.append(event.text)
        elif isinstance(event, UsageReport):
            self.reported = event.usage
        elif isinstance(event, ToolCallDelta) and event.arguments_delta:
            self._output.append(event.arguments_delta)

    def usage(self) -> Usage | None:
        if self.reported is not None:
            return self.reported
        if not self._output:
            return None
        return Usage(self._prompt_tokens, self._count("".join(self._output)), estimated=True)


def cost_nano_usd(model: ModelInfo, usage: Usage) -> int | None:
    if model.input_price_per_mtok is None or model.output_price_per_mtok is None:
        return None
    micro = usage.input_tokens * model.input_price_per_mtok + usage.output_tokens * model.output_price_per_mtok
    return round(micro * _NANO_PER_MICRO)
