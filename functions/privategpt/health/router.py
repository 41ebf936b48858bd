from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from privategpt import __version__
from privategpt.errors import ServiceUnavailable
from privategpt.observability import logger
from privategpt.storage import db

router = APIRouter(prefix="/api/health", tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("", response_model=Health)
async def health() -> Health:
    """Liveness: the process answers. No authentication."""
    return Health(status="ok", version=__version__)


@router.get("/ready", response_model=Health)
async def ready() -> Health:
    """Readiness: the table answers too. No authentication."""
    try:
        await run_in_threadpool(db.ping)
    except Exception as exc:
        logger.warning("readiness check failed", extra={"error": type(exc).__name__})
        raise ServiceUnavailable("the database is not reachable") from exc
    return Health(status="ok", version=__version__)
