"""Opaque pagination cursors.

A cursor carries only the sort-key position of the last item returned. The partition keys are never in it:
they are filled in from the authenticated user on the way back, so a cursor cannot reach another user's
partition, and a doctored one is a 400, not a DynamoDB error.

Each cursor also carries a check: a digest of the position and the query's *scope* (the caller's partition).
A cursor edited by hand, or made for another user, fails it and is a 400 rather than a quiet empty page. The
digest is not secret (there is nothing to protect: a cursor only ever moves within the caller's own data);
it tells a caller their cursor is not one we issued to them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from privategpt.errors import BadRequest

MAX_CURSOR_CHARS = 1024
_CHECK_CHARS = 16


def _check(scope: str, position: list[Any]) -> str:
    raw = json.dumps([scope, position], separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()[:_CHECK_CHARS]


def _invalid() -> BadRequest:
    return BadRequest("invalid cursor", details={"field": "cursor"})


def encode(
    last_evaluated_key: dict[str, dict[str, Any]] | None, fields: tuple[str, ...], *, scope: str = ""
) -> str | None:
    if not last_evaluated_key:
        return None
    position: list[Any] = [last_evaluated_key[name]["S"] for name in fields]
    raw = json.dumps([*position, _check(scope, position)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    cursor: str | None,
    fields: tuple[str, ...],
    prefixes: tuple[str, ...],
    fixed: dict[str, str],
    *,
    scope: str = "",
) -> dict[str, dict[str, Any]] | None:
    """Rebuild an ExclusiveStartKey; each position field must start with its expected prefix, and the
    check must match the position and ``scope`` (the value ``encode`` was given)."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    if not isinstance(decoded, list) or len(decoded) != len(fields) + 1:
        raise _invalid()
    *position, check = decoded
    valid = all(isinstance(v, str) and v.startswith(p) for v, p in zip(position, prefixes, strict=True))
    if not valid or check != _check(scope, position):
        raise _invalid()
    key = {name: {"S": value} for name, value in fixed.items()}
    key.update({name: {"S": value} for name, value in zip(fields, position, strict=True)})
    return key
