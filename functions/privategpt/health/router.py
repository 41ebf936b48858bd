from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from privategpt import __version__
from privategpt.deps import SettingsDep
from privategpt.errors import error_responses
from privategpt.observability import logger
from privategpt.storage import db, outage

router = APIRouter(prefix="/api/health", tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("", response_model=Health)
async def health() -> Health:
    """Liveness: the process answers. No authentication."""
    return Health(status="ok", version=__version__)


@router.get("/ready", response_model=Health, responses=error_responses(503))
async def ready(settings: SettingsDep) -> Health:
    """Readiness: the table answers too. No authentication."""
    try:
        await run_in_threadpool(db.ping)
    except Exception as exc:
        unavailable = outage.find(exc)
        logger.warning(
            "readiness check failed",
            extra={"error": type(exc).__name__, "reason": unavailable.reason if unavailable else None},
        )
        raise outage.service_unavailable(settings.dynamodb_retry_after_seconds) from exc
    return Health(status="ok", version=__version__)
