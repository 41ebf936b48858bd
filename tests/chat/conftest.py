from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from httpx_sse import connect_sse

from privategpt.app import create_app, create_stream_app
from privategpt.dev.ingest_worker import IngestWorker
from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from tests.support.api import User, new_user
from tests.support.fake_llm import FakeProvider
from tests.support.issuer import TestIssuer
from tests.support.server import serve


@pytest.fixture(scope="session")
def stream_base(settings: Settings) -> Iterator[str]:
    """The streaming app on its own port, as `privategpt dev` and the Lambda Web Adapter serve it."""
    with serve(create_stream_app(settings)) as url:
        yield url


def conversation(user: User, **body: Any) -> str:
    response = user.client.post("/api/chat/conversations", json=body)
    assert response.status_code == 201, response.text
    cid: str = response.json()["id"]
    return cid


def stream_url(stream_base: str, ticket: dict[str, Any]) -> str:
    url: str = ticket["stream_url"]
    return url if url.startswith("http") else stream_base + url


def detail(user: User, cid: str) -> dict[str, Any]:
    body: dict[str, Any] = user.client.get(f"/api/chat/conversations/{cid}").json()
    return body


def no_auth_client() -> httpx.Client:
    return httpx.Client(timeout=30)


READY_SECONDS = 60.0


@dataclass
class Platform:
    settings: Settings
    api: str
    stream: str
    issuer: TestIssuer

    def user(self) -> User:
        return new_user(self.issuer, self.api)


@contextmanager
def serving_platform(rag_settings: Settings, issuer: TestIssuer) -> Iterator[Platform]:
    """API, streaming app and ingestion worker on these settings (documents switched on)."""
    with (
        serve(create_app(rag_settings)) as api,
        serve(create_stream_app(rag_settings)) as stream,
        IngestWorker(rag_settings),
    ):
        yield Platform(rag_settings, api, stream, issuer)


@pytest.fixture(scope="session")
def platform(
    settings: Settings, local_aws: LocalAWS, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """API, streaming app and ingestion worker with documents switched on (local embedder, embedded store)."""
    rag_settings = settings.model_copy(
        update={**local_aws.settings_overrides(), "data_dir": tmp_path_factory.mktemp("rag")}
    )
    with serving_platform(rag_settings, issuer) as running:
        yield running


def upload(user: User, name: str, text: str, content_type: str = "text/markdown") -> str:
    data = text.encode()
    created = user.client.post(
        "/api/documents", json={"filename": name, "content_type": content_type, "size": len(data)}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    post = body["upload"]
    sent = httpx.post(post["url"], data=post["fields"], files={"file": (name, data, content_type)}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    document_id: str = body["document"]["id"]
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        document = user.client.get(f"/api/documents/{document_id}").json()
        if document["status"] in ("ready", "failed"):
            assert document["status"] == "ready", document
            return document_id
        time.sleep(0.2)
    raise AssertionError(f"document {document_id} not ready after {READY_SECONDS} s")


def stream(platform: Platform, user: User, cid: str, **body: Any) -> list[tuple[str, dict[str, Any]]]:
    ticket = user.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body)
    assert ticket.status_code == 200, ticket.text
    url = ticket.json()["stream_url"]
    url = url if url.startswith("http") else platform.stream + url
    with httpx.Client(timeout=30) as client, connect_sse(client, "GET", url) as source:
        return [(event.event, json.loads(event.data)) for event in source.iter_sse()]


def prompt_of(provider: FakeProvider) -> str:
    messages = provider.requests[-1]["messages"]
    return "\n".join(m["content"] if isinstance(m["content"], str) else json.dumps(m["content"]) for m in messages)
