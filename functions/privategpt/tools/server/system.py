"""``system_info``: the platform's version, the models the user can chat with, and each provider's health.

Nothing secret and nothing about the network: no keys, no base URLs or hostnames, no provider error text
(it may quote a URL)."""

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from privategpt import __version__
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.tools.identity import current_principal
from privategpt.tools.server.errors import guarded


class ProviderStatus(BaseModel):
    name: str
    type: str = Field(description="openai, anthropic, ollama or demo")
    health: str = Field(description="ok, degraded, down or unknown")
    models: int = Field(description="models found at the provider")


class SystemInfo(BaseModel):
    service: str
    version: str
    user_id: str = Field(description="the id of the user the tools act for")
    models: list[str] = Field(description="model ids (provider/name) available to this user")
    default_model: str | None
    providers: list[ProviderStatus]
    tools_server: str = Field(description="this server's name in tool ids")


def register(server: MCPServer, settings: Settings, llm: LLMService | None) -> None:
    @server.tool(
        name="system_info",
        title="System status",
        description=(
            "The platform's status: its version, the chat models available to the user and the health of each "
            "model provider. Use it when the user asks about the system, its status or which models exist."
        ),
        annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False),
    )
    @guarded
    async def system_info() -> SystemInfo:
        principal = current_principal()
        models: list[str] = []
        providers: list[ProviderStatus] = []
        default_model: str | None = None
        if llm is not None:
            registry = llm.registry
            models = [model.id for model in await registry.models()]
            default_model = registry.default_model
            providers = [
                ProviderStatus(name=state.name, type=state.config.type, health=state.health(), models=len(state.models))
                for state in registry.states
            ]
        return SystemInfo(
            service=settings.service_name,
            version=__version__,
            user_id=principal.user_id,
            models=models,
            default_model=default_model,
            providers=providers,
            tools_server=settings.tools_builtin_server,
        )
