"""The deploy config: one file, the context's overrides, and the functions' own models validating its parts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from infra.config import DeployConfig, load


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load(tmp_path / "absent.yaml")
    assert (config.stage, config.auth.mode, config.vectors.store, config.ollama.enabled) == (
        "dev",
        "cognito",
        "opensearch-serverless",
        False,
    )
    assert config.is_dev and config.name("table") == "privategpt-dev-table"


def test_the_file_and_the_context(tmp_path: Path) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text(
        "stage: staging\nauth: {mode: keycloak, issuer: 'https://sso.example.com/realms/a', client_id: web}\n"
        "llm:\n  providers:\n    - {name: openai, type: openai, api_key_secret: prod/openai}\n"
    )
    config = load(context={"config": str(path), "stage": "prod", "ollama": "true", "vectors": "none"})
    assert (config.stage, config.auth.mode, config.ollama.enabled, config.vectors.store) == (
        "prod",
        "keycloak",
        True,
        "none",
    )
    assert not config.is_dev
    assert config.secret_names() == ["prod/openai"]
    with pytest.raises(FileNotFoundError):
        load(context={"config": str(tmp_path / "missing.yaml")})


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"auth": {"mode": "keycloak"}}, "needs auth.issuer"),
        ({"auth": {"mode": "keycloak", "issuer": "http://plain.example.com/r", "client_id": "x"}}, "issuer"),
        ({"stage": "Prod!"}, "stage"),
        ({"auth": {"extra_callback_urls": ["http://localhost:5173/app"]}}, "extra_callback_urls"),
        ({"functions": {"log_retention_days": 31}}, "log_retention_days"),
        ({"web": {"domain_name": "chat.example.com"}}, "certificate_arn"),
        ({"llm": {"providers": [{"name": "openai", "type": "openai", "api_key": "sk-inline"}]}}, "api_key"),
        ({"tools": {"servers": [{"name": "fs", "transport": "stdio", "command": "npx"}]}}, "only http servers"),
        ({"settings": {"PGPT_TABLE_NAME": "x"}}, "not setting names"),
        (
            {"ollama": {"enabled": True}, "llm": {"providers": [{"name": "ollama", "type": "ollama"}]}},
            "already has 'ollama'",
        ),
    ],
)
def test_bad_configs_fail_before_synthesis(data: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        DeployConfig.model_validate(data)


def test_the_example_file_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "deploy.example.yaml"
    config = load(context={"config": str(example)})
    assert config.app_name == "privategpt"
