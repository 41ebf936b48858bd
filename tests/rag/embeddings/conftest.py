"""The local model once per session (through the factory's cache, so other tests share it), and one fake
embeddings server per dialect per module, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from privategpt.rag.embeddings import EmbeddingConfig, build, embedder_for
from privategpt.rag.embeddings.remote import RemoteEmbedder
from privategpt.rag.types import Embedder
from tests.conftest import make_settings
from tests.support.fake_embeddings import FakeEmbeddings, running_embeddings

FAST_RETRIES = {"embedding_retry_base_seconds": 0.01, "embedding_retry_max_seconds": 2.0}


@pytest.fixture(scope="session")
def local_embedder() -> Embedder:
    embedder = embedder_for(make_settings())
    embedder.embed_query("warm up")  # load once, here, not inside the first test that times itself
    return embedder


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeEmbeddings]:
    with running_embeddings("openai") as fake:
        yield fake


@pytest.fixture(scope="module")
def ollama_server() -> Iterator[FakeEmbeddings]:
    with running_embeddings("ollama") as fake:
        yield fake


@pytest.fixture(params=["openai", "ollama"])
def server(request: pytest.FixtureRequest) -> FakeEmbeddings:
    fake: FakeEmbeddings = request.getfixturevalue(f"{request.param}_server")
    fake.reset()
    return fake


@pytest.fixture(autouse=True)
def _fresh_servers(request: pytest.FixtureRequest) -> None:
    for name in ("openai_server", "ollama_server"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


def remote(fake: FakeEmbeddings, **overrides: Any) -> RemoteEmbedder:
    """A new (uncached) embedder for the fake, with quick retries."""
    settings = make_settings(**{**fake.settings_overrides(), **FAST_RETRIES, **overrides})
    embedder = build(EmbeddingConfig.from_settings(settings))
    assert isinstance(embedder, RemoteEmbedder)
    return embedder
