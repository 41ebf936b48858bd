"""Signing keys: fetched from an issuer's JWKS (cached) or held in process (the local issuer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from jwt import PyJWK
from jwt.exceptions import PyJWKError

from privategpt.errors import ServiceUnavailable
from privategpt.loops import LoopLocal
from privategpt.observability import logger

if TYPE_CHECKING:
    import httpx


class KeySource(Protocol):
    async def get(self, kid: str) -> PyJWK | None: ...


def parse_jwks(document: Mapping[str, Any]) -> dict[str, PyJWK]:
    """Usable signing keys by kid; keys without a kid, for encryption, or of unknown type are skipped."""
    keys: dict[str, PyJWK] = {}
    for jwk in document.get("keys", []):
        kid = jwk.get("kid")
        if not isinstance(kid, str) or jwk.get("use", "sig") != "sig":
            continue
        try:
            keys[kid] = PyJWK(jwk)
        except PyJWKError:
            logger.warning("skipping unusable JWK", extra={"kid": kid})
    return keys


class StaticKeys:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = parse_jwks(document)

    async def get(self, kid: str) -> PyJWK | None:
        return self._keys.get(kid)


class RemoteJwks:
    """An issuer's JWKS over HTTPS.

    Keys are cached for ``cache_seconds``. An unknown kid triggers a refetch (key rotation), but at most
    once per ``min_refresh_seconds``, so a flood of made-up kids cannot turn into a flood of fetches.
    With no ``jwks_url`` the address comes from the issuer's OpenID discovery document.
    """

    def __init__(
        self,
        issuer: str,
        jwks_url: str | None,
        *,
        cache_seconds: float,
        min_refresh_seconds: float,
        timeout_seconds: float,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._jwks_url = jwks_url
        self._cache_seconds = cache_seconds
        self._min_refresh_seconds = min_refresh_seconds
        self._timeout = timeout_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = LoopLocal(asyncio.Lock)

    async def get(self, kid: str) -> PyJWK | None:
        now = time.monotonic()
        fresh = self._fetched_at is not None and now - self._fetched_at < self._cache_seconds
        if fresh and kid in self._keys:
            return self._keys[kid]
        async with self._lock.get():
            now = time.monotonic()
            fresh = self._fetched_at is not None and now - self._fetched_at < self._cache_seconds
            may_refetch = self._attempted_at is None or now - self._attempted_at >= self._min_refresh_seconds
            if (not fresh or kid not in self._keys) and may_refetch:
                await self._refresh(now)
        return self._keys.get(kid)

    async def _refresh(self, now: float) -> None:
        import httpx  # first fetch only: keeps it off the cold-start import path

        self._attempted_at = now
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                url = self._jwks_url or await self._discover(client)
                response = await client.get(url)
                response.raise_for_status()
                keys = parse_jwks(response.json())
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("JWKS fetch failed", extra={"issuer": self._issuer, "error": str(exc)})
            if not self._keys:
                raise ServiceUnavailable("the identity provider's keys cannot be fetched") from exc
            return
        self._keys, self._fetched_at = keys, now

    async def _discover(self, client: httpx.AsyncClient) -> str:
        response = await client.get(f"{self._issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        url = response.json()["jwks_uri"]
        if not isinstance(url, str):
            raise ValueError("jwks_uri missing from discovery document")
        self._jwks_url = url
        return url
