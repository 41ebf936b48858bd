"""``POST /api/documents/search``: its limits and its isolation (the parts that need no index)."""

from __future__ import annotations

from typing import Any

import httpx

from privategpt.settings import Settings
from privategpt.storage import documents as repository
from privategpt.storage.ids import new_id
from tests.support.api import User, assert_error


def _search(user: User, **body: Any) -> httpx.Response:
    return user.client.post("/api/documents/search", json={"query": "what is in it", **body})


def test_limits_are_422_in_the_one_error_shape(ann: User, docs_settings: Settings) -> None:
    long_query = "q" * (docs_settings.max_search_query_chars + 1)
    error = assert_error(_search(ann, query=long_query), 422, "validation_error")
    assert error["details"]["field"] == "query"
    error = assert_error(_search(ann, top_k=docs_settings.rag_max_top_k + 1), 422, "validation_error")
    assert error["details"] == {"field": "top_k", "limit": docs_settings.rag_max_top_k}
    too_many = [new_id() for _ in range(docs_settings.rag_max_document_ids + 1)]
    error = assert_error(_search(ann, document_ids=too_many), 422, "validation_error")
    assert error["details"]["field"] == "document_ids"
    for bad in ({"query": ""}, {"top_k": 0}, {"mode": "semantic"}, {"document_ids": "x"}, {"colour": "red"}):
        assert_error(_search(ann, **bad), 422, "validation_error")


def test_an_owner_without_documents_gets_nothing(ann: User) -> None:
    for mode in ("vector", "keyword", "hybrid"):
        response = _search(ann, mode=mode)
        assert response.status_code == 200, response.text
        assert response.json() == {"results": [], "mode": mode}
    default = _search(ann).json()
    assert default["mode"] == "hybrid" and default["results"] == []


def test_document_ids_must_all_be_the_callers(ann: User, ben: User) -> None:
    bens = repository.create(ben.user_id, filename="b.txt", content_type="text/plain", size=1).document_id
    anns = repository.create(ann.user_id, filename="a.txt", content_type="text/plain", size=1).document_id
    assert_error(_search(ann, document_ids=[bens]), 404, "not_found")
    assert_error(_search(ann, document_ids=[anns, bens]), 404, "not_found")
    assert_error(_search(ann, document_ids=[new_id()]), 404, "not_found")
    repository.begin_delete(ann.user_id, anns)
    assert_error(_search(ann, document_ids=[anns]), 404, "not_found")
