"""The extensions (``store``: the exchange as a conversation; ``rag``: answers from the caller's documents, with
sources) and ``/v1/embeddings`` (the platform's embedding model, float or base64 as the SDKs ask)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from tests.chat.conftest import Platform, detail, prompt_of, serving_platform, upload
from tests.openai_api.inprocess import chunks_of, client_for, errors_of, post
from tests.support.aws import wired_resources
from tests.support.fake_llm import FakeProvider
from tests.support.issuer import TestIssuer

MODEL = "openai/gpt-4o-mini"
FACT = "The launch phrase of Project Heron is PURPLE-OTTER-42."


@pytest.fixture(scope="module")
def platform(
    settings: Settings, local_aws: LocalAWS, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """Documents on, with a bucket and queue of this module's own (made when it starts: see ``wired_resources``)."""
    resources = wired_resources(local_aws, max_receive_count=settings.ingest_max_receive_count)
    del resources["dlq_url"]
    rag_settings = settings.model_copy(update={**resources, "data_dir": tmp_path_factory.mktemp("v1-rag")})
    with serving_platform(rag_settings, issuer) as running:
        yield running


@pytest.fixture(scope="module")
def v1(platform: Platform) -> str:
    return platform.stream + "/v1"


@pytest.mark.parametrize("stream", [False, True])
def test_store_saves_the_exchange_as_a_conversation_of_the_caller_only(
    platform: Platform, v1: str, stream: bool
) -> None:
    alice, bob = platform.user(), platform.user()
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question about herons"},
        {"role": "assistant", "content": "An earlier answer."},
        {"role": "user", "content": "And a follow-up"},
    ]
    body: dict[str, Any] = {"model": MODEL, "messages": messages, "store": True, "stream": stream}
    response = post(v1, alice, "/chat/completions", body)
    assert response.status_code == 200, response.text
    if stream:
        chunks, _ = chunks_of(response)
        assert "conversation_id" not in chunks[0]
        cid = chunks[-1]["conversation_id"]  # on the chunk that finishes the choice, once it is stored
        assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    else:
        cid = response.json()["conversation_id"]
    conversation = detail(alice, cid)
    assert conversation["title"] == "First question about herons"
    assert [(m["role"], m["content"]) for m in conversation["messages"]] == [
        ("user", "First question about herons"),
        ("assistant", "An earlier answer."),
        ("user", "And a follow-up"),
        ("assistant", "Hello from openai! You said: And a follow-up"),
    ]
    reply = conversation["messages"][-1]
    assert reply["model"] == MODEL and reply["output_tokens"] > 0
    assert alice.client.get("/api/usage").json()["models"][MODEL]["requests"] == 1  # recorded once, with the reply
    assert bob.client.get(f"/api/chat/conversations/{cid}").status_code == 404


def test_rag_answers_from_the_caller_s_documents_with_sources(
    platform: Platform, v1: str, fake_openai: FakeProvider
) -> None:
    alice, bob = platform.user(), platform.user()
    document_id = upload(alice, "heron.md", f"# Heron\n\n{FACT}\n")
    question = [{"role": "user", "content": "What is the launch phrase of Project Heron?"}]
    completion = post(v1, alice, "/chat/completions", {"model": MODEL, "messages": question, "rag": True}).json()
    assert completion["sources"][0]["document_id"] == document_id
    assert completion["sources"][0]["n"] == 1
    assert "PURPLE-OTTER-42" in prompt_of(fake_openai)
    body = {"model": MODEL, "messages": question, "rag": {"top_k": 2}, "stream": True}
    streamed = post(v1, alice, "/chat/completions", body)
    first = streamed.text.split("\n\n")[0].removeprefix("data: ")
    assert '"sources"' in first and document_id in first
    foreign = post(v1, bob, "/chat/completions", {"model": MODEL, "messages": question, "rag": True}).json()
    assert foreign["sources"] == []
    assert "PURPLE-OTTER-42" not in prompt_of(fake_openai)


def test_embeddings_float_and_base64_agree(platform: Platform, v1: str) -> None:
    alice = platform.user()
    client = client_for(v1, alice)
    texts = ["herons fish at dawn", "herons fish at dawn", "tax forms are due"]
    result = client.embeddings.create(model="local/all-MiniLM-L6-v2-int8", input=texts)  # the SDK asks for base64
    vectors = np.array([d.embedding for d in result.data])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.allclose(vectors[0], vectors[1])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert result.usage.prompt_tokens > 0 and result.model == "local/all-MiniLM-L6-v2-int8"
    raw = post(v1, alice, "/embeddings", {"input": texts[0], "encoding_format": "base64"}).json()
    decoded = np.frombuffer(base64.b64decode(raw["data"][0]["embedding"]), dtype="<f4")
    floats = post(v1, alice, "/embeddings", {"input": texts[0]}).json()["data"][0]["embedding"]
    assert np.allclose(decoded, floats)
    assert (
        alice.client.get("/api/usage").json()["models"]["local/all-MiniLM-L6-v2-int8"]["requests"] == 3
    )  # one per request, whatever it holds


def test_embedding_requests_out_of_bounds_are_refused(platform: Platform, v1: str) -> None:
    alice = platform.user()
    limit = platform.settings.openai_api_max_embedding_inputs
    errors_of(post(v1, alice, "/embeddings", {"input": ["x"] * (limit + 1)}), 400, "invalid_request_error")
    errors_of(post(v1, alice, "/embeddings", {"input": ""}), 400, "invalid_request_error")
    errors_of(post(v1, alice, "/embeddings", {"input": [[1, 2, 3]]}), 400, "invalid_request_error")
    errors_of(post(v1, alice, "/embeddings", {"input": "x", "model": "text-embedding-3-large"}), 404, "model_not_found")
    errors_of(post(v1, alice, "/embeddings", {"input": "x", "dimensions": 12}), 400, "invalid_request_error")
    errors_of(httpx.post(v1 + "/embeddings", json={"input": "x"}, timeout=30), 401, "invalid_api_key")
