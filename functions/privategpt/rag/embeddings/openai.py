"""OpenAI's embeddings API (``POST {base_url}/embeddings``), or any server that speaks it, over plain httpx.

httpx rather than the openai SDK: the SDK would add its import time and its own retry loop to a path that
needs one request shape and the same retry rules as the other backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from privategpt.llm.resilience import RetryPolicy
from privategpt.rag.embeddings.remote import RemoteEmbedder
from privategpt.rag.errors import EmbeddingUnavailable

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "text-embedding-3-small"
# Published output sizes; another model's dimension is learned from its first answer.
KNOWN_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbedder(RemoteEmbedder):
    backend = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        dimensions: int | None = None,
        batch_size: int,
        timeout: float,
        policy: RetryPolicy,
    ) -> None:
        if api_key is None and base_url is None:
            raise EmbeddingUnavailable(
                "the openai embedding backend needs an API key: set PGPT_EMBEDDING_API_KEY or OPENAI_API_KEY"
            )
        self._dimensions = dimensions
        super().__init__(
            model=model,
            url=(base_url or DEFAULT_BASE_URL).rstrip("/") + "/embeddings",
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
            dimension=dimensions or KNOWN_DIMENSIONS.get(model),
            batch_size=batch_size,
            timeout=timeout,
            policy=policy,
        )

    @property
    def model_id(self) -> str:
        # Shortened vectors are another space than the model's full-length ones.
        suffix = f"@{self._dimensions}" if self._dimensions else ""
        return f"openai/{self.model}{suffix}"

    def _request(self, texts: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "input": list(texts), "encoding_format": "float"}
        if self._dimensions:
            body["dimensions"] = self._dimensions
        return body

    def _vectors(self, answer: dict[str, Any], count: int) -> list[list[float]]:
        data = answer.get("data")
        try:
            items = sorted(data, key=lambda item: int(item["index"]))  # type: ignore[arg-type]
            rows = [item["embedding"] for item in items]
        except (TypeError, KeyError, ValueError):
            raise EmbeddingUnavailable(
                "the openai embedding backend answered without data[].index/embedding", details={"backend": "openai"}
            ) from None
        if [int(item["index"]) for item in items] != list(range(count)):
            raise EmbeddingUnavailable(
                f"the openai embedding backend answered indexes other than 0..{count - 1}",
                details={"backend": "openai"},
            )
        if not all(isinstance(row, list) for row in rows):
            raise EmbeddingUnavailable(
                "the openai embedding backend answered a vector that is not a list of floats",
                details={"backend": "openai"},
            )
        return rows
