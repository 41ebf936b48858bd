from __future__ import annotations

import pytest

from privategpt.llm.errors import ContextTooLong
from privategpt.llm.service import LLMService
from privategpt.llm.types import ChatMessage, ChatOptions
from privategpt.settings import Settings
from tests.conftest import providers_document
from tests.llm.conftest import ServiceFactory
from tests.support.fake_llm import FakeProvider

pytestmark = pytest.mark.anyio


async def test_over_the_window_is_413_with_details(llm: LLMService) -> None:
    big = ChatMessage("user", "word " * 9000)  # > 8192-token default window of an unknown model
    with pytest.raises(ContextTooLong) as caught:
        await llm.prepare("openai/deepseek-reasoner", (big,))
    error = caught.value
    assert error.status_code == 413
    details = error.details
    assert details["limit"] == 8192
    assert details["requested"] > 8192 - details["reserved_output"]
    assert any("anthropic/claude" in s or "openai/gpt-4o" in s for s in details["suggestions"])


async def test_reserved_output_counts(llm: LLMService) -> None:
    _, model = await llm.registry.resolve("openai/deepseek-reasoner")
    prompt = (ChatMessage("user", "hi"),)
    prepared = await llm.prepare(model.id, prompt)
    fits = model.context_window - prepared.prompt_tokens
    await llm.prepare(model.id, prompt, options=ChatOptions(max_tokens=fits))
    with pytest.raises(ContextTooLong):
        await llm.prepare(model.id, prompt, options=ChatOptions(max_tokens=fits + 1))


async def test_stored_counts_are_used_instead_of_recounting(llm: LLMService) -> None:
    with pytest.raises(ContextTooLong):
        await llm.prepare("openai/gpt-4o-mini", (ChatMessage("user", "short"),), prompt_tokens=200_000)


async def test_anthropic_token_count_endpoint_when_enabled(
    make_service: ServiceFactory,
    settings: Settings,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    document = providers_document(fake_openai, fake_anthropic, fake_ollama)
    document["providers"][1]["count_tokens_api"] = True
    service = make_service(document)
    prepared = await service.prepare("anthropic/claude-haiku-4-9", (ChatMessage("user", "one two three"),))
    assert prepared.prompt_tokens == 3 + 10  # the fake's count: words + 10
