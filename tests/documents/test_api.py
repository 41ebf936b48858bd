"""The documents API through a served app: presigned uploads into moto's S3, validation, listing, isolation,
delete and reindex."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from privategpt.storage import documents as repository
from privategpt.storage.ids import new_id
from privategpt.storage.models import DocumentItem
from tests.documents.conftest import MAX_BYTES, MAX_DOCUMENTS, MAX_FILENAME_CHARS, MakeUser
from tests.support.api import User, assert_error
from tests.support.aws import receive

PDF = "application/pdf"
TEXT = "text/plain"


def _create(user: User, filename: str = "notes.txt", content_type: str = TEXT, size: int = 11) -> dict[str, Any]:
    response = user.client.post(
        "/api/documents", json={"filename": filename, "content_type": content_type, "size": size}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _upload(upload: dict[str, Any], content: bytes, content_type: str) -> httpx.Response:
    """As a browser's form does: the policy's fields, then the file."""
    return httpx.post(
        upload["url"], data=upload["fields"], files={"file": ("upload", content, content_type)}, timeout=30
    )


def _object(local_aws: LocalAWS, settings: Settings, key: str) -> tuple[bytes, str] | None:
    s3 = local_aws.s3()
    try:
        stored = s3.get_object(Bucket=str(settings.documents_bucket), Key=key)
    except s3.exceptions.NoSuchKey:
        return None
    return stored["Body"].read(), stored["ContentType"]


def test_create_returns_the_document_and_an_upload_that_s3_accepts(
    ann: User, docs_settings: Settings, local_aws: LocalAWS
) -> None:
    content = b"hello world"
    created = _create(ann, filename="  notes.txt ", size=len(content))
    document = created["document"]
    assert document["filename"] == "notes.txt"
    assert (document["status"], document["progress"], document["chunks"], document["size"]) == ("uploading", 0, 0, 11)
    assert document["error"] is None and document["ready_at"] is None
    upload = created["upload"]
    key = repository.object_key(ann.user_id, document["id"])
    assert upload["fields"]["key"] == key
    assert upload["fields"]["Content-Type"] == TEXT
    expires = datetime.fromisoformat(upload["expires_at"])
    expected = datetime.now(UTC) + timedelta(seconds=docs_settings.document_upload_url_seconds)
    assert abs((expires - expected).total_seconds()) < 30

    response = _upload(upload, content, TEXT)
    assert response.status_code == 204, response.text
    assert _object(local_aws, docs_settings, key) == (content, TEXT)
    assert ann.client.get(f"/api/documents/{document['id']}").json() == document


def test_the_upload_policy_pins_key_size_and_type(ann: User, docs_settings: Settings) -> None:
    """moto accepts any POST whatever its policy says, so the conditions S3 enforces are read from the policy."""
    created = _create(ann, filename="report.pdf", content_type=PDF, size=4321)
    fields = created["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 4321, 4321] in conditions
    assert {"Content-Type": PDF} in conditions
    assert {"key": repository.object_key(ann.user_id, created["document"]["id"])} in conditions
    assert {"bucket": docs_settings.documents_bucket} in conditions
    # Nothing else may vary: no starts-with condition would let a client choose another key or type.
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs((expiration - datetime.fromisoformat(created["upload"]["expires_at"])).total_seconds()) < 5
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


@pytest.mark.parametrize(
    ("filename", "field"),
    [
        ("../etc/passwd", "filename"),
        ("dir\\file.txt", "filename"),
        ("bad\x00name.txt", "filename"),
        ("line\nbreak.txt", "filename"),
        ("evil\u202etxt.exe", "filename"),
        ("isolated\u2066name.txt", "filename"),
        ("", "filename"),
        ("  ..  ", "filename"),
    ],
)
def test_bad_filenames_are_refused(ann: User, filename: str, field: str) -> None:
    response = ann.client.post("/api/documents", json={"filename": filename, "content_type": TEXT, "size": 3})
    assert_error(response, 422, "validation_error")


def test_limits_answer_in_the_one_error_shape(ann: User, docs_settings: Settings) -> None:
    def post(**body: Any) -> httpx.Response:
        return ann.client.post("/api/documents", json={"filename": "a.txt", "content_type": TEXT, "size": 3, **body})

    long_name = "x" * (MAX_FILENAME_CHARS - 3) + ".txt"
    error = assert_error(post(filename=long_name), 422, "validation_error")
    assert error["details"] == {"field": "filename", "limit": MAX_FILENAME_CHARS, "length": len(long_name)}

    error = assert_error(post(content_type="application/x-msdownload"), 415, "unsupported_media_type")
    assert error["details"]["allowed"] == docs_settings.document_allowed_types

    error = assert_error(post(size=MAX_BYTES + 1), 413, "payload_too_large")
    assert error["details"]["limit"] == MAX_BYTES
    assert post(size=MAX_BYTES).status_code == 201

    for size in (0, -1, 1.5, "3"):
        assert_error(post(size=size), 422, "validation_error")
    assert_error(post(colour="red"), 422, "validation_error")
    assert_error(ann.client.post("/api/documents", json={"filename": "a.txt"}), 422, "validation_error")
    # The type is matched without regard to case.
    assert post(content_type="Text/Plain").json()["document"]["content_type"] == TEXT


def test_the_number_of_documents_is_capped(make_docs_user: MakeUser) -> None:
    user = make_docs_user()
    for _ in range(MAX_DOCUMENTS):
        _create(user)
    error = assert_error(
        user.client.post("/api/documents", json={"filename": "a.txt", "content_type": TEXT, "size": 3}), 409, "conflict"
    )
    assert error["details"] == {"limit": MAX_DOCUMENTS}


def test_list_pages_newest_first_and_shows_only_the_callers(ann: User, ben: User) -> None:
    ids = [_create(ann, filename=f"f{i}.txt")["document"]["id"] for i in range(5)]
    _create(ben, filename="ben.txt")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ann.client.get("/api/documents", params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 2
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    first = ann.client.get("/api/documents", params={"limit": 2}).json()
    assert set(first["items"][0]) == {
        "id", "filename", "content_type", "size", "status", "progress", "pages", "chunks", "error", "error_code",
        "embedding_model", "created_at", "updated_at", "ready_at",
    }  # fmt: skip
    ben_list = ben.client.get("/api/documents").json()["items"]
    assert [item["filename"] for item in ben_list] == ["ben.txt"]
    # Ann's cursor is not Ben's to use.
    assert_error(ben.client.get("/api/documents", params={"cursor": first["next_cursor"]}), 400, "bad_request")


def test_another_users_documents_are_404_everywhere(ann: User, ben: User, docs_settings: Settings) -> None:
    document_id = _create(ann)["document"]["id"]
    for response in (
        ben.client.get(f"/api/documents/{document_id}"),
        ben.client.delete(f"/api/documents/{document_id}"),
        ben.client.post(f"/api/documents/{document_id}/reindex"),
        ben.client.post("/api/documents/search", json={"query": "q", "document_ids": [document_id]}),
    ):
        error = assert_error(response, 404, "not_found")
        assert document_id not in json.dumps(error)
    mine = _create(ben)["document"]["id"]
    mixed = ben.client.post("/api/documents/search", json={"query": "q", "document_ids": [mine, document_id]})
    assert document_id not in json.dumps(assert_error(mixed, 404, "not_found"))
    for unknown in (new_id(), "not-an-id"):
        assert_error(ann.client.get(f"/api/documents/{unknown}"), 404, "not_found")
        assert_error(ann.client.delete(f"/api/documents/{unknown}"), 404, "not_found")
    assert ann.client.get(f"/api/documents/{document_id}").json()["status"] == "uploading"


def test_an_upload_that_never_arrived_shows_as_failed(ann: User, docs_settings: Settings) -> None:
    document_id = _create(ann)["document"]["id"]
    window = docs_settings.document_upload_url_seconds + docs_settings.document_upload_grace_seconds
    item = DocumentItem(*_keys(ann.user_id, document_id))
    item.update(actions=[DocumentItem.created_at.set(datetime.now(UTC) - timedelta(seconds=window - 60))])
    assert ann.client.get(f"/api/documents/{document_id}").json()["status"] == "uploading"
    item.update(actions=[DocumentItem.created_at.set(datetime.now(UTC) - timedelta(seconds=window + 60))])
    shown = ann.client.get(f"/api/documents/{document_id}").json()
    assert (shown["status"], shown["error_code"]) == ("failed", "upload_expired")
    assert shown["error"] == "the upload did not arrive before its URL expired"
    listed = ann.client.get("/api/documents").json()["items"]
    assert [d["status"] for d in listed if d["id"] == document_id] == ["failed"]


def _keys(user_id: str, document_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", f"DOC#{document_id}"


def _ingested(user_id: str, document_id: str, generation: int = 1) -> None:
    """What ingestion does to the item, without ingestion."""
    assert repository.start_processing(user_id, document_id, generation) is not None
    assert repository.mark_ready(
        user_id, document_id, generation, pages=None, chunks=0, embedding_model="m", detected_type=TEXT
    )


def test_reindex_sends_the_message_ingestion_reads(ann: User, docs_settings: Settings, local_aws: LocalAWS) -> None:
    document_id = _create(ann)["document"]["id"]
    error = assert_error(ann.client.post(f"/api/documents/{document_id}/reindex"), 409, "conflict")
    assert error["details"] == {"status": "uploading"}
    _ingested(ann.user_id, document_id)
    response = ann.client.post(f"/api/documents/{document_id}/reindex")
    assert response.status_code == 202, response.text
    assert (response.json()["status"], response.json()["progress"]) == ("processing", 0)
    queue_url = str(docs_settings.ingest_queue_url)
    assert receive(local_aws, queue_url) == [
        {"type": "reindex", "user_id": ann.user_id, "document_id": document_id, "generation": 2}
    ]
    # Again while it runs: the next generation, which stops the running one.
    assert ann.client.post(f"/api/documents/{document_id}/reindex").status_code == 202
    assert [body["generation"] for body in receive(local_aws, queue_url)] == [3]


def test_documents_off_is_503(alice: User, anonymous: httpx.Client) -> None:
    """The session's default app has no bucket configured; the token is still checked first."""
    assert_error(anonymous.get("/api/documents"), 401, "unauthorized")
    error = assert_error(
        alice.client.post("/api/documents", json={"filename": "a.txt", "content_type": TEXT, "size": 3}),
        503,
        "service_unavailable",
    )
    assert error["message"] == "documents are not configured"
    assert_error(alice.client.get("/api/documents"), 503, "service_unavailable")


def test_the_openapi_document_carries_the_limits(ann: User) -> None:
    schema = ann.client.get("/openapi.json").json()
    create = schema["components"]["schemas"]["DocumentCreate"]["properties"]
    assert create["filename"]["maxLength"] == MAX_FILENAME_CHARS
    assert create["size"]["maximum"] == MAX_BYTES
    post = schema["paths"]["/api/documents"]["post"]["responses"]
    assert {"201", "413", "415", "422"} <= set(post)
