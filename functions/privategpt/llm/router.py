from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from privategpt.auth.deps import AdminPrincipal, CurrentPrincipal
from privategpt.errors import AUTHED, error_responses
from privategpt.llm.registry import ModelRegistry
from privategpt.llm.schemas import ModelList, ModelOut, ProviderHealthOut, ProviderList
from privategpt.llm.service import LLMService, model_view

router = APIRouter(prefix="/api", tags=["models"])


def _service(request: Request) -> LLMService:
    service: LLMService = request.app.state.llm
    return service


LLMDep = Annotated[LLMService, Depends(_service)]


_HEALTHY = ("ok", "degraded")


def default_model(registry: ModelRegistry) -> str | None:
    """The configured default (settings or providers file), else the first model of the first provider that is
    not down (registry order), else None."""
    if registry.default_model:
        return registry.default_model
    for state in registry.states:
        if state.health() in _HEALTHY and state.models:
            return state.models[0].id
    return None


def _providers(registry: ModelRegistry) -> ProviderList:
    return ProviderList(
        items=[
            ProviderHealthOut(
                name=state.name,
                type=state.config.type,
                base_url=state.config.base_url,
                status=state.health(),
                model_count=len(state.models),
                last_error=state.last_error,
                last_latency_ms=state.last_latency_ms,
                checked_at=state.checked_at,
            )
            for state in registry.states
        ]
    )


@router.get("/models", response_model=ModelList, responses=error_responses(*AUTHED))
async def list_models(request: Request, principal: CurrentPrincipal) -> ModelList:
    """Every model of every enabled provider; ``conflicts`` lists bare names several providers offer
    (a bare name goes to the first provider listed). ``default_model``: the configured default, else the first
    model of the first provider that answers, else null."""
    registry = _service(request).registry
    models = await registry.models()
    return ModelList(
        items=[ModelOut.model_validate(model_view(m)) for m in models],
        default_model=default_model(registry),
        conflicts=registry.conflicts(),
    )


@router.get("/providers", response_model=ProviderList, responses=error_responses(*AUTHED))
async def list_providers(request: Request, principal: CurrentPrincipal) -> ProviderList:
    """Provider health: ok / degraded / down from discovery and recent calls."""
    return _providers(_service(request).registry)


@router.post("/providers/refresh", response_model=ProviderList, responses=error_responses(*AUTHED))
async def refresh_providers(request: Request, principal: AdminPrincipal) -> ProviderList:
    """Rediscover every provider's models now (admins only)."""
    registry = _service(request).registry
    await registry.refresh()
    return _providers(registry)
