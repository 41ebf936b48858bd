"""The documents repository against DynamoDB Local: the status machine, generations, listing, isolation."""

from __future__ import annotations

import uuid

import pytest

from privategpt.errors import BadRequest, Conflict, NotFound
from privategpt.settings import Settings
from privategpt.storage import documents as repository
from privategpt.storage.ids import new_id
from privategpt.storage.models import DocumentItem


@pytest.fixture
def user_id(settings: Settings) -> str:
    return uuid.uuid4().hex


def _create(user_id: str, name: str = "report.pdf") -> DocumentItem:
    return repository.create(user_id, document_id=new_id(), filename=name, content_type="application/pdf", size=123)


def test_object_keys_round_trip_and_foreign_keys_are_refused() -> None:
    document_id = new_id()
    key = repository.object_key("abc", document_id)
    assert key == f"documents/abc/{document_id}"
    assert repository.parse_object_key(key) == ("abc", document_id)
    for bad in ("other/abc/" + document_id, "documents/abc", f"documents//{document_id}", "documents/a/b/c", ""):
        assert repository.parse_object_key(bad) is None
    assert repository.parse_object_key("documents/abc/not-an-id") is None


def test_create_then_get_and_find(user_id: str) -> None:
    created = _create(user_id)
    assert (created.status, created.generation, created.progress) == ("uploading", 1, 0)
    assert created.object_key == repository.object_key(user_id, created.document_id)
    stored = repository.get(user_id, created.document_id)
    assert stored.filename == "report.pdf"
    assert stored.size == 123
    found = repository.find(user_id, created.document_id)
    assert found is not None and found.document_id == created.document_id
    assert repository.find(user_id, new_id()) is None
    assert repository.find(user_id, "nonsense") is None


def test_another_users_document_is_not_found(user_id: str) -> None:
    document = _create(user_id)
    other = uuid.uuid4().hex
    with pytest.raises(NotFound):
        repository.get(other, document.document_id)
    assert repository.find(other, document.document_id) is None
    assert repository.start_processing(other, document.document_id, 1) is None
    with pytest.raises(NotFound):
        repository.begin_delete(other, document.document_id)
    with pytest.raises(NotFound):
        repository.begin_reindex(other, document.document_id)
    assert repository.existing(other, [document.document_id]) == set()
    assert repository.get(user_id, document.document_id).status == "uploading"


def test_ingestion_walks_the_status_machine(user_id: str) -> None:
    document_id = _create(user_id).document_id
    # Nothing may be recorded before ingestion starts.
    assert not repository.record_progress(user_id, document_id, 1, progress=5, next_chunk=1, chunks=1, pages=1)
    assert not repository.mark_ready(
        user_id, document_id, 1, pages=1, chunks=1, embedding_model="m", detected_type=None
    )
    started = repository.start_processing(user_id, document_id, 1)
    assert started is not None
    assert (started.status, started.progress, started.filename) == ("processing", 0, "report.pdf")
    assert started.uploaded_at is not None
    first_upload = started.uploaded_at
    assert repository.record_progress(user_id, document_id, 1, progress=40, next_chunk=8, chunks=8, pages=3)
    stored = repository.get(user_id, document_id)
    assert (stored.progress, stored.next_chunk, stored.chunks, stored.pages) == (40, 8, 8, 3)
    assert repository.mark_ready(
        user_id, document_id, 1, pages=3, chunks=20, embedding_model="minilm", detected_type="application/pdf"
    )
    ready = repository.get(user_id, document_id)
    assert (ready.status, ready.progress, ready.chunks, ready.embedding_model) == ("ready", 100, 20, "minilm")
    assert ready.ready_at is not None and ready.detected_type == "application/pdf"
    # ready → failed is not a transition: only processing may fail.
    assert not repository.mark_failed(user_id, document_id, 1, code="x", reason="y")
    # A redelivered message of the same generation starts again; uploaded_at keeps the first arrival.
    again = repository.start_processing(user_id, document_id, 1)
    assert again is not None and again.uploaded_at == first_upload


def test_failure_is_recorded_and_cleared_by_a_reindex(user_id: str) -> None:
    document_id = _create(user_id).document_id
    assert repository.start_processing(user_id, document_id, 1) is not None
    assert repository.mark_failed(user_id, document_id, 1, code="unreadable", reason="the PDF is encrypted")
    failed = repository.get(user_id, document_id)
    assert (failed.status, failed.error_code, failed.error) == ("failed", "unreadable", "the PDF is encrypted")
    reindexed = repository.begin_reindex(user_id, document_id)
    assert (reindexed.generation, reindexed.status, reindexed.progress, reindexed.next_chunk) == (2, "processing", 0, 0)
    assert reindexed.error is None and reindexed.error_code is None
    stored = repository.get(user_id, document_id)
    assert stored.error is None and stored.generation == 2


def test_a_reindex_overtakes_the_running_ingestion(user_id: str) -> None:
    document_id = _create(user_id).document_id
    assert repository.start_processing(user_id, document_id, 1) is not None
    assert repository.begin_reindex(user_id, document_id).generation == 2
    # The first generation's worker finds out on its next write and stops.
    assert not repository.record_progress(user_id, document_id, 1, progress=50, next_chunk=1, chunks=1, pages=None)
    assert not repository.mark_ready(
        user_id, document_id, 1, pages=None, chunks=1, embedding_model="m", detected_type=None
    )
    assert not repository.mark_failed(user_id, document_id, 1, code="x", reason="y")
    assert repository.start_processing(user_id, document_id, 1) is None
    assert repository.start_processing(user_id, document_id, 2) is not None
    assert repository.mark_ready(user_id, document_id, 2, pages=None, chunks=1, embedding_model="m", detected_type=None)
    assert repository.get(user_id, document_id).status == "ready"


def test_reindex_while_uploading_is_a_conflict(user_id: str) -> None:
    document_id = _create(user_id).document_id
    with pytest.raises(Conflict):
        repository.begin_reindex(user_id, document_id)
    stored = repository.get(user_id, document_id)
    assert (stored.status, stored.generation) == ("uploading", 1)
    with pytest.raises(NotFound):
        repository.begin_reindex(user_id, new_id())


def test_delete_hides_stops_and_can_be_repeated(user_id: str) -> None:
    document_id = _create(user_id).document_id
    assert repository.start_processing(user_id, document_id, 1) is not None
    deleting = repository.begin_delete(user_id, document_id)
    assert deleting.status == "deleting"
    with pytest.raises(NotFound):
        repository.get(user_id, document_id)
    found = repository.find(user_id, document_id)
    assert found is not None and found.status == "deleting"
    assert not repository.record_progress(user_id, document_id, 1, progress=9, next_chunk=1, chunks=1, pages=None)
    assert repository.start_processing(user_id, document_id, 1) is None
    with pytest.raises(NotFound):
        repository.begin_reindex(user_id, document_id)
    assert repository.existing(user_id, [document_id]) == set()
    assert repository.list_page(user_id, limit=10, cursor=None).items == []
    # Interrupted here, the delete is started again and completes.
    assert repository.begin_delete(user_id, document_id).status == "deleting"
    repository.remove(user_id, document_id)
    repository.remove(user_id, document_id)
    assert repository.find(user_id, document_id) is None
    with pytest.raises(NotFound):
        repository.begin_delete(user_id, document_id)


def test_list_pages_newest_first_with_a_cursor(user_id: str) -> None:
    ids = [_create(user_id, f"f{i}.pdf").document_id for i in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = repository.list_page(user_id, limit=2, cursor=cursor)
        seen.extend(item.document_id for item in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(ids))
    assert pages >= 3
    assert repository.count(user_id) == 5
    # A cursor is the caller's: another user's use of it is a 400, not their data.
    first = repository.list_page(user_id, limit=2, cursor=None)
    assert first.next_cursor is not None
    with pytest.raises(BadRequest):
        repository.list_page(uuid.uuid4().hex, limit=2, cursor=first.next_cursor)


def test_existing_says_which_documents_remain(user_id: str) -> None:
    kept = _create(user_id).document_id
    deleted = _create(user_id).document_id
    removed = _create(user_id).document_id
    repository.begin_delete(user_id, deleted)
    repository.begin_delete(user_id, removed)
    repository.remove(user_id, removed)
    asked = [kept, deleted, removed, new_id(), "not-an-id", kept]
    assert repository.existing(user_id, asked) == {kept}
    assert repository.existing(user_id, []) == set()
    many = [_create(user_id).document_id for _ in range(3)] + [new_id() for _ in range(120)]
    assert repository.existing(user_id, many) == set(many[:3])


def test_has_any_sees_the_first_document(user_id: str) -> None:
    assert not repository.has_any(user_id)
    _create(user_id)
    assert repository.has_any(user_id)
    assert not repository.has_any(uuid.uuid4().hex)
