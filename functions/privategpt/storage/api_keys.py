"""API keys: a listing item in the owner's partition and a lookup item under the key's hash, written and deleted
together. Only the hash of a key is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from privategpt.clock import utcnow
from privategpt.errors import NotFound
from privategpt.storage import db, table
from privategpt.storage.expressions import condition_failed
from privategpt.storage.models import ApiKeyItem, ApiKeyLookupItem


@dataclass(frozen=True)
class Owner:
    user_id: str
    issuer: str
    subject: str
    roles: frozenset[str]


def not_found() -> NotFound:
    return NotFound("API key not found")


def create(owner: Owner, key_id: str, key_hash: str, name: str, prefix: str, expires_at: int | None) -> ApiKeyItem:
    user_id = owner.user_id
    listing = ApiKeyItem(
        table.user_pk(user_id),
        table.api_key_sk(key_id),
        key_id=key_id,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    lookup = ApiKeyLookupItem(
        table.api_key_pk(key_hash),
        table.API_KEY_LOOKUP_SK,
        key_id=key_id,
        user_id=user_id,
        issuer=owner.issuer,
        subject=owner.subject,
        roles=json.dumps(sorted(owner.roles)),
        expires_at=expires_at,
    )
    with TransactWrite(connection=db.connection()) as transaction:
        transaction.save(listing, condition=ApiKeyItem.sk.does_not_exist())
        transaction.save(lookup, condition=ApiKeyLookupItem.pk.does_not_exist())
    return listing


def list_keys(user_id: str) -> list[ApiKeyItem]:
    items = ApiKeyItem.query(
        table.user_pk(user_id), ApiKeyItem.sk.startswith(table.API_KEY_PREFIX), consistent_read=True
    )
    return [item for item in items if isinstance(item, ApiKeyItem)]


def count(user_id: str) -> int:
    return ApiKeyItem.count(table.user_pk(user_id), ApiKeyItem.sk.startswith(table.API_KEY_PREFIX))


def lookup(key_hash: str) -> ApiKeyLookupItem | None:
    try:
        item = ApiKeyLookupItem.get(table.api_key_pk(key_hash), table.API_KEY_LOOKUP_SK, consistent_read=True)
    except ApiKeyLookupItem.DoesNotExist:
        return None
    return item if isinstance(item, ApiKeyLookupItem) else None


def revoke(user_id: str, key_id: str) -> None:
    """Delete both items at once; a key that is not the user's is a 404."""
    try:
        listing = ApiKeyItem.get(table.user_pk(user_id), table.api_key_sk(key_id), consistent_read=True)
    except ApiKeyItem.DoesNotExist as exc:
        raise not_found() from exc
    if not isinstance(listing, ApiKeyItem):
        raise not_found()
    lookup_item = ApiKeyLookupItem(table.api_key_pk(listing.key_hash), table.API_KEY_LOOKUP_SK)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.delete(listing, condition=ApiKeyItem.sk.exists())
            transaction.delete(lookup_item)
    except TransactWriteError as exc:
        if condition_failed(exc):  # revoked concurrently
            raise not_found() from exc
        raise


def touch(user_id: str, key_id: str, when: datetime) -> None:
    """Record a use (best effort: a key revoked meanwhile is not recreated)."""
    item = ApiKeyItem(table.user_pk(user_id), table.api_key_sk(key_id))
    try:
        item.update(actions=[ApiKeyItem.last_used_at.set(when)], condition=ApiKeyItem.sk.exists())
    except Exception as exc:
        if not condition_failed(exc):
            raise
