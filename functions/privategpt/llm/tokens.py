"""Counting tokens before a request goes out.

OpenAI's own model families are counted exactly with tiktoken (o200k_base or cl100k_base, by family),
from the baked encodings. Every other model (Claude, Llama, Qwen… on any server) is *estimated*: its
cl100k_base count times ``PGPT_LLM_TOKEN_ESTIMATE_FACTOR`` (1.2 by default, erring high so that the
context check errs on the safe side). Each message adds a small framing overhead, as in OpenAI's chat
format (4 tokens a message, 3 to prime the reply). Anthropic's own counter is used instead where a
provider enables ``count_tokens_api``.
"""

from __future__ import annotations

import math
import threading
from functools import cache
from typing import TYPE_CHECKING

from privategpt.llm import catalog, encodings
from privategpt.llm.types import ChatMessage
from privategpt.settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    import tiktoken

MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3
ESTIMATE_ENCODING = "cl100k_base"

_load_lock = threading.Lock()


class EncodingUnavailable(RuntimeError):
    pass


def encoding(name: str, directory: Path | None = None) -> tiktoken.Encoding:
    """A baked tiktoken encoding (``directory``: ``PGPT_TIKTOKEN_CACHE_DIR``, None for the package's own)."""
    return _encoding(name, str(encodings.cache_dir(directory)))


@cache
def _encoding(name: str, directory: str) -> tiktoken.Encoding:
    from pathlib import Path

    if not encodings.is_baked(Path(directory), name):
        raise EncodingUnavailable(
            f"tiktoken's {name} is not baked into {directory}: run `make install` "
            "(or `python -m privategpt.llm.encodings`)"
        )
    with _load_lock:
        encodings.use_cache(Path(directory))
        import tiktoken

        return tiktoken.get_encoding(name)


class TokenCounter:
    def __init__(self, settings: Settings) -> None:
        self._directory = str(encodings.cache_dir(settings.tiktoken_cache_dir))
        self._factor = settings.llm_token_estimate_factor

    def is_exact(self, provider_type: str, model: str) -> bool:
        return self._exact_encoding(provider_type, model) is not None

    def _exact_encoding(self, provider_type: str, model: str) -> str | None:
        if provider_type != "openai":
            return None
        found = catalog.family(model)
        return found.encoding if found else None

    def count_text(self, provider_type: str, model: str, text: str) -> int:
        if not text:
            return 0
        exact = self._exact_encoding(provider_type, model)
        encoding = _encoding(exact or ESTIMATE_ENCODING, self._directory)
        count = len(encoding.encode(text, disallowed_special=()))
        return count if exact else math.ceil(count * self._factor)

    def count_message(self, provider_type: str, model: str, message: ChatMessage) -> int:
        text = message.content + "".join(f"{c.name}{c.arguments}" for c in message.tool_calls)
        return MESSAGE_OVERHEAD + self.count_text(provider_type, model, text)

    def count_messages(self, provider_type: str, model: str, messages: tuple[ChatMessage, ...]) -> int:
        return REPLY_PRIMING + sum(self.count_message(provider_type, model, m) for m in messages)
