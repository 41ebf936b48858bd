"""The OpenAI and Ollama backends against fake servers speaking their wire formats."""

from __future__ import annotations

import time

import numpy as np
import pytest

from privategpt.dev.dynamodb_local import free_port
from privategpt.rag.embeddings import EmbeddingConfig, build
from privategpt.rag.errors import EmbeddingUnavailable
from tests.conftest import make_settings
from tests.rag.embeddings.conftest import FAST_RETRIES, remote
from tests.support.fake_embeddings import EmbeddingFault, FakeEmbeddings, fake_vector

TEXTS = [f"document number {i} talks about topic {i % 7}" for i in range(70)]


def test_vectors_are_the_servers_normalised_in_input_order(server: FakeEmbeddings) -> None:
    embedder = remote(server)
    expected_dimension = 1536 if server.dialect == "openai" else 768
    vectors = embedder.embed_documents(TEXTS[:5])
    assert vectors.shape == (5, expected_dimension)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    expected = np.array([fake_vector(t, expected_dimension) for t in TEXTS[:5]], dtype=np.float32)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)
    query = embedder.embed_query("document number 3")
    assert query.shape == (expected_dimension,)
    assert int(np.argmax(vectors @ query)) == 3


def test_openai_answers_are_ordered_by_index(openai_server: FakeEmbeddings) -> None:
    openai_server.reverse = True
    vectors = remote(openai_server).embed_documents(TEXTS[:4])
    expected = np.array([fake_vector(t, 1536) for t in TEXTS[:4]], dtype=np.float32)
    np.testing.assert_allclose(vectors, expected, atol=1e-6)


def test_texts_go_in_batches_of_the_configured_size(server: FakeEmbeddings) -> None:
    vectors = remote(server, embedding_batch_size=32).embed_documents(TEXTS)
    assert [len(batch) for batch in server.inputs] == [32, 32, 6]
    assert [t for batch in server.inputs for t in batch] == TEXTS
    assert vectors.shape[0] == len(TEXTS)
    assert {r["model"] for r in server.requests} == {
        "text-embedding-3-small" if server.dialect == "openai" else "nomic-embed-text"
    }


def test_openai_requests_carry_the_key_and_dimensions_only_when_configured(openai_server: FakeEmbeddings) -> None:
    remote(openai_server).embed_query("hello")
    assert "dimensions" not in openai_server.requests[0]
    assert openai_server.headers[0]["authorization"] == f"Bearer {openai_server.api_key}"
    short = remote(openai_server, embedding_dimensions=256)
    assert short.model_id == "openai/text-embedding-3-small@256"
    assert short.dimension == 256
    assert short.embed_query("hello").shape == (256,)
    assert openai_server.requests[1]["dimensions"] == 256


def test_429_is_retried_after_the_servers_retry_after(server: FakeEmbeddings) -> None:
    server.fail(EmbeddingFault("status", 429, retry_after="1"))
    started = time.monotonic()
    vectors = remote(server).embed_documents(TEXTS[:3])
    assert time.monotonic() - started >= 1.0
    assert len(server.requests) == 2
    assert vectors.shape[0] == 3


def test_5xx_is_retried_up_to_the_configured_retries(server: FakeEmbeddings) -> None:
    server.fail(EmbeddingFault("status", 500), EmbeddingFault("status", 503))
    assert remote(server, embedding_retries=2).embed_query("hello").shape[0] > 0
    assert len(server.requests) == 3


def test_after_the_retries_the_backend_is_unavailable(server: FakeEmbeddings) -> None:
    server.fail(*[EmbeddingFault("status", 500)] * 3)
    with pytest.raises(EmbeddingUnavailable, match="gave up after 3 attempts") as raised:
        remote(server, embedding_retries=2).embed_query("hello")
    assert len(server.requests) == 3
    assert raised.value.status_code == 503


def test_a_timeout_is_retried(server: FakeEmbeddings) -> None:
    server.stall_seconds = 1.0
    server.fail(EmbeddingFault("stall"))
    embedder = remote(server, embedding_timeout_seconds=0.3)
    assert embedder.embed_query("hello").shape[0] > 0
    assert len(server.requests) == 2


def test_an_unreachable_server_is_unavailable() -> None:
    settings = make_settings(
        embedding_backend="ollama",
        embedding_base_url=f"http://127.0.0.1:{free_port()}",
        embedding_retries=1,
        **FAST_RETRIES,
    )
    with pytest.raises(EmbeddingUnavailable, match="could not be reached"):
        build(EmbeddingConfig.from_settings(settings)).embed_query("hello")


def test_a_rejected_key_is_not_retried_and_the_providers_message_is_kept(openai_server: FakeEmbeddings) -> None:
    embedder = remote(openai_server, embedding_api_key="sk-wrong", embedding_retries=3)
    with pytest.raises(EmbeddingUnavailable, match="refused the request \\(401\\): Incorrect API key") as raised:
        embedder.embed_query("hello")
    assert len(openai_server.requests) == 1
    assert raised.value.details["status"] == 401


def test_an_unknown_ollama_model_is_not_retried(ollama_server: FakeEmbeddings) -> None:
    with pytest.raises(EmbeddingUnavailable, match='model "snowflake-arctic-embed" not found'):
        remote(ollama_server, embedding_model="snowflake-arctic-embed").embed_query("hello")
    assert len(ollama_server.requests) == 1


def test_a_vector_of_another_dimension_is_an_error(server: FakeEmbeddings) -> None:
    server.fail(EmbeddingFault("dimension"))
    with pytest.raises(EmbeddingUnavailable, match="dimension") as raised:
        remote(server).embed_documents(TEXTS[:2])
    assert raised.value.details["got"] == [raised.value.details["expected"] + 1]


def test_an_unknown_models_dimension_is_learned_then_held(ollama_server: FakeEmbeddings) -> None:
    ollama_server.models["house-embed"] = 100
    embedder = remote(ollama_server, embedding_model="house-embed:latest")
    assert embedder.model_id == "ollama/house-embed"
    assert embedder.dimension == 100  # asked with a probe
    assert len(ollama_server.requests) == 1
    assert embedder.embed_documents(["a", "b"]).shape == (2, 100)
    ollama_server.fail(EmbeddingFault("dimension"))
    with pytest.raises(EmbeddingUnavailable, match="expected 100"):
        embedder.embed_query("c")


def test_openai_without_a_key_is_refused_at_once() -> None:
    with pytest.raises(EmbeddingUnavailable, match="OPENAI_API_KEY"):
        build(EmbeddingConfig.from_settings(make_settings(embedding_backend="openai")))
