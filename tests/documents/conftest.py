"""An app with documents switched on, against the session's DynamoDB Local and moto (its own bucket and queue,
so nothing here reaches the ingestion tests' queue), and users of that app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from privategpt.app import create_app
from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from tests.support.api import User, new_user
from tests.support.aws import own_resources
from tests.support.issuer import TestIssuer
from tests.support.server import serve

MAX_BYTES = 64 * 1024
MAX_DOCUMENTS = 8
MAX_FILENAME_CHARS = 40

MakeUser = Callable[[], User]


@pytest.fixture(scope="session")
def docs_settings(settings: Settings, local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return settings.model_copy(
        update={
            **own_resources(local_aws),
            # An index of its own: other tests' stores may be built by other embedding models.
            "embedded_store_dir": tmp_path_factory.mktemp("documents-vectors"),
            "document_max_bytes": MAX_BYTES,
            "max_documents_per_owner": MAX_DOCUMENTS,
            "document_max_filename_chars": MAX_FILENAME_CHARS,
        }
    )


@pytest.fixture(scope="session")
def docs_url(docs_settings: Settings) -> Iterator[str]:
    with serve(create_app(docs_settings)) as url:
        yield url


@pytest.fixture
def make_docs_user(docs_url: str, issuer: TestIssuer) -> Iterator[MakeUser]:
    clients: list[httpx.Client] = []

    def factory() -> User:
        user = new_user(issuer, docs_url)
        clients.append(user.client)
        return user

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def ann(make_docs_user: MakeUser) -> User:
    return make_docs_user()


@pytest.fixture
def ben(make_docs_user: MakeUser) -> User:
    return make_docs_user()
