"""The /v1 app in process, over the session's fake providers (tests of the wire format, not of the SDKs).

``v1`` is the streaming app's base URL + ``/v1`` (the session's ``stream_base``); users are the session issuer's,
bearing JWTs (the API keys' own path is tested by the SDK tests against ``privategpt dev``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from tests.chat.conftest import stream_base
from tests.support.api import User

__all__ = ["chunks_of", "client_for", "errors_of", "post", "stream_base", "v1"]


@pytest.fixture(scope="session")
def v1(stream_base: str) -> str:
    return stream_base + "/v1"


def client_for(v1: str, user: User) -> openai.OpenAI:
    return openai.OpenAI(base_url=v1, api_key=user.token, max_retries=0, timeout=30)


def post(v1: str, user: User | None, path: str, body: Any) -> httpx.Response:
    headers = user.headers if user is not None else {}
    return httpx.post(v1 + path, json=body, headers=headers, timeout=30)


def chunks_of(response: httpx.Response) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON of each ``data:`` line and the raw lines (``[DONE]`` among them)."""
    lines = [line for line in response.text.split("\n\n") if line]
    assert all(line.startswith("data: ") for line in lines), lines
    raw = [line.removeprefix("data: ") for line in lines]
    return [json.loads(r) for r in raw if r != "[DONE]"], raw


def errors_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """OpenAI's error shape, exactly."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == code and error["message"]
    return error
