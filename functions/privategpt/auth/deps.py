"""FastAPI dependencies that turn the Authorization header into a ``Principal``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.auth.verifier import TokenVerifier
from privategpt.deps import SettingsDep
from privategpt.errors import Forbidden, Unauthorized
from privategpt.keys import service as keys
from privategpt.settings import Settings
from privategpt.users import service as users

_bearer = HTTPBearer(auto_error=False, description="A JWT from the configured issuer")


async def current_principal(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("missing bearer token")
    token = credentials.credentials
    if keys.is_api_key(token):
        principal = await run_in_threadpool(keys.authenticate, token, settings)
    else:
        verifier: TokenVerifier = request.app.state.verifier
        principal = await verifier.verify(token)
    if settings.auth_required_role and not principal.has_role(settings.auth_required_role):
        raise Forbidden(f"the {settings.auth_required_role!r} role is required")
    await run_in_threadpool(users.ensure, principal, settings)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def admin_principal(principal: CurrentPrincipal, settings: SettingsDep) -> Principal:
    if not principal.has_role(settings.auth_admin_role):
        raise Forbidden(f"the {settings.auth_admin_role!r} role is required")
    return principal


AdminPrincipal = Annotated[Principal, Depends(admin_principal)]


def sees_dashboard(principal: Principal, settings: Settings) -> bool:
    """Admins see the dashboard; under the local provider (development) everyone does."""
    return principal.has_role(settings.auth_admin_role) or settings.auth_provider == "local"


async def dashboard_principal(principal: CurrentPrincipal, settings: SettingsDep) -> Principal:
    if not sees_dashboard(principal, settings):
        raise Forbidden(f"the dashboard needs the {settings.auth_admin_role!r} role")
    return principal


DashboardPrincipal = Annotated[Principal, Depends(dashboard_principal)]
