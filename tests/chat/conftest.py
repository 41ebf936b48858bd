from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from privategpt.app import create_stream_app
from privategpt.settings import Settings
from tests.support.api import User
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
