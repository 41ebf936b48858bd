"""The local issuer's endpoints: its public keys at the conventional address, and the OIDC provider in front of it.
Mounted only for ``auth_provider=local``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from privategpt.auth.local_issuer import LocalIssuer
from privategpt.settings import Settings


def local_issuer_router(issuer: LocalIssuer) -> APIRouter:
    router = APIRouter(tags=["auth"])

    @router.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    return router


def install_local_auth(app: FastAPI, settings: Settings) -> None:
    """The JWKS and the OIDC provider (``app.state.oidc``); the caller checks that the provider is local."""
    from privategpt.auth.oidc.provider import LocalOidcProvider
    from privategpt.auth.oidc.router import oidc_router

    assert settings.auth_provider == "local"
    issuer = LocalIssuer(settings)
    app.include_router(local_issuer_router(issuer))
    app.state.oidc = LocalOidcProvider(settings, issuer)
    app.include_router(oidc_router(app.state.oidc))
