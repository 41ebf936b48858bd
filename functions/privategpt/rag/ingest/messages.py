"""The bodies the ingestion queue carries, read into typed messages and written for continuations.

- S3 event notifications (``{"Records": [...]}``, ``eventName`` ``ObjectCreated:*``): an upload arrived. The
  object key is URL-encoded in the notification (a space is ``+``), so it is decoded with ``unquote_plus``.
- ``s3:TestEvent``: what S3 sends once when the notification is configured; nothing to do.
- ``{"type": "reindex", "user_id", "document_id", "generation"}``: sent by the documents API.
- ``{"type": "continue", ..., "next_chunk"}``: sent by ingestion itself when an invocation runs out of time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_plus

OBJECT_CREATED_PREFIX: Final = "ObjectCreated:"
S3_TEST_EVENT: Final = "s3:TestEvent"
REINDEX: Final = "reindex"
CONTINUE: Final = "continue"


class UnknownMessage(ValueError):
    """A body that is none of the messages above: logged and dropped, never retried."""


@dataclass(frozen=True)
class ObjectCreated:
    key: str  # decoded
    size: int | None  # as S3 reported it


@dataclass(frozen=True)
class Reindex:
    user_id: str
    document_id: str
    generation: int


@dataclass(frozen=True)
class Continue:
    user_id: str
    document_id: str
    generation: int
    next_chunk: int


Message = ObjectCreated | Reindex | Continue


def parse_body(body: str) -> list[Message]:
    """The messages in one SQS body: none for S3's test event, one per ``ObjectCreated`` record of a
    notification (other S3 events are skipped), one for a reindex or a continuation."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise UnknownMessage(f"not JSON: {body[:100]!r}") from exc
    if not isinstance(data, dict):
        raise UnknownMessage(f"not a JSON object: {body[:100]!r}")
    if data.get("Event") == S3_TEST_EVENT:
        return []
    if "Records" in data:
        return _s3_records(data["Records"])
    kind = data.get("type")
    if kind == REINDEX:
        return [Reindex(_text(data, "user_id"), _text(data, "document_id"), _count(data, "generation", minimum=1))]
    if kind == CONTINUE:
        return [
            Continue(
                _text(data, "user_id"),
                _text(data, "document_id"),
                _count(data, "generation", minimum=1),
                _count(data, "next_chunk", minimum=0),
            )
        ]
    raise UnknownMessage(f"unknown message type {kind!r}" if kind else f"no message type: {body[:100]!r}")


def continue_body(user_id: str, document_id: str, generation: int, next_chunk: int) -> str:
    return json.dumps(
        {
            "type": CONTINUE,
            "user_id": user_id,
            "document_id": document_id,
            "generation": generation,
            "next_chunk": next_chunk,
        }
    )


def _s3_records(records: Any) -> list[Message]:
    if not isinstance(records, list):
        raise UnknownMessage("an S3 notification whose Records is not a list")
    messages: list[Message] = []
    for record in records:
        if not isinstance(record, dict):
            raise UnknownMessage("an S3 notification record that is not an object")
        if not str(record.get("eventName", "")).startswith(OBJECT_CREATED_PREFIX):
            continue
        s3_object = record.get("s3", {}).get("object", {}) if isinstance(record.get("s3"), dict) else {}
        key = s3_object.get("key") if isinstance(s3_object, dict) else None
        if not isinstance(key, str) or not key:
            raise UnknownMessage("an S3 ObjectCreated record without an object key")
        size = s3_object.get("size")
        messages.append(ObjectCreated(unquote_plus(key), size if isinstance(size, int) else None))
    return messages


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise UnknownMessage(f"a {data.get('type')} message without {name}")
    return value


def _count(data: dict[str, Any], name: str, *, minimum: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UnknownMessage(f"a {data.get('type')} message whose {name} is not an integer >= {minimum}")
    return value
