"""Text to vectors: one ``Embedder`` per process and configuration, chosen by ``PGPT_EMBEDDING_BACKEND``.

- ``local`` (default): all-MiniLM-L6-v2, int8 ONNX, in process (384 dimensions; ``local/all-MiniLM-L6-v2-int8``);
- ``openai``: OpenAI's embeddings API or a server that speaks it (text-embedding-3-small, 1536 dimensions);
- ``ollama``: an Ollama server's ``/api/embed`` (nomic-embed-text, 768 dimensions).

Only the setting chooses: a chat provider's key in the environment never moves embeddings off ``local``, since
an index built in one vector space is useless in another. The ``openai`` backend's key is
``PGPT_EMBEDDING_API_KEY``, else the Secrets Manager secret ``PGPT_EMBEDDING_API_KEY_SECRET`` (the bare key or
``{"api_key": ...}``), else ``OPENAI_API_KEY``; no other backend reads a key. Nothing heavy is imported until an
embedder is asked for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from privategpt.rag.errors import EmbeddingUnavailable
from privategpt.rag.types import Embedder
from privategpt.settings import Settings

Backend = Literal["local", "openai", "ollama"]
DEFAULT_MODELS: dict[Backend, str] = {
    "local": "all-MiniLM-L6-v2",
    "openai": "text-embedding-3-small",
    "ollama": "nomic-embed-text",
}
LOCAL_SHIPPED_ID = "all-MiniLM-L6-v2-int8"  # the shipped weights are int8: a space of their own


@dataclass(frozen=True)
class EmbeddingConfig:
    """The settings that make an embedder, hashable (the cache key)."""

    backend: Backend
    model: str
    base_url: str | None
    api_key: SecretStr | None
    dimensions: int | None
    batch_size: int
    timeout_seconds: float
    retries: int
    retry_base_seconds: float
    retry_max_seconds: float
    threads: int
    local_model_path: Path | None
    local_tokenizer_path: Path | None
    local_max_tokens: int
    local_batch_size: int

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddingConfig:
        backend = settings.embedding_backend
        api_key = settings.embedding_api_key
        if backend == "openai" and api_key is None:
            api_key = _openai_key(settings)
        return cls(
            backend=backend,
            model=settings.embedding_model or DEFAULT_MODELS[backend],
            base_url=settings.embedding_base_url,
            api_key=api_key,
            dimensions=settings.embedding_dimensions,
            batch_size=settings.embedding_batch_size,
            timeout_seconds=settings.embedding_timeout_seconds,
            retries=settings.embedding_retries,
            retry_base_seconds=settings.embedding_retry_base_seconds,
            retry_max_seconds=settings.embedding_retry_max_seconds,
            threads=settings.embedding_threads,
            local_model_path=settings.embedding_local_model_path,
            local_tokenizer_path=settings.embedding_local_tokenizer_path,
            local_max_tokens=settings.embedding_local_max_tokens,
            local_batch_size=settings.embedding_local_batch_size,
        )


def _openai_key(settings: Settings) -> SecretStr | None:
    """The key from Secrets Manager (cached there for a few minutes, so a rotation is seen), else the chat's."""
    from privategpt.llm.config import ProviderConfig
    from privategpt.llm.secrets import api_key

    source = ProviderConfig(name="embeddings", type="openai", api_key_secret=settings.embedding_api_key_secret)
    key = api_key(source)  # with no secret named: OPENAI_API_KEY
    return SecretStr(key) if key else None


_embedders: dict[EmbeddingConfig, Embedder] = {}
_lock = threading.Lock()


def embedder_for(settings: Settings) -> Embedder:
    """The process's embedder for these settings (made once; the local model loads on first use)."""
    config = EmbeddingConfig.from_settings(settings)
    with _lock:
        embedder = _embedders.get(config)
        if embedder is None:
            embedder = _embedders[config] = build(config)
        return embedder


def clear_embedders() -> None:
    """Forget every embedder made so far (tests; a new configuration)."""
    with _lock:
        embedders = list(_embedders.values())
        _embedders.clear()
    for embedder in embedders:
        close = getattr(embedder, "close", None)
        if close is not None:
            close()


def build(config: EmbeddingConfig) -> Embedder:
    """A new embedder for ``config`` (``embedder_for`` caches these)."""
    from privategpt.llm.resilience import RetryPolicy

    policy = RetryPolicy(config.retries, config.retry_base_seconds, config.retry_max_seconds)
    if config.backend == "openai":
        from privategpt.rag.embeddings.openai import OpenAIEmbedder

        return OpenAIEmbedder(
            api_key=config.api_key.get_secret_value() if config.api_key else None,
            model=config.model,
            base_url=config.base_url,
            dimensions=config.dimensions,
            batch_size=config.batch_size,
            timeout=config.timeout_seconds,
            policy=policy,
        )
    if config.backend == "ollama":
        from privategpt.rag.embeddings.ollama import OllamaEmbedder

        return OllamaEmbedder(
            model=config.model,
            base_url=config.base_url,
            batch_size=config.batch_size,
            timeout=config.timeout_seconds,
            policy=policy,
        )
    return _local(config)


def _local(config: EmbeddingConfig) -> Embedder:
    from privategpt.rag.embeddings.local import DEFAULT_DIMENSION, LocalEmbedder, ModelFiles, shipped_files

    model_path, tokenizer_path = config.local_model_path, config.local_tokenizer_path
    if model_path is None and tokenizer_path is None:
        if config.model != DEFAULT_MODELS["local"]:
            raise EmbeddingUnavailable(
                f"the local embedding backend ships only {DEFAULT_MODELS['local']}; for {config.model} set "
                "PGPT_EMBEDDING_LOCAL_MODEL_PATH and PGPT_EMBEDDING_LOCAL_TOKENIZER_PATH"
            )
        files, name, dimension = shipped_files(), LOCAL_SHIPPED_ID, DEFAULT_DIMENSION
    elif model_path is None or tokenizer_path is None:
        raise EmbeddingUnavailable(
            "another local model needs both PGPT_EMBEDDING_LOCAL_MODEL_PATH and PGPT_EMBEDDING_LOCAL_TOKENIZER_PATH"
        )
    elif config.model == DEFAULT_MODELS["local"]:
        raise EmbeddingUnavailable(
            "name another local model in PGPT_EMBEDDING_MODEL: the index records the name as its vector space"
        )
    else:
        # The operator's files: not pinned; their dimension is read from the model.
        files, name, dimension = ModelFiles(model_path, tokenizer_path), config.model, None
    return LocalEmbedder(
        files,
        name=name,
        dimension=dimension,
        max_tokens=config.local_max_tokens,
        batch_size=config.local_batch_size,
        threads=config.threads,
    )
