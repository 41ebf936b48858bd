"""Search and delete against the real index: the local embedding model and the embedded vector store (the
settings' defaults), chunks written as ingestion writes them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.rag import search as rag_search
from privategpt.rag.embeddings import embedder_for
from privategpt.rag.stores import store_for
from privategpt.rag.types import Chunk, VectorStore, chunk_id
from privategpt.settings import Settings
from privategpt.storage import documents as repository
from privategpt.storage.ids import new_id
from tests.support.api import User, assert_error

TRAMS = [
    "Tram 28 runs from Martim Moniz up through Alfama to Campo de Ourique.",
    "The funicular Elevador da Gloria climbs from Restauradores to Bairro Alto.",
]
BREAD = [
    "Sourdough needs a starter fed with flour and water for several days.",
    "Bake the loaf in a preheated Dutch oven at 250 degrees for forty minutes.",
]


@pytest.fixture(scope="module")
def store(docs_settings: Settings) -> VectorStore:
    embedder = embedder_for(docs_settings)
    store = store_for(docs_settings)
    store.ensure_index(embedder.model_id, embedder.dimension)
    return store


def _indexed(settings: Settings, store: VectorStore, user_id: str, filename: str, texts: list[str]) -> str:
    """A ready document with these chunks, as ingestion leaves it."""
    document_id = new_id()
    repository.create(user_id, document_id=document_id, filename=filename, content_type="text/plain", size=100)
    assert repository.start_processing(user_id, document_id, 1) is not None
    embedder = embedder_for(settings)
    chunks = [
        Chunk(chunk_id(document_id, i), document_id, user_id, i, text, filename, page=i + 1, heading="Notes")
        for i, text in enumerate(texts)
    ]
    store.upsert(chunks, embedder.embed_documents(texts))
    ready = repository.mark_ready(
        user_id,
        document_id,
        1,
        pages=len(texts),
        chunks=len(texts),
        embedding_model=embedder.model_id,
        detected_type=None,
    )
    assert ready
    return document_id


def _search(user: User, **body: Any) -> httpx.Response:
    return user.client.post("/api/documents/search", json=body)


@pytest.mark.parametrize("mode", ["vector", "keyword", "hybrid"])
def test_each_mode_finds_the_right_chunk(
    mode: str, ann: User, ben: User, docs_settings: Settings, store: VectorStore
) -> None:
    trams = _indexed(docs_settings, store, ann.user_id, "lisbon.txt", TRAMS)
    bread = _indexed(docs_settings, store, ann.user_id, "bread.txt", BREAD)
    _indexed(docs_settings, store, ben.user_id, "bens-trams.txt", ["Tram 28 is Ben's favourite tram in Lisbon."])

    response = _search(ann, query="which tram goes to Campo de Ourique", mode=mode, top_k=2)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == mode
    top = body["results"][0]
    assert (top["document_id"], top["chunk_id"]) == (trams, chunk_id(trams, 0))
    assert (top["filename"], top["page"], top["heading"], top["text"]) == ("lisbon.txt", 1, "Notes", TRAMS[0])
    assert isinstance(top["score"], float)
    assert len(body["results"]) <= 2
    # Only the caller's chunks, whatever matches better elsewhere.
    everything = _search(ann, query="tram 28 Lisbon favourite", mode=mode, top_k=10).json()["results"]
    assert {hit["document_id"] for hit in everything} <= {trams, bread}

    only_bread = _search(ann, query="which tram goes to Campo de Ourique", mode=mode, document_ids=[bread]).json()
    assert {hit["document_id"] for hit in only_bread["results"]} <= {bread}


def test_a_document_being_deleted_is_not_found(ann: User, docs_settings: Settings, store: VectorStore) -> None:
    trams = _indexed(docs_settings, store, ann.user_id, "lisbon.txt", TRAMS)
    repository.begin_delete(ann.user_id, trams)  # its chunks are still in the index
    hits = asyncio.run(
        rag_search.search(docs_settings, ann.user_id, query="tram to Campo de Ourique", top_k=5, mode="hybrid")
    )
    assert hits == []
    assert store.count(ann.user_id, trams) == len(TRAMS)


def test_delete_removes_the_object_the_chunks_and_the_item(
    ann: User, docs_settings: Settings, local_aws: LocalAWS, store: VectorStore
) -> None:
    content = b"tram 28 timetable"
    created = ann.client.post(
        "/api/documents", json={"filename": "t.txt", "content_type": "text/plain", "size": len(content)}
    ).json()
    document_id = created["document"]["id"]
    upload = created["upload"]
    posted = httpx.post(upload["url"], data=upload["fields"], files={"file": ("t", content, "text/plain")})
    assert posted.status_code == 204
    embedder = embedder_for(docs_settings)
    store.upsert(
        [Chunk(chunk_id(document_id, 0), document_id, ann.user_id, 0, "tram 28 timetable", "t.txt")],
        embedder.embed_documents(["tram 28 timetable"]),
    )
    key = repository.object_key(ann.user_id, document_id)
    s3 = local_aws.s3()
    assert s3.list_objects_v2(Bucket=str(docs_settings.documents_bucket), Prefix=key)["KeyCount"] == 1
    assert store.count(ann.user_id, document_id) == 1

    response = ann.client.delete(f"/api/documents/{document_id}")
    assert response.status_code == 204, response.text
    assert s3.list_objects_v2(Bucket=str(docs_settings.documents_bucket), Prefix=key)["KeyCount"] == 0
    assert store.count(ann.user_id, document_id) == 0
    assert repository.find(ann.user_id, document_id) is None
    assert_error(ann.client.get(f"/api/documents/{document_id}"), 404, "not_found")
    assert_error(ann.client.delete(f"/api/documents/{document_id}"), 404, "not_found")


def test_a_delete_interrupted_midway_completes_when_repeated(
    ann: User, docs_settings: Settings, store: VectorStore
) -> None:
    document_id = _indexed(docs_settings, store, ann.user_id, "lisbon.txt", TRAMS)
    repository.begin_delete(ann.user_id, document_id)  # the first DELETE got this far
    assert_error(ann.client.get(f"/api/documents/{document_id}"), 404, "not_found")
    assert ann.client.delete(f"/api/documents/{document_id}").status_code == 204
    assert store.count(ann.user_id, document_id) == 0
    assert repository.find(ann.user_id, document_id) is None
