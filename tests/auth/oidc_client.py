"""A test OAuth client of the local OIDC provider: PKCE, the sign-in page, the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

CLIENT_ID = "privategpt-local"
WEB_ORIGIN = "http://localhost:5173"  # an allowed origin (cors_origins) that is not the server's own
REDIRECT_URI = f"{WEB_ORIGIN}/auth/callback"


def challenge_for(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@dataclass
class Flow:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def params(self, **overrides: str | None) -> dict[str, str]:
        params: dict[str, str | None] = {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": "openid profile email",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": challenge_for(self.verifier),
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}


def query_of(response: httpx.Response) -> dict[str, str]:
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in(client: httpx.Client, flow: Flow, user: str, **overrides: str | None) -> httpx.Response:
    """The page's form, posted back as the browser would: the redirect (not followed)."""
    return client.post("/oauth/authorize", data={**flow.params(**overrides), "username": user})


def code_for(client: httpx.Client, flow: Flow, user: str) -> str:
    response = sign_in(client, flow, user)
    assert response.status_code == 302, response.text
    assert response.headers["location"].startswith(REDIRECT_URI + "?")
    query = query_of(response)
    assert query["state"] == flow.state
    return query["code"]


def redeem(client: httpx.Client, flow: Flow, code: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": flow.verifier,
        **overrides,
    }
    return client.post("/oauth/token", data=form)


def refresh(client: httpx.Client, token: str, client_id: str = CLIENT_ID) -> httpx.Response:
    return client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id}
    )


def tokens(client: httpx.Client, user: str) -> dict[str, Any]:
    flow = Flow()
    response = redeem(client, flow, code_for(client, flow, user))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def oauth_error(response: httpx.Response, status: int, error: str) -> None:
    """RFC 6749's error shape, not the API's."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["error_description"], body
    assert response.headers["cache-control"] == "no-store"
