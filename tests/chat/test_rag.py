"""Answers with sources, end to end: a document uploaded through its presigned POST to (moto's) S3, ingested
by the worker from the queue the bucket notifies, becomes ready; a question about it gets a streamed answer with
a ``sources`` event before the first content, the provider sees the numbered sources, the stored reply keeps
them, and they say so once the document is deleted. Another user never gets the document's chunks."""

from __future__ import annotations

from tests.chat.conftest import Platform, conversation, detail, prompt_of, stream, upload
from tests.support.fake_llm import FakeProvider

MODEL = "openai/gpt-4o-mini"
FACT = "The launch phrase of Project Heron is PURPLE-OTTER-42, chosen by the night shift in 2019."
NOTES = f"""# Project Heron

## Launch

{FACT}

## Budget

The budget of Project Heron is eleven thousand euros, spent mostly on telescopes.
"""


def test_a_question_about_an_uploaded_document_is_answered_with_its_sources(
    platform: Platform, fake_openai: FakeProvider
) -> None:
    alice = platform.user()
    document_id = upload(alice, "heron notes.md", NOTES)
    cid = conversation(alice, model=MODEL)

    events = stream(platform, alice, cid, content="What is the launch phrase of Project Heron?", rag={})
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "start"
    assert kinds[1] == "sources", kinds
    assert "content" in kinds and kinds[-1] == "done"
    sources = events[1][1]["sources"]
    assert sources, "the document's chunk was not retrieved"
    first = sources[0]
    assert (first["n"], first["document_id"], first["filename"]) == (1, document_id, "heron notes.md")
    assert set(first) == {"n", "document_id", "filename", "page", "chunk_id", "score", "snippet"}
    assert first["chunk_id"].startswith(document_id)

    prompt = prompt_of(fake_openai)
    assert "PURPLE-OTTER-42" in prompt
    assert "[1] (heron notes.md" in prompt
    assert "cite it as [n]" in prompt

    stored = [m for m in detail(alice, cid)["messages"] if m["role"] == "assistant"]
    assert [s["chunk_id"] for s in stored[-1]["sources"]] == [s["chunk_id"] for s in sources]
    assert all(s["document_deleted"] is False for s in stored[-1]["sources"])
    assert detail(alice, cid)["messages"][0]["sources"] is None  # the user's message carries none


def test_send_and_quick_carry_sources_and_deleting_the_document_leaves_them_readable(
    platform: Platform, fake_openai: FakeProvider
) -> None:
    alice = platform.user()
    document_id = upload(alice, "heron.md", NOTES)
    cid = conversation(alice, model=MODEL)

    sent = alice.client.post(
        f"/api/chat/conversations/{cid}/messages",
        json={"content": "How big is the Heron budget?", "rag": {"top_k": 1, "mode": "keyword"}},
    )
    assert sent.status_code == 200, sent.text
    sources = sent.json()["assistant_message"]["sources"]
    assert len(sources) == 1
    assert sources[0]["document_id"] == document_id
    assert "eleven thousand" in prompt_of(fake_openai)

    quick = alice.client.post(
        "/api/chat/quick",
        json={"model": MODEL, "messages": [{"role": "user", "content": "Heron launch phrase?"}], "rag": {}},
    )
    assert quick.status_code == 200, quick.text
    assert quick.json()["sources"][0]["document_id"] == document_id

    assert alice.client.delete(f"/api/documents/{document_id}").status_code == 204
    after = [m for m in detail(alice, cid)["messages"] if m["role"] == "assistant"][-1]
    assert after["content"] == sent.json()["assistant_message"]["content"]
    assert [s["document_deleted"] for s in after["sources"]] == [True]
    listed = alice.client.get(f"/api/chat/conversations/{cid}/messages").json()["items"]
    assert listed[-1]["sources"][0]["document_deleted"] is True


def test_another_user_never_gets_the_documents_chunks(platform: Platform, fake_openai: FakeProvider) -> None:
    alice, bob = platform.user(), platform.user()
    document_id = upload(alice, "heron.md", NOTES)
    cid = conversation(bob, model=MODEL)
    for rag in ({}, {"document_ids": [document_id]}, {"mode": "keyword"}, {"mode": "vector"}):
        events = stream(platform, bob, cid, content="What is the launch phrase of Project Heron?", rag=rag)
        assert events[1] == ("sources", {"sources": []}), rag
        assert "PURPLE-OTTER-42" not in prompt_of(fake_openai)


def test_without_rag_no_sources_event_and_none_stored(platform: Platform, fake_openai: FakeProvider) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODEL)
    events = stream(platform, alice, cid, content="Hello")
    assert "sources" not in [kind for kind, _ in events]
    disabled = stream(platform, alice, cid, content="Hello again", rag={"enabled": False})
    assert "sources" not in [kind for kind, _ in disabled]
    assert all(m["sources"] is None for m in detail(alice, cid)["messages"])


def test_rag_option_limits_are_4xx(platform: Platform) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODEL)
    url = f"/api/chat/conversations/{cid}/messages"
    too_many = platform.settings.rag_max_top_k + 1
    assert alice.client.post(url, json={"content": "x", "rag": {"top_k": too_many}}).status_code == 422
    assert alice.client.post(url, json={"content": "x", "rag": {"top_k": 0}}).status_code == 422
    assert alice.client.post(url, json={"content": "x", "rag": {"mode": "fuzzy"}}).status_code == 422
    ids = [f"d{i}" for i in range(platform.settings.rag_max_document_ids + 1)]
    assert alice.client.post(url, json={"content": "x", "rag": {"document_ids": ids}}).status_code == 422
    assert alice.client.post(url, json={"content": "x", "rag": {"unknown": 1}}).status_code == 422
    assert detail(alice, cid)["message_count"] == 0  # nothing stored by a refused message
