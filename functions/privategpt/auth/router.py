"""The local issuer's public keys, at the conventional address. Mounted only for ``auth_provider=local``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from privategpt.auth.local_issuer import LocalIssuer


def local_issuer_router(issuer: LocalIssuer) -> APIRouter:
    router = APIRouter(tags=["auth"])

    @router.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks()

    return router
