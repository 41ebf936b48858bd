"""Helpers for talking to the API in tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from privategpt.auth.principal import user_id_for
from tests.support.issuer import TestIssuer, new_subject


@dataclass
class User:
    subject: str
    user_id: str
    token: str
    client: httpx.Client

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_user(issuer: TestIssuer, base_url: str, *, roles: list[str] | None = None) -> User:
    """A user new to the platform, with a client of the app at ``base_url`` carrying its token (close it)."""
    subject = new_subject()
    token = issuer.token(subject, roles=roles)
    client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return User(subject, user_id_for(issuer.url, subject), token, client)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error shape: status, code, message, request id echoed in the header."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert error["message"]
    assert set(error) == {"code", "type", "message", "request_id", "details"}
    assert error["request_id"] == response.headers["x-request-id"]
    return error
