from __future__ import annotations

import asyncio
from typing import Any

import pytest

from privategpt.llm.errors import ModelNotFound
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from tests.conftest import providers_document
from tests.llm.conftest import ServiceFactory
from tests.support.fake_llm import FakeProvider, Fault

pytestmark = pytest.mark.anyio


async def test_discovery_lists_every_provider_with_qualified_ids(llm: LLMService) -> None:
    ids = {m.id for m in await llm.registry.models()}
    assert {"openai/gpt-4o-mini", "anthropic/claude-sonnet-4-9", "ollama/llama3.2", "ollama/qwen3-think:8b"} <= ids


async def test_model_facts_come_from_override_provider_catalog_or_default(llm: LLMService, settings: Settings) -> None:
    models = {m.id: m for m in await llm.registry.models()}
    priced = models["openai/gpt-4o-mini"]
    assert (priced.input_price_per_mtok, priced.output_price_per_mtok) == (0.15, 0.6)
    assert priced.context_window == 128_000 and priced.capabilities.tools  # catalog
    # from /api/show (131072), capped: Ollama is sent num_ctx, and its KV cache grows with it
    assert models["ollama/llama3.2"].context_window == settings.llm_ollama_max_context_window
    assert models["ollama/qwen3-think:8b"].capabilities.thinking  # /api/show capabilities
    assert models["anthropic/claude-sonnet-4-9"].context_window == 200_000
    assert models["openai/deepseek-reasoner"].context_window == settings.llm_default_context_window  # unknown


async def test_bare_names_route_by_priority_and_conflicts_are_reported(llm: LLMService) -> None:
    state, model = await llm.registry.resolve("llama3.2")
    assert (state.name, model.id) == ("openai", "openai/llama3.2")  # openai is listed first
    assert llm.registry.conflicts() == {"llama3.2": ["openai", "ollama"]}
    state, model = await llm.registry.resolve("ollama/llama3.2")
    assert model.id == "ollama/llama3.2"
    _, claude = await llm.registry.resolve("claude-haiku-4-9")
    assert claude.provider == "anthropic"


async def test_unknown_model_is_404_with_close_matches(llm: LLMService) -> None:
    with pytest.raises(ModelNotFound) as caught:
        await llm.registry.resolve("gpt-4o-mni")
    assert caught.value.status_code == 404
    assert "gpt-4o-mini" in caught.value.details["suggestions"]
    with pytest.raises(ModelNotFound):
        await llm.registry.resolve("anthropic/llama3.2")  # qualified: only that provider's models


async def test_no_model_and_no_default_is_404(
    make_service: ServiceFactory, llm: LLMService, settings: Settings
) -> None:
    with pytest.raises(ModelNotFound, match="no default model"):
        await llm.registry.resolve(None)
    configured = make_service(llm_default_model="anthropic/claude-haiku-4-9")
    _, model = await configured.registry.resolve(None)
    assert model.id == "anthropic/claude-haiku-4-9"


async def test_allow_deny_lists(
    make_service: ServiceFactory,
    settings: Settings,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    document["providers"][0]["allow"] = ["gpt-*"]
    document["providers"][0]["deny"] = ["*-mini"]
    service = make_service(document)
    openai_models = {m.name for m in await service.registry.models() if m.provider == "openai"}
    assert openai_models == {"gpt-4o"}


async def test_failed_discovery_marks_health_and_keeps_configured_models(
    make_service: ServiceFactory,
    settings: Settings,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    fake_openai.fail(Fault("status", 500))
    service = make_service(document)
    await service.registry.refresh()
    by_name = {s.name: s for s in service.registry.states}
    assert by_name["openai"].health() == "down"  # discovery failed and no call has succeeded since
    assert by_name["openai"].last_error == "provider_unavailable"
    assert [m.name for m in by_name["openai"].models] == ["gpt-4o-mini"]  # named in the providers file
    assert by_name["anthropic"].health() == "ok"
    await service.registry.refresh()
    assert by_name["openai"].health() == "ok"


async def test_unreachable_provider_is_down(
    make_service: ServiceFactory,
    settings: Settings,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    from privategpt.dev.dynamodb_local import free_port

    document: dict[str, Any] = providers_document(fake_openai, fake_anthropic, fake_ollama)
    document["providers"][2]["base_url"] = f"http://127.0.0.1:{free_port()}"
    service = make_service(document)
    await service.registry.refresh()
    ollama = next(s for s in service.registry.states if s.name == "ollama")
    assert ollama.health() == "down" and ollama.models == []
    assert ollama.last_error == "provider_unreachable"


async def test_stale_list_is_served_while_refreshing_in_background(
    make_service: ServiceFactory, settings: Settings, fake_openai: FakeProvider
) -> None:
    service = make_service(llm_discovery_ttl_seconds=0)
    first = await service.registry.models()
    fake_openai.models.append("gpt-new")
    try:
        second = await service.registry.models()  # stale: answered at once from the cache
        assert {m.id for m in second} == {m.id for m in first}
        for _ in range(50):
            await asyncio.sleep(0.02)
            if "openai/gpt-new" in {m.id for m in await service.registry.models()}:
                break
        assert "openai/gpt-new" in {m.id for m in await service.registry.models()}
    finally:
        fake_openai.models.remove("gpt-new")


async def test_an_unexpected_failure_in_one_provider_does_not_break_the_others(
    make_service: ServiceFactory, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    ollama = next(s for s in service.registry.states if s.name == "ollama")

    async def broken() -> list[str]:
        raise KeyError("models")  # e.g. a response of an unexpected shape

    monkeypatch.setattr(service.registry.provider(ollama), "list_models", broken)
    models = await service.registry.models()
    assert {m.provider for m in models} == {"openai", "anthropic"}
    assert ollama.health() == "down" and ollama.last_error == "discovery_failed"
