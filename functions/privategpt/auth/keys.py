"""Which key source verifies tokens, chosen by settings."""

from __future__ import annotations

from privategpt.auth.jwks import KeySource, RemoteJwks, StaticKeys
from privategpt.settings import Settings


def key_source(settings: Settings) -> KeySource:
    if settings.auth_provider == "local":
        from privategpt.auth.local_issuer import LocalIssuer  # development only: off the Lambda path

        return StaticKeys(LocalIssuer(settings).jwks())
    assert settings.auth_issuer is not None
    return RemoteJwks(
        settings.auth_issuer,
        settings.auth_jwks_url,
        cache_seconds=settings.auth_jwks_cache_seconds,
        min_refresh_seconds=settings.auth_jwks_min_refresh_seconds,
        timeout_seconds=settings.auth_http_timeout_seconds,
    )
