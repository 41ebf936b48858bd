"""The local OIDC provider's grants: authorization codes and refresh tokens, in memory (``dev`` is one process).

Codes are single-use and bound to the client, redirect URI, PKCE challenge, nonce and subject. Refresh tokens are
opaque random values (never JWTs, so the API cannot mistake one for an access token) and rotate on each use. A
code or refresh token presented twice revokes every refresh token of its sign-in (RFC 6749 4.1.2, RFC 9700 4.14).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privategpt.auth.local_issuer import LocalIssuer
from privategpt.auth.oidc.checks import AuthorizeRequest, OAuthError, s256
from privategpt.settings import Settings

_SECRET_BYTES = 32


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    subject: str
    scope: str
    expires_at: float
    family: str
    redeemed: bool = False


@dataclass
class _Refresh:
    client_id: str
    subject: str
    scope: str
    expires_at: float
    family: str
    rotated: bool = False


@dataclass
class _Grants:
    codes: dict[str, _Code] = field(default_factory=dict)
    refresh: dict[str, _Refresh] = field(default_factory=dict)


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LocalOidcProvider:
    def __init__(self, settings: Settings, issuer: LocalIssuer, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.issuer = issuer
        self._clock = clock
        self._grants = _Grants()
        self._lock = threading.Lock()

    # --- authorization codes ---

    def issue_code(self, request: AuthorizeRequest, subject: str) -> str:
        code = secrets.token_urlsafe(_SECRET_BYTES)
        entry = _Code(
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            challenge=request.code_challenge,
            nonce=request.nonce,
            subject=subject,
            scope=request.scope,
            expires_at=self._clock() + self.settings.local_oidc_code_ttl_seconds,
            family=uuid.uuid4().hex,
        )
        with self._lock:
            self._add(self._grants.codes, _key(code), entry)
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        with self._lock:
            entry = self._grants.codes.get(_key(code))
            if entry is None or entry.expires_at <= self._clock():
                raise OAuthError("invalid_grant", "the authorization code is unknown or has expired")
            if entry.redeemed:
                self._revoke_family(entry.family)
                raise OAuthError("invalid_grant", "the authorization code was already used")
            if entry.client_id != client_id:
                raise OAuthError("invalid_grant", "the authorization code was issued to another client")
            if entry.redirect_uri != redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
            if not secrets.compare_digest(s256(verifier), entry.challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
            entry.redeemed = True  # kept until it expires, so a second use is recognised
            return self._tokens(entry.subject, client_id, entry.scope, entry.family, nonce=entry.nonce)

    # --- refresh tokens ---

    def refresh(self, token: str, client_id: str) -> dict[str, Any]:
        with self._lock:
            entry = self._grants.refresh.get(_key(token))
            if entry is None or entry.expires_at <= self._clock():
                raise OAuthError("invalid_grant", "the refresh token is unknown or has expired")
            if entry.rotated:
                self._revoke_family(entry.family)
                raise OAuthError("invalid_grant", "the refresh token was already used; its sign-in is revoked")
            if entry.client_id != client_id:
                raise OAuthError("invalid_grant", "the refresh token was issued to another client")
            entry.rotated = True
            return self._tokens(entry.subject, client_id, entry.scope, entry.family, nonce=None)

    def revoke_subject(self, subject: str, client_id: str) -> None:
        """Sign-out: every refresh token of this user at this client stops working."""
        with self._lock:
            refresh = self._grants.refresh
            for key in [k for k, r in refresh.items() if r.subject == subject and r.client_id == client_id]:
                del refresh[key]

    # --- tokens ---

    def _tokens(self, subject: str, client_id: str, scope: str, family: str, *, nonce: str | None) -> dict[str, Any]:
        ttl = self.settings.local_token_ttl_seconds
        refresh_token = secrets.token_urlsafe(_SECRET_BYTES)
        self._add(
            self._grants.refresh,
            _key(refresh_token),
            _Refresh(
                client_id=client_id,
                subject=subject,
                scope=scope,
                expires_at=self._clock() + self.settings.local_oidc_refresh_ttl_seconds,
                family=family,
            ),
        )
        return {
            "access_token": self.issuer.mint(subject, name=subject, ttl_seconds=ttl),
            "id_token": self._id_token(subject, client_id, nonce, ttl),
            "refresh_token": refresh_token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": scope,
        }

    def _id_token(self, subject: str, client_id: str, nonce: str | None, ttl: int) -> str:
        now = int(self._clock())
        claims: dict[str, Any] = {
            "iss": self.issuer.issuer,
            "sub": subject,
            "aud": client_id,
            "iat": now,
            "exp": now + ttl,
            "typ": "ID",  # as Keycloak marks its ID tokens
            "name": subject,
            "preferred_username": subject,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return self.issuer.sign(claims)

    # --- bookkeeping ---

    def _add(self, table: dict[str, Any], key: str, entry: _Code | _Refresh) -> None:
        """Add after dropping what has expired; past the cap, the oldest entries go first."""
        now = self._clock()
        for stale in [k for k, e in table.items() if e.expires_at <= now]:
            del table[stale]
        while len(table) >= self.settings.local_oidc_max_grants:
            del table[next(iter(table))]
        table[key] = entry

    def _revoke_family(self, family: str) -> None:
        refresh = self._grants.refresh
        for key in [k for k, r in refresh.items() if r.family == family]:
            del refresh[key]
