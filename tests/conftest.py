"""Shared fixtures: one DynamoDB Local, one test issuer, one API server per session.

Tests isolate by user, not by table: every test makes its own users (fresh subjects).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from privategpt.app import create_app
from privategpt.dev.dynamodb_local import DynamoDBLocal
from privategpt.settings import Settings
from privategpt.storage import db
from tests.support.api import User, new_user
from tests.support.fake_llm import FakeProvider, anthropic_app, ollama_app, openai_app, running
from tests.support.issuer import CLIENT_ID, TestIssuer, serve_issuer
from tests.support.server import serve

# Nothing from a developer's shell or .env may leak into the tests' settings or reach a real provider.
_LEAKY = ("PGPT_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "TIKTOKEN_")
for _name in [n for n in os.environ if n.startswith(_LEAKY) and not n.startswith("PGPT_TEST_")]:
    del os.environ[_name]
os.environ["FAKE_OPENAI_KEY"] = "sk-test-openai"
os.environ["FAKE_ANTHROPIC_KEY"] = "sk-ant-test"

OPENAI_MODELS = ["gpt-4o-mini", "gpt-4o", "deepseek-reasoner", "llama3.2"]
ANTHROPIC_MODELS = ["claude-sonnet-4-9", "claude-haiku-4-9"]
OLLAMA_MODELS = ["llama3.2", "qwen3-think:8b"]
PRICES = {"input_price_per_mtok": 0.15, "output_price_per_mtok": 0.6}


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    with DynamoDBLocal() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def issuer() -> Iterator[TestIssuer]:
    with serve_issuer(TestIssuer()) as running:
        yield running


def make_settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeProvider]:
    with running(FakeProvider("openai", list(OPENAI_MODELS)), openai_app, "/v1") as state:
        yield state


@pytest.fixture(scope="session")
def fake_anthropic() -> Iterator[FakeProvider]:
    with running(FakeProvider("anthropic", list(ANTHROPIC_MODELS)), anthropic_app) as state:
        yield state


@pytest.fixture(scope="session")
def fake_ollama() -> Iterator[FakeProvider]:
    with running(FakeProvider("ollama", list(OLLAMA_MODELS)), ollama_app) as state:
        yield state


@pytest.fixture(autouse=True)
def _fresh_fakes(request: pytest.FixtureRequest) -> None:
    for name in ("fake_openai", "fake_anthropic", "fake_ollama"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()


def providers_document(openai: FakeProvider, anthropic: FakeProvider, ollama: FakeProvider) -> dict[str, Any]:
    """The three fake providers, in priority order OpenAI, Anthropic, Ollama."""
    return {
        "providers": [
            {
                "name": "openai",
                "type": "openai",
                "base_url": openai.url,
                "api_key_env": "FAKE_OPENAI_KEY",
                "models": {"gpt-4o-mini": PRICES},
            },
            {"name": "anthropic", "type": "anthropic", "base_url": anthropic.url, "api_key_env": "FAKE_ANTHROPIC_KEY"},
            {"name": "ollama", "type": "ollama", "base_url": ollama.url},
        ]
    }


@pytest.fixture(scope="session")
def providers_file(
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    path = tmp_path_factory.mktemp("llm") / "providers.json"
    path.write_text(json.dumps(providers_document(fake_openai, fake_anthropic, fake_ollama)))
    return path


@pytest.fixture(scope="session")
def settings(
    dynamodb_endpoint: str, issuer: TestIssuer, providers_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    settings = make_settings(
        llm_providers_file=providers_file,
        llm_retry_base_seconds=0.01,
        llm_discovery_ttl_seconds=3600,  # no background rediscovery may meet a fault queued for a chat call
        table_name=f"test-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=dynamodb_endpoint,
        auth_provider="keycloak",
        auth_issuer=issuer.url,
        auth_client_ids=[CLIENT_ID],
        data_dir=tmp_path_factory.mktemp("data"),
        max_request_body_bytes=64 * 1024,
        max_message_chars=60_000,  # below the body cap, so the message limit is reachable
        max_page_size=50,
        default_page_size=10,
        limit_override_cache_seconds=3600,  # no override re-read mid-test (tests/limits sets its own)
    )
    db.bind(settings)
    db.create_table(settings)
    return settings


@pytest.fixture(scope="session")
def base_url(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(autouse=True)
def _bound(request: pytest.FixtureRequest) -> None:
    # Tests that build apps with other settings rebind the models; put them back for the next test.
    if "settings" in request.fixturenames:
        db.bind(request.getfixturevalue("settings"))


@pytest.fixture
def make_user(base_url: str, issuer: TestIssuer) -> Iterator[Any]:
    clients: list[httpx.Client] = []

    def factory(roles: list[str] | None = None) -> User:
        user = new_user(issuer, base_url, roles=roles)
        clients.append(user.client)
        return user

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def alice(make_user: Any) -> User:
    user: User = make_user()
    return user


@pytest.fixture
def bob(make_user: Any) -> User:
    user: User = make_user()
    return user


@pytest.fixture
def admin(make_user: Any) -> User:
    user: User = make_user(roles=["admin"])
    return user


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


REPO_ROOT = Path(__file__).resolve().parent.parent


# The session's moto S3 and SQS, shared by the documents and the ingestion tests.
from tests.support.aws import local_aws  # noqa: E402, F401
