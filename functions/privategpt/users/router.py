from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal, sees_dashboard
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.users import service
from privategpt.users.schemas import UserOut

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/me", response_model=UserOut, responses=error_responses(*AUTHED))
async def me(principal: CurrentPrincipal, settings: SettingsDep) -> UserOut:
    """The caller: the token's identity and roles, the stored user record, and what the web app may show
    (``is_admin``; ``dashboard``: admins, and everyone under the local provider)."""
    user = await run_in_threadpool(service.get, principal)
    return UserOut(
        id=principal.user_id,
        issuer=user.issuer,
        subject=user.subject,
        email=user.email,
        name=user.name,
        roles=sorted(principal.roles),
        is_admin=principal.has_role(settings.auth_admin_role),
        dashboard=sees_dashboard(principal, settings),
        created_at=user.created_at,
        last_seen_at=user.last_seen_at,
    )
