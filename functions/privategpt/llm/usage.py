"""What a call cost: the one place that decides a reply's usage, for send, quick and stream alike.

The provider's report wins. Without one (some OpenAI-compatible servers never send usage; a stream that broke
off or whose client left never gets to it) the usage is counted: the prompt as planned, the output as it came,
and marked ``estimated``. A call that failed before producing anything, and reported nothing, cost nothing we
can know of; one that finished always has a usage (an empty answer is still a request with a prompt).
"""

from __future__ import annotations

from collections.abc import Callable

from privategpt.llm.types import (
    ModelInfo,
    StopReport,
    StreamEvent,
    StreamFailure,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    Usage,
    UsageReport,
)

_NANO_PER_MICRO = 1000  # price per million tokens * tokens = micro-dollars


class UsageMeter:
    """Watches one call's events; ``usage()`` is the reported usage, else the counted estimate."""

    __slots__ = ("_answered", "_count", "_output", "_prompt_tokens", "reported")

    def __init__(self, prompt_tokens: int, count_output: Callable[[str], int]) -> None:
        self._prompt_tokens = prompt_tokens
        self._count = count_output
        self._output: list[str] = []
        self._answered = False
        self.reported: Usage | None = None

    def observe(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta | ThinkingDelta):
            self._output.append(event.text)
        elif isinstance(event, UsageReport):
            self.reported = event.usage
        elif isinstance(event, ToolCallDelta) and event.arguments_delta:
            self._output.append(event.arguments_delta)
        elif isinstance(event, StopReport | StreamFailure):  # it finished, or broke off after output
            self._answered = True

    def usage(self) -> Usage | None:
        """None when the call failed before producing anything and reported nothing."""
        if self.reported is None and not self._output and not self._answered:
            return None
        return self.settled()

    def settled(self) -> Usage:
        """The usage of a call that answered: reported, else counted."""
        if self.reported is not None:
            return self.reported
        return Usage(self._prompt_tokens, self._count("".join(self._output)), estimated=True)


def cost_nano_usd(model: ModelInfo, usage: Usage) -> int | None:
    if model.input_price_per_mtok is None or model.output_price_per_mtok is None:
        return None
    micro = usage.input_tokens * model.input_price_per_mtok + usage.output_tokens * model.output_price_per_mtok
    return round(micro * _NANO_PER_MICRO)
