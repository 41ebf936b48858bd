"""API keys: made and revoked by their owner, and accepted as bearer tokens in place of a JWT.

A key is ``pgpt-`` + 256 random bits. Only its SHA-256 is stored; checking one costs one GetItem, cached in the
process for ``PGPT_API_KEY_CACHE_SECONDS`` (the bound on how late a revocation takes effect in a warm process).
A key acts as its owner with the roles the owner had when it was made, never the admin role.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from datetime import UTC, datetime

from privategpt.auth.principal import Principal
from privategpt.clock import utcnow
from privategpt.errors import Conflict, Unauthorized, ValidationFailed, check_length
from privategpt.keys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyOut
from privategpt.settings import Settings
from privategpt.storage import api_keys as repository
from privategpt.storage.ids import is_id, new_id
from privategpt.storage.models import ApiKeyItem

KEY_PREFIX = "pgpt-"
_SECRET_BYTES = 32
_SHOWN_CHARS = 12  # of the key, kept to recognise it in a list
_DAY_SECONDS = 86_400

# key hash -> (principal, key id, expiry epoch or None, monotonic time the entry is trusted until)
_checked: dict[str, tuple[Principal, str, int | None, float]] = {}
_last_touch: dict[str, float] = {}
_lock = threading.Lock()


def is_api_key(token: str) -> bool:
    return token.startswith(KEY_PREFIX)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _epoch(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _out(item: ApiKeyItem) -> ApiKeyOut:
    return ApiKeyOut(
        id=item.key_id,
        name=item.name,
        prefix=item.prefix,
        created_at=item.created_at,
        expires_at=_epoch(item.expires_at),
        last_used_at=item.last_used_at,
    )


def create(principal: Principal, body: ApiKeyCreate, settings: Settings) -> ApiKeyCreated:
    check_length("name", body.name, settings.api_key_max_name_chars)
    if body.expires_in_days is not None and body.expires_in_days > settings.api_key_max_days:
        raise ValidationFailed(
            f"expires_in_days is more than {settings.api_key_max_days}",
            details={"field": "expires_in_days", "limit": settings.api_key_max_days},
        )
    if repository.count(principal.user_id) >= settings.api_key_max_per_user:
        raise Conflict(
            f"at most {settings.api_key_max_per_user} API keys per user: revoke one first",
            details={"limit": settings.api_key_max_per_user},
        )
    key = KEY_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    expires = int(time.time()) + body.expires_in_days * _DAY_SECONDS if body.expires_in_days else None
    owner = repository.Owner(
        principal.user_id, principal.issuer, principal.subject, principal.roles - {settings.auth_admin_role}
    )
    item = repository.create(owner, new_id(), key_hash(key), body.name, key[:_SHOWN_CHARS], expires)
    return ApiKeyCreated(**_out(item).model_dump(), key=key)


def list_keys(principal: Principal) -> ApiKeyList:
    items = sorted(repository.list_keys(principal.user_id), key=lambda item: item.created_at, reverse=True)
    return ApiKeyList(items=[_out(item) for item in items])


def revoke(principal: Principal, key_id: str) -> None:
    if not is_id(key_id):
        raise repository.not_found()
    repository.revoke(principal.user_id, key_id)
    with _lock:  # this process stops accepting it at once; others within PGPT_API_KEY_CACHE_SECONDS
        for digest in [d for d, entry in _checked.items() if entry[1] == key_id]:
            del _checked[digest]


def authenticate(key: str, settings: Settings) -> Principal:
    """The owner of a presented key; 401 for an unknown, revoked or expired one."""
    digest = key_hash(key)
    now = time.monotonic()
    with _lock:
        cached = _checked.get(digest)
    if cached is None or cached[3] <= now:
        item = repository.lookup(digest)
        if item is None:
            raise Unauthorized("invalid or revoked API key")
        principal = Principal(
            user_id=item.user_id, issuer=item.issuer, subject=item.subject, roles=frozenset(json.loads(item.roles))
        )
        expiry = int(item.expires_at) if item.expires_at is not None else None
        cached = (principal, item.key_id, expiry, now + settings.api_key_cache_seconds)
        with _lock:
            if len(_checked) >= settings.user_cache_max_entries:
                _checked.clear()
            _checked[digest] = cached
    principal, key_id, expires_epoch, _ = cached
    if expires_epoch is not None and expires_epoch <= time.time():  # DynamoDB's TTL deletes it later, maybe days later
        raise Unauthorized("the API key has expired")
    _record_use(principal.user_id, key_id, settings)
    return principal


def _record_use(user_id: str, key_id: str, settings: Settings) -> None:
    now = time.monotonic()
    with _lock:
        last = _last_touch.get(key_id)
        if last is not None and now - last < settings.api_key_last_used_interval_seconds:
            return
        if len(_last_touch) >= settings.user_cache_max_entries:
            _last_touch.clear()
        _last_touch[key_id] = now
    repository.touch(user_id, key_id, utcnow())
