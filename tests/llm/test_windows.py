"""Real context windows: read where each server states them, learned from a provider's refusal, and sent to
Ollama as num_ctx. Fake servers enforce their window in their own words (tests/support/fake_llm.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from privategpt.llm.errors import ContextTooLong, context_refusal
from privategpt.llm.service import LLMService
from privategpt.llm.types import ChatMessage, ChatOptions, TextDelta
from privategpt.settings import Settings
from tests.llm.conftest import ServiceFactory
from tests.support.fake_llm import Dialect, FakeProvider, anthropic_app, ollama_app, openai_app, running

pytestmark = pytest.mark.anyio

MODEL = "smol-135m"
SLOW_MACHINE = {"llm_discovery_timeout_seconds": 30.0}  # the first SDK import may be slow on a busy machine


@contextmanager
def compatible(dialect: Dialect, window: int, **fields: Any) -> Iterator[FakeProvider]:
    with running(FakeProvider("openai", [MODEL], window=window, dialect=dialect, **fields), openai_app, "/v1") as fake:
        yield fake


def document(fake: FakeProvider, kind: str = "openai", **extra: Any) -> dict[str, Any]:
    key = {"openai": "FAKE_OPENAI_KEY", "anthropic": "FAKE_ANTHROPIC_KEY"}.get(kind)
    entry: dict[str, Any] = {"name": "local", "type": kind, "base_url": fake.url, **extra}
    if key:
        entry["api_key_env"] = key
    return {"providers": [entry]}


def words(n: int) -> tuple[ChatMessage, ...]:
    return (ChatMessage("user", "word " * n),)


async def reply(service: LLMService, model: str, messages: tuple[ChatMessage, ...]) -> str:
    prepared = await service.prepare(model, messages)
    response = await service.complete(prepared)
    return response.content


# --- the refusal, in each server's words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "window", "prompt"),
    [
        (  # OpenAI
            400,
            {
                "message": "This model's maximum context length is 8192 tokens. However, your messages resulted in "
                "9000 tokens. Please reduce the length of the messages.",
                "code": "context_length_exceeded",
            },
            8192,
            9000,
        ),
        (  # vLLM (current wording)
            400,
            {
                "message": "This model's maximum context length is 2048 tokens. However, you requested 2000 output "
                "tokens and your prompt contains at least 100 input tokens, for a total of at least 2100 tokens."
            },
            2048,
            100,
        ),
        (  # vLLM (older wording)
            400,
            "This model's maximum context length is 2,048 tokens. However, you requested 2100 tokens "
            "(1000 in the messages, 1100 in the completion).",
            2048,
            1000,
        ),
        (  # llama.cpp's server
            400,
            {
                "code": 400,
                "message": "request (4476 tokens) exceeds the available context size (4096 tokens), try increasing it",
                "type": "exceed_context_size_error",
                "n_prompt_tokens": 4476,
                "n_ctx": 4096,
            },
            4096,
            4476,
        ),
        (  # LM Studio
            400,
            "Trying to keep the first 5000 tokens when context the overflows. However, the model is loaded with "
            "context length of only 4096 tokens, which is not enough.",
            4096,
            None,
        ),
        (  # Anthropic
            400,
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "prompt is too long: 213462 tokens > 200000 maximum",
                },
            },
            200000,
            213462,
        ),
        (  # Anthropic, prompt + max_tokens
            400,
            {"message": "input length and `max_tokens` exceed context limit: 198000 + 4096 > 200000, decrease it"},
            200000,
            198000,
        ),
        (400, {"error": "input length exceeds limit (5000 > 4096)"}, 4096, 5000),  # Ollama
        (400, {"message": "fake failure", "code": "context_length_exceeded"}, None, None),  # no window stated
    ],
)
def test_refusals_are_read_in_each_servers_words(
    status: int, body: Any, window: int | None, prompt: int | None
) -> None:
    refused = context_refusal("p", status, body)
    assert isinstance(refused, ContextTooLong)
    assert (refused.window, refused.prompt_tokens) == (window, prompt)


@pytest.mark.parametrize(
    ("status", "body"),
    [(400, {"message": "temperature must be between 0 and 2"}), (401, "context length exceeded"), (500, "boom")],
)
def test_other_errors_are_not_refusals(status: int, body: Any) -> None:
    assert context_refusal("p", status, body) is None


# --- discovery reads the window where the server states it ----------------------------------------------


@pytest.mark.parametrize("dialect", ["vllm", "llamacpp", "lmstudio", "openrouter"])
async def test_discovery_reads_the_stated_window(make_service: ServiceFactory, dialect: Dialect) -> None:
    with compatible(dialect, 3000) as fake:
        service = make_service(document(fake), **SLOW_MACHINE)
        _, model = await service.registry.resolve(f"local/{MODEL}")
        # llama.cpp: /props's loaded window, not the larger n_ctx_train of /v1/models
        assert model.context_window == 3000
        assert model.max_output_tokens <= 3000


async def test_llamacpp_trained_length_is_the_fallback_when_props_is_silent(make_service: ServiceFactory) -> None:
    with compatible("llamacpp", 3000, serve_props=False) as fake:
        service = make_service(document(fake), **SLOW_MACHINE)
        _, model = await service.registry.resolve(f"local/{MODEL}")
    assert model.context_window == 3000 * 4  # /v1/models' meta.n_ctx_train


async def test_a_server_that_states_nothing_gets_the_cautious_default(
    make_service: ServiceFactory, settings: Settings
) -> None:
    with compatible("openai", 3000, report_window=False) as fake:
        service = make_service(document(fake), **SLOW_MACHINE)
        _, model = await service.registry.resolve(f"local/{MODEL}")
    assert model.context_window == settings.llm_default_context_window == 4096


async def test_the_providers_file_wins_over_the_server(make_service: ServiceFactory) -> None:
    with compatible("vllm", 3000) as fake:
        service = make_service(document(fake, models={MODEL: {"context_window": 2000}}), **SLOW_MACHINE)
        _, model = await service.registry.resolve(f"local/{MODEL}")
    assert model.context_window == 2000


# --- a refusal is a 413 with the stated window, and the window is remembered ------------------------------


@pytest.mark.parametrize("dialect", ["openai", "vllm", "llamacpp", "lmstudio"])
async def test_a_refusal_teaches_the_window_and_the_next_turn_fits(
    make_service: ServiceFactory, dialect: Dialect
) -> None:
    with compatible(dialect, 1000, report_window=False) as fake:
        service = make_service(document(fake), **SLOW_MACHINE)
        model_id = f"local/{MODEL}"
        _, before = await service.registry.resolve(model_id)
        assert before.context_window == 4096  # nobody said otherwise
        with pytest.raises(ContextTooLong) as caught:
            await reply(service, model_id, words(1500))
        error = caught.value
        assert error.status_code == 413 and error.code == "context_too_long"
        assert error.details["limit"] == 1000  # the window the server stated
        assert set(error.details) == {"limit", "requested", "reserved_output", "models", "suggestions"}
        _, learned = await service.registry.resolve(model_id)
        assert learned.context_window <= 1000
        # Rediscovery does not forget it.
        await service.registry.refresh()
        _, after = await service.registry.resolve(model_id)
        assert after.context_window == learned.context_window
        # What fits the learned window goes through, its answer's budget what the window leaves.
        prepared = await service.prepare(model_id, words(300))
        assert prepared.request.max_tokens == learned.context_window - prepared.prompt_tokens
        assert (await service.complete(prepared)).content.startswith("Hello from openai!")
        # Too long for the learned window: refused before anything is sent.
        sent = len(fake.requests)
        with pytest.raises(ContextTooLong):
            await service.prepare(model_id, words(1500))
        assert len(fake.requests) == sent


async def test_a_server_counting_more_than_we_do_scales_the_learned_window(make_service: ServiceFactory) -> None:
    # This server's tokenizer makes 3 tokens of every word; ours about 1.2. Learning its n_ctx as is would
    # leave us sending prompts it still refuses.
    with compatible("llamacpp", 1200, report_window=False, tokens_per_word=3.0) as fake:
        service = make_service(document(fake), **SLOW_MACHINE)
        model_id = f"local/{MODEL}"
        with pytest.raises(ContextTooLong) as caught:
            await reply(service, model_id, words(600))
        assert caught.value.details["limit"] == 1200
        _, learned = await service.registry.resolve(model_id)
        assert learned.context_window < 1200 * 0.6  # in our counting
        # The largest prompt we now accept, the server accepts too.
        biggest = 0
        for n in range(50, 600, 25):
            try:
                await service.prepare(model_id, words(n))
            except ContextTooLong:
                break
            biggest = n
        assert biggest > 0
        assert (await reply(service, model_id, words(biggest))).startswith("Hello")
        assert fake.refusals == 1


async def test_anthropic_refusal_is_learned(make_service: ServiceFactory) -> None:
    state = FakeProvider("anthropic", ["claude-mini-1"], window=2000)
    with running(state, anthropic_app) as fake:
        service = make_service(document(fake, "anthropic", models={"claude-mini-1": {"context_window": 8000}}))
        with pytest.raises(ContextTooLong) as caught:
            await reply(service, "local/claude-mini-1", words(1000))  # 1000 + max_tokens > 2000
        assert caught.value.details["limit"] == 2000
        _, model = await service.registry.resolve("local/claude-mini-1")
        assert model.context_window == 2000
        assert (await reply(service, "local/claude-mini-1", words(1000))).startswith("Hello from anthropic!")
        assert fake.requests[-1]["max_tokens"] <= 2000 - 1000


# --- Ollama: num_ctx is the window we count with ----------------------------------------------------------


@contextmanager
def ollama(context_length: int, window: int | None = None) -> Iterator[FakeProvider]:
    state = FakeProvider("ollama", ["tiny:1b"], window=window)
    with running(state, lambda s: ollama_app(s, context_length)) as fake:
        yield fake


async def test_ollama_gets_num_ctx_equal_to_our_window(make_service: ServiceFactory) -> None:
    with ollama(4096) as fake:
        service = make_service(document(fake, "ollama"), **SLOW_MACHINE)
        _, model = await service.registry.resolve("local/tiny:1b")
        assert model.context_window == 4096
        prepared = await service.prepare("local/tiny:1b", words(2500))
        events = [e async for e in service.stream(prepared)]
        assert any(isinstance(e, TextDelta) for e in events)
        options = fake.requests[-1]["options"]
        assert options["num_ctx"] == 4096
        assert options["num_predict"] == 4096 - prepared.prompt_tokens


async def test_ollama_window_is_capped_by_the_setting_unless_the_file_says(make_service: ServiceFactory) -> None:
    with ollama(131072) as fake:
        service = make_service(document(fake, "ollama"), llm_ollama_max_context_window=8192, **SLOW_MACHINE)
        _, model = await service.registry.resolve("local/tiny:1b")
        assert model.context_window == 8192
        await service.complete(await service.prepare("local/tiny:1b", words(5), options=ChatOptions(max_tokens=50)))
        assert fake.requests[-1]["options"]["num_ctx"] == 8192
        overridden = make_service(
            document(fake, "ollama", models={"tiny:1b": {"context_window": 32768}}),
            llm_ollama_max_context_window=8192,
            **SLOW_MACHINE,
        )
        _, model = await overridden.registry.resolve("local/tiny:1b")
        assert model.context_window == 32768


async def test_ollama_refusal_is_learned(make_service: ServiceFactory) -> None:
    with ollama(4096, window=1000) as fake:
        service = make_service(document(fake, "ollama"), **SLOW_MACHINE)
        with pytest.raises(ContextTooLong) as caught:
            await reply(service, "local/tiny:1b", words(1500))
        assert caught.value.details["limit"] == 1000
        _, model = await service.registry.resolve("local/tiny:1b")
        assert model.context_window == 1000
        assert (await reply(service, "local/tiny:1b", words(300))).startswith("Hello from ollama!")
        assert fake.requests[-1]["options"]["num_ctx"] == 1000
