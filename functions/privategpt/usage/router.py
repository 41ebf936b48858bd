from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.usage import service
from privategpt.usage.schemas import UsageReport

router = APIRouter(prefix="/api/usage", tags=["usage"])


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD`` (pydantic alone would also take ``0`` as 1970-01-01)."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
Day = Annotated[date, BeforeValidator(_iso_day)]


@router.get("", response_model=UsageReport, response_model_by_alias=True, responses=error_responses(*AUTHED, 422))
async def usage(
    principal: CurrentPrincipal,
    settings: SettingsDep,
    from_: Annotated[
        Day | None,
        Query(
            alias="from",
            description="first day (UTC), default: `PGPT_USAGE_DEFAULT_DAYS` back; at most `to`, and the range "
            "may span at most `PGPT_USAGE_MAX_DAYS` days (422 otherwise)",
        ),
    ] = None,
    to: Annotated[Day | None, Query(description="last day (UTC), default: today")] = None,
    user_id: Annotated[str | None, Query(max_length=64, description="another user's id (admins only)")] = None,
) -> UsageReport:
    """Tokens and cost by model and day for the caller (or, for admins, any user), and what remains of the
    user's limits (`limits`)."""
    return await run_in_threadpool(service.report, principal, from_, to, user_id, settings)
