"""``/v1/embeddings``: the platform's embedding model (the one RAG indexes with) for the caller's own texts."""

from __future__ import annotations

import base64
from typing import Any

from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.chat import persist
from privategpt.errors import ValidationFailed, check_length
from privategpt.llm.errors import ModelNotFound
from privategpt.llm.service import LLMService
from privategpt.llm.types import Capabilities, ModelInfo, Usage
from privategpt.openai_api.schemas import EmbeddingRequest
from privategpt.settings import Settings

_COUNTING_MODEL = "text-embedding-3-small"  # its tokenizer (cl100k) counts the input for usage


def embedding_model(settings: Settings) -> str:
    """The embedding model's qualified id (the embedder is made, its weights are not loaded)."""
    from privategpt.rag.embeddings import embedder_for

    return embedder_for(settings).model_id


def _check(body: EmbeddingRequest, model_id: str, settings: Settings) -> list[str]:
    if body.model is not None and body.model not in (model_id, model_id.partition("/")[2]):
        raise ModelNotFound(f"no embedding model {body.model!r}: this server embeds with {model_id}")
    texts = [body.input] if isinstance(body.input, str) else body.input
    limit = settings.openai_api_max_embedding_inputs
    if not texts or len(texts) > limit:
        raise ValidationFailed(f"input holds 1 to {limit} texts", details={"field": "input", "limit": limit})
    for index, text in enumerate(texts):
        if not text:
            raise ValidationFailed(f"input[{index}] is empty", details={"field": "input"})
        check_length(f"input[{index}]", text, settings.max_message_chars)
    if body.dimensions is not None and body.dimensions != settings.embedding_dimensions:
        raise ValidationFailed(
            f"dimensions: this server's embeddings have a fixed size (set PGPT_EMBEDDING_DIMENSIONS for {model_id})",
            details={"field": "dimensions"},
        )
    return texts


async def embed(llm: LLMService, principal: Principal, body: EmbeddingRequest, settings: Settings) -> dict[str, Any]:
    from privategpt.rag.embeddings import embedder_for

    embedder = embedder_for(settings)
    texts = _check(body, embedder.model_id, settings)
    vectors = await run_in_threadpool(embedder.embed_documents, texts)
    tokens = sum(llm.counter.count_text("openai", _COUNTING_MODEL, text) for text in texts)
    model_id = embedder.model_id
    provider, _, name = model_id.partition("/")
    usage_model = ModelInfo(provider, name, context_window=0, max_output_tokens=0, capabilities=Capabilities())
    await persist.record_usage(principal.user_id, usage_model, Usage(tokens, 0))
    data = []
    for index, vector in enumerate(vectors):
        if body.encoding_format == "base64":
            encoded: Any = base64.b64encode(vector.astype("<f4").tobytes()).decode()
        else:
            encoded = [float(x) for x in vector]
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    return {
        "object": "list",
        "data": data,
        "model": model_id,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
