"""Local HTTP servers that speak OpenAI's and Ollama's embeddings wire formats, with faults on demand.

Vectors are deterministic: a hashed bag of words (each lower-cased word adds +-1 to one coordinate picked by
its hash), so texts sharing words are close and ``fake_vector`` gives the vector a test should expect. The
server answers it unnormalised (scaled), as a real server may: the client must normalise.

    with running_embeddings("openai") as fake:
        settings = make_settings(**fake.settings_overrides())   # embedding_backend="openai", base URL, key
        ...
        fake.fail(EmbeddingFault("status", 429, retry_after="1"))
        assert len(fake.requests) == 2

Faults, each for one request in turn: an HTTP status (with Retry-After, in the dialect's error body), vectors
of the wrong dimension, or a stall of ``stall_seconds`` before the answer (a timeout).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import serve

Dialect = Literal["openai", "ollama"]
OPENAI_KEY = "sk-test-embeddings"
OPENAI_MODELS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}
OLLAMA_MODELS = {"nomic-embed-text": 768, "all-minilm": 384}
OPENAI_MAX_INPUTS = 2048  # OpenAI's limit of inputs per request
SCALE = 3.0  # answered vectors have this norm, not 1
STALL_SECONDS = 2.0
_WORD = re.compile(r"\w+")
_STATUS_MESSAGES = {
    401: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
    429: "Rate limit reached for requests",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The engine is currently overloaded, please try again later",
}


@dataclass
class EmbeddingFault:
    kind: Literal["status", "dimension", "stall"]
    status: int = 500
    retry_after: str | None = None


def fake_vector(text: str, dimension: int) -> list[float]:
    """The fake's vector for ``text``, L2-normalised."""
    vector = [0.0] * dimension
    for word in _WORD.findall(text.lower()) or [text]:
        digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        vector[digest % dimension] += 1.0 if (digest >> 32) & 1 else -1.0
    if not any(vector):  # words that cancel out: still a unit vector
        vector[0] = 1.0
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


@dataclass
class FakeEmbeddings:
    dialect: Dialect
    models: dict[str, int]
    api_key: str | None = None  # OpenAI: the key a request must carry (None: any)
    faults: list[EmbeddingFault] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    reverse: bool = False  # OpenAI: answer ``data`` in reverse order (the client must sort by ``index``)
    stall_seconds: float = STALL_SECONDS

    def fail(self, *faults: EmbeddingFault) -> None:
        self.faults.extend(faults)

    def take_fault(self) -> EmbeddingFault | None:
        return self.faults.pop(0) if self.faults else None

    def reset(self) -> None:
        self.faults.clear()
        self.requests.clear()
        self.headers.clear()
        self.reverse = False
        self.stall_seconds = STALL_SECONDS

    @property
    def inputs(self) -> list[list[str]]:
        """The texts of each request received, in order."""
        return [list(r["input"]) if isinstance(r.get("input"), list) else [str(r.get("input"))] for r in self.requests]

    def settings_overrides(self, model: str | None = None) -> dict[str, Any]:
        """Settings that point the embeddings at this server."""
        overrides: dict[str, Any] = {"embedding_backend": self.dialect, "embedding_base_url": self.url}
        if self.api_key:
            overrides["embedding_api_key"] = self.api_key
        if model:
            overrides["embedding_model"] = model
        return overrides

    def vectors(self, texts: list[str], model: str) -> list[list[float]]:
        return [[x * SCALE for x in fake_vector(t, self.models[model.removesuffix(":latest")])] for t in texts]


def _openai_error(status: int, message: str, code: str | None, retry_after: str | None = None) -> JSONResponse:
    kind = "server_error" if status >= 500 else "requests" if status == 429 else "invalid_request_error"
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers={"retry-after": retry_after} if retry_after else None)


def openai_app(state: FakeEmbeddings) -> Starlette:
    async def embeddings(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        state.headers.append(dict(request.headers))
        fault = state.take_fault()
        if fault and fault.kind == "status":
            message = _STATUS_MESSAGES.get(fault.status, "fake failure")
            return _openai_error(fault.status, message, None, fault.retry_after)
        if fault and fault.kind == "stall":
            await asyncio.sleep(state.stall_seconds)
        if state.api_key and request.headers.get("authorization") != f"Bearer {state.api_key}":
            return _openai_error(401, _STATUS_MESSAGES[401], "invalid_api_key")
        model = body.get("model")
        if model not in state.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            return _openai_error(404, message, "model_not_found")
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not texts or len(texts) > OPENAI_MAX_INPUTS:
            return _openai_error(400, "'$.input' is invalid. Please check the API reference.", None)
        if any(not isinstance(t, str) or not t for t in texts):
            return _openai_error(400, "'$.input' is invalid. Please check the API reference.", None)
        vectors = state.vectors(texts, model)
        dimensions = body.get("dimensions")
        if dimensions is not None:
            if not str(model).startswith("text-embedding-3"):
                return _openai_error(400, "This model does not support specifying dimensions.", None)
            vectors = [[x * SCALE for x in fake_vector(t, int(dimensions))] for t in texts]
        if fault and fault.kind == "dimension":
            vectors = [[*v, 0.5] for v in vectors]
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        if state.reverse:
            data.reverse()
        tokens = sum(len(_WORD.findall(t)) for t in texts)
        return JSONResponse(
            {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        )

    return Starlette(routes=[Route("/v1/embeddings", embeddings, methods=["POST"])])


def ollama_app(state: FakeEmbeddings) -> Starlette:
    async def embed(request: Request) -> Response:
        body = await request.json()
        state.requests.append(body)
        state.headers.append(dict(request.headers))
        fault = state.take_fault()
        if fault and fault.kind == "status":
            headers = {"retry-after": fault.retry_after} if fault.retry_after else None
            return JSONResponse({"error": "fake failure"}, status_code=fault.status, headers=headers)
        if fault and fault.kind == "stall":
            await asyncio.sleep(state.stall_seconds)
        model = str(body.get("model"))
        if model.removesuffix(":latest") not in state.models:
            return JSONResponse({"error": f'model "{model}" not found, try pulling it first'}, status_code=404)
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return JSONResponse({"error": "invalid input type"}, status_code=400)
        vectors = state.vectors(texts, model)
        if fault and fault.kind == "dimension":
            vectors = [[*v, 0.5] for v in vectors]
        tokens = sum(len(_WORD.findall(t)) for t in texts)
        return JSONResponse(
            {
                "model": model,
                "embeddings": vectors,
                "total_duration": 1000,
                "load_duration": 100,
                "prompt_eval_count": tokens,
            }
        )

    return Starlette(routes=[Route("/api/embed", embed, methods=["POST"])])


@contextmanager
def running_embeddings(
    dialect: Dialect = "openai", models: dict[str, int] | None = None, api_key: str | None = OPENAI_KEY
) -> Iterator[FakeEmbeddings]:
    """A fake embeddings server on a free port for the length of the block (OpenAI's needs ``api_key``)."""
    if dialect == "openai":
        state = FakeEmbeddings("openai", dict(models or OPENAI_MODELS), api_key=api_key)
        with serve(openai_app(state)) as url:
            state.url = url + "/v1"
            yield state
    else:
        state = FakeEmbeddings("ollama", dict(models or OLLAMA_MODELS))
        with serve(ollama_app(state)) as url:
            state.url = url
            yield state
