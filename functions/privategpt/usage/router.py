from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.usage import service
from privategpt.usage.schemas import UsageReport

router = APIRouter(prefix="/api/usage", tags=["usage"])


@router.get("", response_model=UsageReport, response_model_by_alias=True)
async def usage(
    principal: CurrentPrincipal,
    settings: SettingsDep,
    from_: Annotated[date | None, Query(alias="from", description="first day (UTC), default: 30 days back")] = None,
    to: Annotated[date | None, Query(description="last day (UTC), default: today")] = None,
    user_id: Annotated[str | None, Query(max_length=64, description="another user's id (admins only)")] = None,
) -> UsageReport:
    """Tokens and cost by model and day for the caller (or, for admins, any user)."""
    return await run_in_threadpool(service.report, principal, from_, to, user_id, settings)
