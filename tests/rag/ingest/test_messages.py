"""The queue's bodies as S3, the documents API and ingestion itself write them."""

from __future__ import annotations

import json

import pytest

from privategpt.rag.ingest.messages import (
    Continue,
    ObjectCreated,
    Reindex,
    UnknownMessage,
    continue_body,
    parse_body,
)
from tests.rag.ingest.helpers import s3_notification


def test_an_s3_notification_decodes_the_key() -> None:
    body = s3_notification(("ObjectCreated:Post", "documents/user+one%2Btwo/01J0000000000000000000000A", 42))
    assert parse_body(body) == [ObjectCreated("documents/user one+two/01J0000000000000000000000A", 42)]


def test_only_object_created_records_count() -> None:
    body = s3_notification(("ObjectRemoved:Delete", "documents/u/a", 0), ("ObjectCreated:Put", "documents/u/b", 7))
    assert parse_body(body) == [ObjectCreated("documents/u/b", 7)]


def test_the_s3_test_event_is_nothing_to_do() -> None:
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-26T08:00:00.000Z", "Bucket": "docs"}
    assert parse_body(json.dumps(body)) == []


def test_reindex_and_continue() -> None:
    reindex = {"type": "reindex", "user_id": "u", "document_id": "d", "generation": 3}
    assert parse_body(json.dumps(reindex)) == [Reindex("u", "d", 3)]
    assert parse_body(continue_body("u", "d", 3, 64)) == [Continue("u", "d", 3, 64)]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        "{}",
        '{"type": "shred"}',
        '{"type": "reindex", "user_id": "u", "document_id": "d"}',
        '{"type": "reindex", "user_id": "u", "document_id": "d", "generation": "2"}',
        '{"type": "continue", "user_id": "u", "document_id": "d", "generation": 1, "next_chunk": -1}',
        '{"type": "reindex", "user_id": "", "document_id": "d", "generation": 1}',
        '{"Records": "x"}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {}}}]}',
    ],
)
def test_anything_else_is_unknown(body: str) -> None:
    with pytest.raises(UnknownMessage):
        parse_body(body)
