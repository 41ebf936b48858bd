from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from privategpt.app import create_stream_app
from privategpt.settings import Settings
from tests.support.api import User
from tests.support.server import serve


@pytest.fixture(scope="module")
def stream_base(settings: Settings) -> Iterator[str]:
    with serve(create_stream_app(settings)) as url:
        yield url


def set_limits(admin: User, user: User, **limits: Any) -> dict[str, Any]:
    """An admin's override for ``user`` (who signs in first: limits are set for users the platform knows)."""
    assert user.client.get("/api/me").status_code == 200
    response = admin.client.put(f"/api/admin/users/{user.user_id}/limits", json=limits)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def quick(user: User, content: str = "count me", model: str = "openai/gpt-4o-mini") -> Any:
    return user.client.post(
        "/api/chat/quick", json={"model": model, "messages": [{"role": "user", "content": content}]}
    )
