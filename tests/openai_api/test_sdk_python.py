"""The official ``openai`` Python SDK against a real ``privategpt dev``, with keys made as the settings page makes them.

Every call goes through the SDK as a user's code makes it (``max_retries=0``, so a refusal is seen once); results
are checked for real content from the demo model, errors for the SDK's own classes and OpenAI's error codes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionToolParam

from tests.openai_api.conftest import Account, LocalDev

MODEL = "demo/echo"
EMBEDDING_MODEL = "local/all-MiniLM-L6-v2-int8"
EMBEDDING_DIMENSION = 384
QUESTION = "Why is the sky blue?"
STATUS_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "system_info",
        "description": "The service's status",
        "parameters": {"type": "object", "properties": {}},
    },
}
TOOL_RESULT = '{"service": "sdk-test", "healthy": true}'
SDK_TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def alice(make_account: Callable[[str], Account]) -> Account:
    return make_account("py-alice")


@pytest.fixture(scope="module")
def client(local_dev: LocalDev, alice: Account) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=local_dev.v1, api_key=alice.key, max_retries=0, timeout=SDK_TIMEOUT_SECONDS
    ) as sdk_client:
        yield sdk_client


@pytest.fixture(scope="module")
def answer(client: openai.OpenAI) -> ChatCompletion:
    """One non-streamed completion, the reference the streamed one is compared with."""
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}])


def _sdk(local_dev: LocalDev, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=local_dev.v1, api_key=key, max_retries=0, timeout=SDK_TIMEOUT_SECONDS)


def _extra(model: Any, name: str) -> Any:
    """A field OpenAI's types do not declare (``reasoning_content``): kept by the SDK in ``model_extra``."""
    return (model.model_extra or {}).get(name)


def _assert_usage(usage: Any) -> None:
    assert usage is not None
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_models_lists_the_demo_and_the_embedding_model(client: openai.OpenAI) -> None:
    models = {model.id: model for model in client.models.list()}
    assert MODEL in models and EMBEDDING_MODEL in models, list(models)
    assert all(model.object == "model" and isinstance(model.created, int) for model in models.values())
    assert models[MODEL].owned_by == "demo"
    one = client.models.retrieve(MODEL)  # an id with a slash in the path
    assert (one.id, one.owned_by) == (MODEL, "demo")


def test_a_completion_echoes_with_reasoning_and_usage(answer: ChatCompletion) -> None:
    assert answer.object == "chat.completion"
    assert answer.model == MODEL
    choice = answer.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content is not None and choice.message.content.startswith(f"You said: {QUESTION}")
    assert "<think>" not in choice.message.content  # the thinking is apart, not in the content
    assert _extra(choice.message, "reasoning_content").startswith("The user wrote 5 words.")
    assert not choice.message.tool_calls
    _assert_usage(answer.usage)


def test_a_streamed_completion_says_the_same_with_usage_last(client: openai.OpenAI, answer: ChatCompletion) -> None:
    chunks: list[ChatCompletionChunk] = list(
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    with_choices = [chunk for chunk in chunks if chunk.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    content = "".join(chunk.choices[0].delta.content or "" for chunk in with_choices)
    reasoning = "".join(_extra(chunk.choices[0].delta, "reasoning_content") or "" for chunk in with_choices)
    assert content == answer.choices[0].message.content
    assert reasoning == _extra(answer.choices[0].message, "reasoning_content")
    assert [chunk.choices[0].finish_reason for chunk in with_choices if chunk.choices[0].finish_reason] == ["stop"]
    # The usage chunk is the last, with no choices, and counts the same as the whole answer.
    assert chunks[-1].choices == [] and all(chunk.usage is None for chunk in chunks[:-1])
    _assert_usage(chunks[-1].usage)
    assert answer.usage is not None and chunks[-1].usage == answer.usage


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_async_client_streams_too(local_dev: LocalDev, alice: Account, answer: ChatCompletion) -> None:
    async with openai.AsyncOpenAI(base_url=local_dev.v1, api_key=alice.key, max_retries=0) as client:
        stream = await client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        parts = [chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]
    assert "".join(parts) == answer.choices[0].message.content
    assert len(parts) > 3  # streamed in pieces, not as one chunk


def test_a_tool_call_round_trip(client: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "what is your status?"}]
    asked = client.chat.completions.create(model=MODEL, messages=messages, tools=[STATUS_TOOL])
    choice = asked.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    assert choice.message.tool_calls is not None and len(choice.message.tool_calls) == 1
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.id
    assert call.function.name == "system_info" and json.loads(call.function.arguments) == {}

    # The caller runs the tool and sends its result back, as the SDK's docs show.
    messages.append(choice.message.model_dump(exclude_none=True, exclude={"annotations", "audio"}))  # type: ignore[arg-type]
    messages.append({"role": "tool", "tool_call_id": call.id, "content": TOOL_RESULT})
    answered = client.chat.completions.create(model=MODEL, messages=messages, tools=[STATUS_TOOL])
    final = answered.choices[0]
    assert final.finish_reason == "stop" and not final.message.tool_calls
    assert final.message.content is not None
    assert final.message.content.startswith("Here is what `system_info` returned: service: sdk-test; healthy: true")


def test_a_streamed_tool_call_through_the_sdks_stream_helper(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model=MODEL, messages=[{"role": "user", "content": "what is your status?"}], tools=[STATUS_TOOL]
    ) as stream:
        final = stream.get_final_completion()
    calls = final.choices[0].message.tool_calls
    assert final.choices[0].finish_reason == "tool_calls"
    assert calls is not None and [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("system_info", {})
    ]


def test_embeddings_have_the_models_dimension(client: openai.OpenAI) -> None:
    texts = ["A heron stands in the river.", "A heron stands in the river.", "Quarterly revenue grew by 4%."]
    made = client.embeddings.create(model=EMBEDDING_MODEL, input=texts)  # the SDK asks for base64 and decodes it
    assert made.object == "list" and made.model == EMBEDDING_MODEL
    assert [item.index for item in made.data] == [0, 1, 2]
    vectors = [item.embedding for item in made.data]
    assert all(len(vector) == EMBEDDING_DIMENSION for vector in vectors)
    assert all(abs(math.hypot(*vector) - 1) < 1e-3 for vector in vectors)  # normalised
    assert vectors[0] == vectors[1] and vectors[0] != vectors[2]
    similar = sum(a * b for a, b in zip(vectors[0], vectors[2], strict=True))
    assert similar < 0.9
    assert made.usage.prompt_tokens > 0 and made.usage.total_tokens == made.usage.prompt_tokens

    as_floats = client.embeddings.create(model=EMBEDDING_MODEL, input=texts[0], encoding_format="float")
    assert len(as_floats.data) == 1
    assert max(abs(a - b) for a, b in zip(as_floats.data[0].embedding, vectors[0], strict=True)) < 1e-6


def test_a_jwt_is_a_key_too(local_dev: LocalDev, alice: Account) -> None:
    with _sdk(local_dev, alice.jwt) as client:
        assert MODEL in {model.id for model in client.models.list()}


def test_a_bad_key_is_an_authentication_error(local_dev: LocalDev) -> None:
    with _sdk(local_dev, "pgpt-not-a-key") as client, pytest.raises(openai.AuthenticationError) as raised:
        client.models.list()
    assert raised.value.status_code == 401
    assert raised.value.code == "invalid_api_key"
    assert raised.value.message


def test_a_revoked_key_is_refused_at_once(
    local_dev: LocalDev, make_account: Callable[[str], Account], revoke_key: Callable[[Account], str]
) -> None:
    account = make_account("py-revoked")
    with _sdk(local_dev, account.key) as client:
        assert client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}]).choices
        revoke_key(account)
        with pytest.raises(openai.AuthenticationError) as raised:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 401
    assert raised.value.code == "invalid_api_key"


def test_a_spent_budget_is_a_rate_limit_error_with_insufficient_quota(
    local_dev: LocalDev, make_account: Callable[[str], Account], spend_budget: Callable[[Account], str]
) -> None:
    with _sdk(local_dev, spend_budget(make_account("py-spent"))) as client:
        with pytest.raises(openai.RateLimitError) as raised:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        assert raised.value.status_code == 429
        assert raised.value.code == "insufficient_quota"
        assert int(raised.value.response.headers["retry-after"]) >= 0
        with pytest.raises(openai.RateLimitError) as embedding:  # every model call, embeddings too
            client.embeddings.create(model=EMBEDDING_MODEL, input="hi")
        assert embedding.value.code == "insufficient_quota"
        assert MODEL in {model.id for model in client.models.list()}  # listing models spends nothing


def test_an_unknown_model_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="demo/nope", messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 404 and raised.value.code == "model_not_found"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("demo/nope")


def test_an_invalid_body_is_a_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=[{"role": "wizard", "content": "hi"}])  # type: ignore[misc,list-item]
    assert raised.value.status_code == 400
    assert raised.value.type == "invalid_request_error"
    assert raised.value.message
