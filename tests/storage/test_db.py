"""One botocore client per process: every model class, every transaction, every worker thread shares it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from botocore.session import Session

from privategpt.app import create_app, create_stream_app
from privategpt.settings import Settings
from privategpt.storage import db
from privategpt.storage.models import ALL_MODELS
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve


class ClientCounter:
    """Counts the DynamoDB clients botocore builds in this process (the test servers run in it too)."""

    def __init__(self, delay_seconds: float = 0.0) -> None:
        self.delay_seconds = delay_seconds
        self.count = 0
        self._lock = threading.Lock()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = Session.create_client

        def counting(session: Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
            if service_name == "dynamodb":
                with self._lock:
                    self.count += 1
                time.sleep(self.delay_seconds)  # widens the window two first users could both build in
            return original(session, service_name, *args, **kwargs)

        monkeypatch.setattr(Session, "create_client", counting)


@pytest.fixture(scope="module")
def servers(settings: Settings) -> Iterator[tuple[str, str]]:
    """The API and the streaming app, patient with discovery (SDK imports are slow on a busy machine)."""
    patient = settings.model_copy(update={"llm_discovery_timeout_seconds": 60.0})
    with serve(create_app(patient)) as api, serve(create_stream_app(patient)) as stream:
        yield api, stream


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> Iterator[ClientCounter]:
    counter = ClientCounter()
    counter.install(monkeypatch)
    yield counter


def fresh_bind(settings: Settings, **changes: Any) -> Settings:
    """Bind with client settings no earlier bind used, so the next call must build a client."""
    rebound = settings.model_copy(update={"dynamodb_max_pool_connections": 41, **changes})
    db.bind(rebound)
    return rebound


def one_user_session(client: httpx.Client, stream_base: str) -> None:
    """A bit of everything: conversations, a sync turn (a transaction), a streamed turn, prompts, usage."""
    cid = client.post("/api/chat/conversations", json={"title": "one client"}).json()["id"]
    sent = client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "hi", "model": "ollama/llama3.2"})
    assert sent.status_code == 200, sent.text
    ticket = client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "again", "model": "ollama/llama3.2"}
    ).json()
    url = ticket["stream_url"] if ticket["stream_url"].startswith("http") else stream_base + ticket["stream_url"]
    with httpx.Client(timeout=30) as anonymous:
        assert "event: done" in anonymous.get(url).text
    assert client.get(f"/api/chat/conversations/{cid}").json()["message_count"] == 4
    assert client.get("/api/chat/conversations").status_code == 200
    prompt = client.post("/api/prompts", json={"name": "p", "content": "be brief"}).json()["id"]
    assert client.put(f"/api/prompts/{prompt}", json={"name": "p", "content": "be briefer"}).status_code == 200
    assert client.delete(f"/api/prompts/{prompt}").status_code == 204
    assert client.get("/api/usage").status_code == 200
    assert client.patch(f"/api/chat/conversations/{cid}", json={"title": "renamed"}).status_code == 200
    assert client.delete(f"/api/chat/conversations/{cid}?hard_delete=true").status_code == 204


def test_one_client_for_every_repository_call_and_transaction(
    settings: Settings, servers: tuple[str, str], issuer: TestIssuer, counter: ClientCounter
) -> None:
    api, stream = servers
    users = [
        httpx.Client(base_url=api, headers={"Authorization": f"Bearer {issuer.token(new_subject())}"}, timeout=60)
        for _ in range(6)
    ]
    assert users[0].get("/api/models").status_code == 200  # discovery done before counting starts
    fresh_bind(settings)
    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(lambda user: one_user_session(user, stream), users))
    for user in users:
        user.close()
    assert counter.count == 1


def test_first_use_from_many_threads_builds_one_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = ClientCounter(delay_seconds=0.05)
    counter.install(monkeypatch)
    fresh_bind(settings)
    start = threading.Barrier(16)

    def first_use(i: int) -> Any:
        start.wait()
        model = ALL_MODELS[i % len(ALL_MODELS)]
        return model._get_connection().connection.client if i % 2 else db.connection().client

    with ThreadPoolExecutor(16) as pool:
        clients = list(pool.map(first_use, range(16)))
    assert counter.count == 1
    assert all(client is clients[0] for client in clients)


def test_every_model_and_transaction_share_the_connection(settings: Settings) -> None:
    fresh_bind(settings)
    shared = db.connection()
    assert all(model._get_connection().connection is shared for model in ALL_MODELS)


def test_the_client_is_built_from_the_settings(settings: Settings) -> None:
    fresh_bind(
        settings,
        dynamodb_connect_timeout_seconds=0.7,
        dynamodb_read_timeout_seconds=1.3,
        dynamodb_max_retries=2,
        dynamodb_max_pool_connections=33,
    )
    client: Any = db.connection().client
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.7, 1.3)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert config.max_pool_connections == 33
    assert client._endpoint.http_session._max_pool_connections == 33  # what urllib3's pool is sized to
    assert client.meta.endpoint_url == settings.dynamodb_endpoint


def test_the_default_pool_covers_the_worker_threads() -> None:
    import anyio.to_thread

    async def worker_threads() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    assert Settings(_env_file=None).dynamodb_max_pool_connections >= anyio.run(worker_threads)


def test_bind_keeps_the_client_unless_its_settings_change(settings: Settings, counter: ClientCounter) -> None:
    rebound = fresh_bind(settings)
    first = db.connection()
    assert first.client is not None
    db.bind(rebound)
    assert db.connection() is first
    db.bind(rebound.model_copy(update={"table_name": rebound.table_name + "-other"}))
    assert db.connection() is first  # the table is per request, the client is not
    db.bind(rebound.model_copy(update={"dynamodb_read_timeout_seconds": 9.0}))
    assert db.connection() is not first
    assert db.connection().client is not first.client
    assert counter.count == 2
