"""Opaque pagination cursors.

A cursor carries only the sort-key position of the last item returned. The partition keys are never in it:
they are filled in from the authenticated user on the way back, so a cursor cannot reach another user's
partition, and a doctored one is a 400, not a DynamoDB error.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from privategpt.errors import BadRequest

MAX_CURSOR_CHARS = 1024


def encode(last_evaluated_key: dict[str, dict[str, Any]] | None, fields: tuple[str, ...]) -> str | None:
    if not last_evaluated_key:
        return None
    position = [last_evaluated_key[name]["S"] for name in fields]
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    cursor: str | None,
    fields: tuple[str, ...],
    prefixes: tuple[str, ...],
    fixed: dict[str, str],
) -> dict[str, dict[str, Any]] | None:
    """Rebuild an ExclusiveStartKey; each position field must start with its expected prefix."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("invalid cursor", details={"field": "cursor"}) from exc
    valid = (
        isinstance(position, list)
        and len(position) == len(fields)
        and all(isinstance(v, str) and v.startswith(p) for v, p in zip(position, prefixes, strict=True))
    )
    if not valid:
        raise BadRequest("invalid cursor", details={"field": "cursor"})
    key = {name: {"S": value} for name, value in fixed.items()}
    key.update({name: {"S": value} for name, value in zip(fields, position, strict=True)})
    return key
