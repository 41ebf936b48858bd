"""``AdmittedPrincipal``: the caller, let through its limits. Routes that call a model take it instead of
``CurrentPrincipal``; over a limit it raises 429 (``limits.errors``) before the route runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from privategpt.auth.deps import CurrentPrincipal
from privategpt.auth.principal import Principal
from privategpt.deps import SettingsDep
from privategpt.limits import service


async def admitted_principal(principal: CurrentPrincipal, settings: SettingsDep) -> Principal:
    await run_in_threadpool(service.admit, principal.user_id, settings)
    return principal


AdmittedPrincipal = Annotated[Principal, Depends(admitted_principal)]
