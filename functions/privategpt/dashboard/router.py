"""``GET /api/dashboard/health``: the dashboard's view of every dependency."""

from __future__ import annotations

from fastapi import APIRouter, Request

from privategpt.auth.deps import DashboardPrincipal
from privategpt.dashboard.schemas import DashboardHealth
from privategpt.dashboard.service import HealthChecks
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.tools.deps import ToolsDep

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])


@router.get("/health", response_model=DashboardHealth, responses=error_responses(*AUTHED))
async def dashboard_health(
    request: Request, principal: DashboardPrincipal, settings: SettingsDep, tools: ToolsDep
) -> DashboardHealth:
    """Every dependency with its status and latency: DynamoDB, the vector store (when documents are on), each LLM
    provider, each MCP server. Checks run concurrently, each bounded by ``PGPT_DASHBOARD_CHECK_TIMEOUT_SECONDS``;
    a failing one is reported as ``down``. Admins only, except under the local provider (everyone)."""
    return await HealthChecks(settings, request.app.state.llm, tools, principal.user_id).run()
