"""Ollama's embeddings API: ``POST {base_url}/api/embed`` with ``{"model", "input": [...]}`` answers
``{"embeddings": [[...], ...]}`` in input order. Texts over the model's context are truncated by Ollama
(its ``truncate`` defaults to true)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from privategpt.llm.resilience import RetryPolicy
from privategpt.rag.embeddings.remote import RemoteEmbedder
from privategpt.rag.errors import EmbeddingUnavailable

DEFAULT_BASE_URL = "http://localhost:11434"
DEFAULT_MODEL = "nomic-embed-text"
# Sizes of the common embedding models in Ollama's library; another model's is learned from its first answer.
KNOWN_DIMENSIONS = {
    "nomic-embed-text": 768,
    "mxbai-embed-large": 1024,
    "all-minilm": 384,
    "snowflake-arctic-embed": 1024,
    "bge-m3": 1024,
}


def _bare(model: str) -> str:
    return model.removesuffix(":latest")


class OllamaEmbedder(RemoteEmbedder):
    backend = "ollama"

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        batch_size: int,
        timeout: float,
        policy: RetryPolicy,
    ) -> None:
        super().__init__(
            model=_bare(model),  # "x" and "x:latest" are one model, so one vector space
            url=(base_url or DEFAULT_BASE_URL).rstrip("/") + "/api/embed",
            headers={},
            dimension=KNOWN_DIMENSIONS.get(_bare(model)),
            batch_size=batch_size,
            timeout=timeout,
            policy=policy,
        )

    def _request(self, texts: Sequence[str]) -> dict[str, Any]:
        return {"model": self.model, "input": list(texts)}

    def _vectors(self, answer: dict[str, Any], count: int) -> list[list[float]]:
        rows = answer.get("embeddings")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise EmbeddingUnavailable(
                "the ollama embedding backend answered without an embeddings list", details={"backend": "ollama"}
            )
        return rows
