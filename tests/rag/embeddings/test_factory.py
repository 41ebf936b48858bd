"""Which embedder the settings make: the setting alone chooses, one instance per configuration."""

from __future__ import annotations

import pytest

from privategpt.rag.embeddings import embedder_for
from privategpt.rag.embeddings.local import LocalEmbedder
from privategpt.rag.embeddings.ollama import OllamaEmbedder
from privategpt.rag.embeddings.openai import OpenAIEmbedder
from tests.conftest import make_settings
from tests.support.fake_embeddings import FakeEmbeddings


def test_local_is_the_default_and_a_chat_key_does_not_change_that(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-only")
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://127.0.0.1:11434")
    embedder = embedder_for(make_settings())
    assert isinstance(embedder, LocalEmbedder)
    assert embedder.model_id == "local/all-MiniLM-L6-v2-int8"
    assert embedder.dimension == 384


def test_one_embedder_per_configuration() -> None:
    first = embedder_for(make_settings())
    assert embedder_for(make_settings()) is first
    assert embedder_for(make_settings(embedding_batch_size=7)) is not first


@pytest.mark.parametrize(
    ("backend", "kind", "model_id", "dimension"),
    [
        ("openai", OpenAIEmbedder, "openai/text-embedding-3-small", 1536),
        ("ollama", OllamaEmbedder, "ollama/nomic-embed-text", 768),
    ],
)
def test_each_backend_has_its_default_model(backend: str, kind: type, model_id: str, dimension: int) -> None:
    embedder = embedder_for(make_settings(embedding_backend=backend, embedding_api_key="sk-x"))
    assert isinstance(embedder, kind)
    assert embedder.model_id == model_id
    assert embedder.dimension == dimension  # known without asking the server


def test_openai_falls_back_to_the_environments_key(
    openai_server: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key or "")
    settings = make_settings(embedding_backend="openai", embedding_base_url=openai_server.url)
    embedder_for(settings).embed_query("hello")
    assert openai_server.headers[-1]["authorization"] == f"Bearer {openai_server.api_key}"


def test_the_embedding_key_wins_over_the_environments(
    openai_server: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-only")
    settings = make_settings(**openai_server.settings_overrides(), embedding_batch_size=5)
    embedder_for(settings).embed_query("hello")
    assert openai_server.headers[-1]["authorization"] == f"Bearer {openai_server.api_key}"


def test_openai_reads_its_key_from_secrets_manager(
    openai_server: FakeEmbeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-chat-only")
    with mock_aws():
        boto3.client("secretsmanager").create_secret(
            Name="privategpt/embeddings", SecretString=f'{{"api_key": "{openai_server.api_key}"}}'
        )
        settings = make_settings(
            embedding_backend="openai",
            embedding_base_url=openai_server.url,
            embedding_api_key_secret="privategpt/embeddings",
        )
        embedder_for(settings).embed_query("hello")
    assert openai_server.headers[-1]["authorization"] == f"Bearer {openai_server.api_key}"
