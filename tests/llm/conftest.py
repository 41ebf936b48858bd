from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from privategpt.llm import config
from privategpt.llm.registry import ModelRegistry
from privategpt.llm.service import LLMService
from privategpt.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def service_for(settings: Settings, document: dict[str, Any] | None = None, **overrides: Any) -> LLMService:
    settings = settings.model_copy(update=overrides)
    providers = config.ProvidersFile.model_validate(document) if document else config.load(settings)
    # Each service learns windows on its own: tests must not teach one another's fakes.
    return LLMService(settings, ModelRegistry(settings, providers, learned={}))


@pytest.fixture
async def llm(settings: Settings) -> AsyncIterator[LLMService]:
    service = service_for(settings)
    await service.registry.refresh()  # discovery first, so queued faults meet the chat request
    yield service
    await service.aclose()


ServiceFactory = Callable[..., LLMService]


@pytest.fixture
async def make_service(settings: Settings) -> AsyncIterator[ServiceFactory]:
    """``service_for`` whose services are closed after the test (their clients belong to its loop)."""
    made: list[LLMService] = []

    def factory(document: dict[str, Any] | None = None, **overrides: Any) -> LLMService:
        service = service_for(settings, document, **overrides)
        made.append(service)
        return service

    yield factory
    for service in made:
        await service.aclose()
