"""Shared fixtures: one DynamoDB Local, one test issuer, one API server per session.

Tests isolate by user, not by table: every test makes its own users (fresh subjects).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from privategpt.app import create_app
from privategpt.auth.principal import user_id_for
from privategpt.dev.dynamodb_local import DynamoDBLocal
from privategpt.settings import Settings
from privategpt.storage import db
from tests.support.api import User
from tests.support.issuer import CLIENT_ID, TestIssuer, new_subject, serve_issuer
from tests.support.server import serve

# Nothing from a developer's shell or .env may leak into the tests' settings.
for _name in [name for name in os.environ if name.startswith("PGPT_")]:
    del os.environ[_name]


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
def settings(
    dynamodb_endpoint: str, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    settings = make_settings(
        table_name=f"test-{uuid.uuid4().hex[:8]}",
        dynamodb_endpoint=dynamodb_endpoint,
        auth_provider="keycloak",
        auth_issuer=issuer.url,
        auth_client_ids=[CLIENT_ID],
        data_dir=tmp_path_factory.mktemp("data"),
        max_request_body_bytes=64 * 1024,
        max_page_size=50,
        default_page_size=10,
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
        subject = new_subject()
        token = issuer.token(subject, roles=roles)
        client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        clients.append(client)
        return User(subject, user_id_for(issuer.url, subject), token, client)

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
