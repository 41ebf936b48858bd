from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings


def test_local_issuer_is_refused_inside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "privategpt-api")
    with pytest.raises(ValidationError, match="refused inside Lambda"):
        make_settings(auth_provider="local")


def test_the_embedded_vector_store_is_refused_inside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    remote = {"auth_provider": "keycloak", "auth_issuer": "https://kc.test/r", "auth_client_ids": ["web"]}
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "privategpt-api")
    with pytest.raises(ValidationError, match="PGPT_VECTOR_STORE=embedded"):
        make_settings(**remote, documents_bucket="docs")
    make_settings(**remote, documents_bucket="docs", vector_store="opensearch", opensearch_url="https://os.test")
    make_settings(**remote)  # documents off: no store is ever opened


def test_remote_providers_need_issuer_and_clients() -> None:
    with pytest.raises(ValidationError, match="PGPT_AUTH_ISSUER"):
        make_settings(auth_provider="keycloak")
    with pytest.raises(ValidationError, match="PGPT_AUTH_ISSUER"):
        make_settings(auth_provider="cognito", auth_issuer="https://issuer.test")


def test_symmetric_algorithms_cannot_be_allowed() -> None:
    with pytest.raises(ValidationError, match="asymmetric"):
        make_settings(auth_algorithms=["RS256", "HS256"])


def test_environment_with_comma_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPT_AUTH_PROVIDER", "keycloak")
    monkeypatch.setenv("PGPT_AUTH_ISSUER", "https://kc.test/realms/x")
    monkeypatch.setenv("PGPT_AUTH_CLIENT_IDS", "web, cli")
    monkeypatch.setenv("PGPT_AUTH_ALGORITHMS", "ES256")
    settings = make_settings()
    assert settings.auth_client_ids == ["web", "cli"]
    assert settings.auth_algorithms == ["ES256"]


def test_local_defaults() -> None:
    settings = make_settings()
    assert settings.auth_provider == "local"
    assert settings.auth_client_ids == [settings.local_client_id]
    assert settings.auth_issuer
