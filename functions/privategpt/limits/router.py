from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import AdminPrincipal, CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.limits import service
from privategpt.limits.schemas import LimitsOverrideIn, LimitsStatus, UserLimits

router = APIRouter(tags=["limits"])

UserId = Annotated[str, Path(max_length=64, description="the user's id (`id` in `GET /api/me`)")]


@router.get("/api/limits", response_model=LimitsStatus, responses=error_responses(*AUTHED))
async def my_limits(principal: CurrentPrincipal, settings: SettingsDep) -> LimitsStatus:
    """The caller's limits and what remains of each (requests this minute, tokens today, budget this month)."""
    return await run_in_threadpool(service.status, principal.user_id, settings)


@router.get(
    "/api/admin/users/{user_id}/limits", response_model=UserLimits, responses=error_responses(*AUTHED, 404, 422)
)
async def get_user_limits(user_id: UserId, admin: AdminPrincipal, settings: SettingsDep) -> UserLimits:
    """The limits an admin set for a user, with the effective values (admins only); 404 when none are set (the
    defaults apply)."""
    return await run_in_threadpool(service.get_user_limits, user_id, settings)


@router.put(
    "/api/admin/users/{user_id}/limits",
    response_model=UserLimits,
    responses=error_responses(400, *AUTHED, 404, 413, 422),
)
async def set_user_limits(
    user_id: UserId, body: LimitsOverrideIn, admin: AdminPrincipal, settings: SettingsDep
) -> UserLimits:
    """Set a user's limits (admins only): a field left out takes the default, null means no limit. Applied at
    once by this process and within `PGPT_LIMIT_OVERRIDE_CACHE_SECONDS` everywhere."""
    return await run_in_threadpool(service.set_user_limits, user_id, body, admin.user_id, settings)


@router.delete(
    "/api/admin/users/{user_id}/limits",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(*AUTHED, 404, 422),
)
async def clear_user_limits(user_id: UserId, admin: AdminPrincipal) -> Response:
    """Back to the defaults from settings (admins only)."""
    await run_in_threadpool(service.clear_user_limits, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
