"""What the HTTP embedding backends share: batching, retries with backoff, error mapping, checked vectors.

A request is retried on 429, 5xx, timeouts and connection errors (exponential backoff with full jitter, never
shorter than the server's Retry-After, both capped by ``embedding_retry_max_seconds``); any other status is
the caller's or the configuration's fault and fails at once with the provider's own message. Everything ends
in ``EmbeddingUnavailable``.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from privategpt.llm.errors import retry_after_seconds
from privategpt.llm.resilience import RetryPolicy
from privategpt.rag.errors import EmbeddingUnavailable

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_MESSAGE_CHARS = 300  # of a provider's error body quoted in our message


def provider_message(response: httpx.Response) -> str:
    """The error text a provider put in its body: OpenAI's ``error.message``, Ollama's ``error``, else the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:_MESSAGE_CHARS] or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:_MESSAGE_CHARS]
    if isinstance(error, str):
        return error[:_MESSAGE_CHARS]
    return response.text[:_MESSAGE_CHARS]


def post_json(
    client: httpx.Client, url: str, body: dict[str, Any], policy: RetryPolicy, backend: str
) -> dict[str, Any]:
    """POST ``body`` and return the JSON object answered, retrying what a retry can fix."""
    attempt = 0
    while True:
        retry_after: float | None = None
        try:
            response = client.post(url, json=body)
        except httpx.TimeoutException:
            reason = "did not answer in time"
        except httpx.TransportError as exc:
            reason = f"could not be reached ({type(exc).__name__})"
        else:
            status = response.status_code
            if status < 400:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    raise EmbeddingUnavailable(
                        f"the {backend} embedding backend answered something that is not a JSON object",
                        details={"backend": backend},
                    )
                return data
            message = provider_message(response)
            if status != 429 and status < 500:
                raise EmbeddingUnavailable(
                    f"the {backend} embedding backend refused the request ({status}): {message}",
                    details={"backend": backend, "status": status},
                )
            reason = f"failed ({status}: {message})"
            retry_after = retry_after_seconds(response.headers)
        if attempt >= policy.retries:
            raise EmbeddingUnavailable(
                f"the {backend} embedding backend {reason}; gave up after {attempt + 1} attempts",
                details={"backend": backend, "attempts": attempt + 1},
            )
        time.sleep(policy.delay(attempt, retry_after))
        attempt += 1


def batches(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[start : start + size] for start in range(0, len(texts), size)]


def normalised(rows: list[list[float]], backend: str) -> NDArray[np.float32]:
    import numpy as np

    vectors = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    if not np.all(np.isfinite(vectors)) or np.any(norms == 0):
        raise EmbeddingUnavailable(f"the {backend} embedding backend answered a zero or non-finite vector")
    unit: NDArray[np.float32] = vectors / norms
    return unit


class RemoteEmbedder(ABC):
    """An embedder behind an HTTP API: one client per instance, batches of ``batch_size`` texts.

    The dimension is known up front for well-known models; otherwise the first answer fixes it (asking for
    ``dimension`` before any embedding embeds a probe text). Every answer after that must match it.
    """

    backend: str = ""

    def __init__(
        self,
        *,
        model: str,
        url: str,
        headers: dict[str, str],
        dimension: int | None,
        batch_size: int,
        timeout: float,
        policy: RetryPolicy,
    ) -> None:
        self.model = model
        self._url = url
        self._dimension = dimension
        self._batch_size = batch_size
        self._policy = policy
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers)
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"{self.backend}/{self.model}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.embed_query("dimension probe")  # the first answer sets it
        return self._dimension or 0

    @abstractmethod
    def _request(self, texts: Sequence[str]) -> dict[str, Any]:
        """The request body for one batch."""

    @abstractmethod
    def _vectors(self, answer: dict[str, Any], count: int) -> list[list[float]]:
        """The batch's vectors from the answer, in input order (``count`` of them, or EmbeddingUnavailable)."""

    def embed_documents(self, texts: Sequence[str]) -> NDArray[np.float32]:
        import numpy as np

        parts = [self._embed_batch(batch) for batch in batches(texts, self._batch_size)]
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.concatenate(parts)

    def embed_query(self, text: str) -> NDArray[np.float32]:
        vectors: NDArray[np.float32] = self._embed_batch([text])[0]
        return vectors

    def _embed_batch(self, texts: Sequence[str]) -> NDArray[np.float32]:
        answer = post_json(self._client, self._url, self._request(texts), self._policy, self.backend)
        rows = self._vectors(answer, len(texts))
        if len(rows) != len(texts):
            raise EmbeddingUnavailable(
                f"the {self.backend} embedding backend answered {len(rows)} vectors for {len(texts)} texts",
                details={"backend": self.backend},
            )
        widths = {len(row) for row in rows}
        with self._lock:
            if self._dimension is None and len(widths) == 1:
                self._dimension = widths.pop()
                widths = {self._dimension}
        if widths != {self._dimension}:
            raise EmbeddingUnavailable(
                f"{self.model_id} answered vectors of dimension {sorted(widths)}, expected {self._dimension}",
                details={"backend": self.backend, "expected": self._dimension, "got": sorted(widths)},
            )
        return normalised(rows, self.backend)

    def close(self) -> None:
        self._client.close()
