"""``GET /api/tools``: the tools each MCP server offers (discovered with tools/list, cached for
``PGPT_TOOLS_LIST_TTL_SECONDS``) and the defaults a conversation starts with."""

from __future__ import annotations

from fastapi import APIRouter

from privategpt.auth.deps import CurrentPrincipal
from privategpt.deps import SettingsDep
from privategpt.errors import AUTHED, error_responses
from privategpt.tools.deps import ToolsDep
from privategpt.tools.schemas import ToolList, ToolOut, ToolServerOut

router = APIRouter(prefix="/api", tags=["tools"])


@router.get("/tools", response_model=ToolList, responses=error_responses(*AUTHED))
async def list_tools(principal: CurrentPrincipal, settings: SettingsDep, tools: ToolsDep) -> ToolList:
    if tools is None:
        return ToolList(enabled=False, defaults=[], servers=[])
    servers = [
        ToolServerOut(
            name=server.name,
            title=server.title,
            builtin=server.builtin,
            transport=server.transport,
            error=server.error,
            tools=[
                ToolOut(
                    id=spec.id,
                    name=spec.name,
                    title=spec.title,
                    description=spec.description,
                    input_schema=spec.input_schema,
                )
                for spec in server.tools
            ],
        )
        for server in await tools.servers()
    ]
    return ToolList(enabled=True, defaults=list(settings.tools_default_enabled), servers=servers)
