from __future__ import annotations

import pytest

from privategpt.llm.errors import ContextTooLong
from privategpt.llm.service import LLMService
from privategpt.llm.types import Capabilities, ChatMessage, ChatOptions, ModelInfo
from privategpt.settings import Settings
from tests.conftest import providers_document
from tests.llm.conftest import ServiceFactory
from tests.support.fake_llm import FakeProvider

pytestmark = pytest.mark.anyio


async def test_over_the_window_is_413_with_details(llm: LLMService, settings: Settings) -> None:
    big = ChatMessage("user", "word " * 9000)  # > the default window of an unknown model
    with pytest.raises(ContextTooLong) as caught:
        await llm.prepare("openai/deepseek-reasoner", (big,))
    error = caught.value
    assert error.status_code == 413
    details = error.details
    assert details["limit"] == settings.llm_default_context_window
    assert details["reserved_output"] == settings.llm_min_answer_tokens
    assert details["requested"] > details["limit"] - details["reserved_output"]
    assert any("anthropic/claude" in s or "openai/gpt-4o" in s for s in details["suggestions"])
    # the same models as ids, each with room for the prompt and the answer
    assert details["models"] and all(
        f"larger context window: {m}" in " ".join(details["suggestions"]) for m in details["models"]
    )


async def test_the_answer_gets_what_the_window_leaves(llm: LLMService, settings: Settings) -> None:
    _, model = await llm.registry.resolve("openai/deepseek-reasoner")
    prompt = (ChatMessage("user", "hi"),)
    prepared = await llm.prepare(model.id, prompt)
    left = model.context_window - prepared.prompt_tokens
    # Nothing asked: the model's output limit, down to what the window leaves.
    assert prepared.request.max_tokens == min(model.max_output_tokens, left)
    assert prepared.request.context_window == model.context_window
    # Asked for more than is left: capped, not refused.
    capped = await llm.prepare(model.id, prompt, options=ChatOptions(max_tokens=left + 500))
    assert capped.request.max_tokens == left
    smaller = await llm.prepare(model.id, prompt, options=ChatOptions(max_tokens=100))
    assert smaller.request.max_tokens == 100


async def test_a_prompt_that_leaves_less_than_the_minimum_answer_is_413(llm: LLMService, settings: Settings) -> None:
    _, model = await llm.registry.resolve("openai/deepseek-reasoner")
    minimum = settings.llm_min_answer_tokens
    prompt = (ChatMessage("user", "hi"),)
    size = (await llm.prepare(model.id, prompt)).prompt_tokens
    fits = await llm.prepare(model.id, prompt, prompt_tokens=model.context_window - minimum)
    assert fits.request.max_tokens == minimum
    with pytest.raises(ContextTooLong) as caught:
        await llm.prepare(model.id, prompt, prompt_tokens=model.context_window - minimum + 1)
    assert caught.value.details["reserved_output"] == minimum
    # A request that asks for less than the minimum needs only that much room.
    small = await llm.prepare(
        model.id, prompt, options=ChatOptions(max_tokens=10), prompt_tokens=model.context_window - 10
    )
    assert small.request.max_tokens == 10
    assert size < model.context_window


async def test_reserved_output_keeps_room_for_an_answer_in_small_windows(
    make_service: ServiceFactory, settings: Settings
) -> None:
    service = make_service()
    small = ModelInfo("p", "small", context_window=4096, max_output_tokens=4096, capabilities=Capabilities())
    large = ModelInfo("p", "large", context_window=200_000, max_output_tokens=64_000, capabilities=Capabilities())
    tiny = ModelInfo("p", "tiny", context_window=300, max_output_tokens=300, capabilities=Capabilities())
    # Half the window, not all of it (the whole window was reserved before: every message was a 413).
    assert service.reserved_output(small, ChatOptions()) == 2048
    assert service.reserved_output(large, ChatOptions()) == settings.llm_default_max_output_tokens
    assert service.reserved_output(tiny, ChatOptions()) == settings.llm_min_answer_tokens
    # What the request asks for, up to the model's output limit.
    assert service.reserved_output(small, ChatOptions(max_tokens=3000)) == 3000
    assert service.reserved_output(small, ChatOptions(max_tokens=9000)) == 4096


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
