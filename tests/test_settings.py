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


def test_every_field_group_reads_its_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings joins field groups (privategpt/settings_fields): each is read from PGPT_<FIELD> as before
    monkeypatch.setenv("PGPT_TABLE_NAME", "t1")
    monkeypatch.setenv("PGPT_LLM_RETRIES", "7")
    monkeypatch.setenv("PGPT_RAG_DEFAULT_TOP_K", "9")
    monkeypatch.setenv("PGPT_TOOLS_MAX_ROUNDS", "3")
    monkeypatch.setenv("PGPT_LOCAL_OIDC_CODE_TTL_SECONDS", "30")
    monkeypatch.setenv("PGPT_WEB_DIST_DIR", "/srv/web")
    monkeypatch.setenv("PGPT_CORS_ORIGINS", "http://a.test, http://b.test")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    settings = make_settings()
    assert (settings.table_name, settings.llm_retries, settings.rag_default_top_k, settings.tools_max_rounds) == (
        "t1", 7, 9, 3,
    )  # fmt: skip
    assert settings.local_oidc_code_ttl_seconds == 30 and str(settings.web_dist_dir) == "/srv/web"
    assert settings.cors_origins == ["http://a.test", "http://b.test"] and settings.aws_region == "eu-west-1"


def test_oidc_and_dashboard_limits_are_positive() -> None:
    for name in ("local_oidc_code_ttl_seconds", "local_oidc_max_name_chars", "dashboard_check_timeout_seconds"):
        with pytest.raises(ValidationError, match=name):
            make_settings(**{name: 0})
