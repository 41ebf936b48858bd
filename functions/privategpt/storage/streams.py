"""Stream sessions: created in phase 1, consumed exactly once in phase 2."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from privategpt.clock import utcnow
from privategpt.errors import AppError, NotFound
from privategpt.storage import table
from privategpt.storage.expressions import condition_failed
from privategpt.storage.models import StreamSessionItem
from privategpt.storage.transactions import Write


class StreamGone(AppError):
    status_code = 410
    code = "stream_gone"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session(
    token: str,
    *,
    user_id: str,
    conversation_id: str,
    user_message_id: str,
    model: str,
    system_prompt_id: str | None,
    options: str,
    plan: bytes | None,
    ttl_seconds: int,
) -> tuple[Write, datetime]:
    """The session as one write of the transaction that saves the user message, and when it expires.

    Stored under the token's hash. ``plan`` (the planned provider request) lets phase 2 start the provider
    call from this item alone; without it phase 2 plans again from the conversation."""
    now = utcnow()
    expires = int(time.time()) + ttl_seconds
    item = StreamSessionItem(
        table.stream_pk(token_hash(token)),
        table.STREAM_SK,
        user_id=user_id,
        conversation_id=conversation_id,
        user_message_id=user_message_id,
        model=model,
        system_prompt_id=system_prompt_id,
        options=options,
        plan=plan,
        created_at=now,
        expires_at=expires,
    )

    def write(transaction: TransactWrite) -> None:
        transaction.save(item, condition=StreamSessionItem.pk.does_not_exist())

    return write, datetime.fromtimestamp(expires, tz=now.tzinfo)


def consume(token: str) -> StreamSessionItem:
    """Mark the session used, atomically: one caller wins; a second use or a late one is 410, an unknown 404.

    One round trip for the winner: the update returns the whole session (plan included)."""
    item = StreamSessionItem(table.stream_pk(token_hash(token)), table.STREAM_SK)
    now = int(time.time())
    try:
        item.update(
            actions=[StreamSessionItem.consumed_at.set(utcnow())],
            condition=(
                StreamSessionItem.pk.exists()
                & StreamSessionItem.consumed_at.does_not_exist()
                & (StreamSessionItem.expires_at > now)
            ),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        try:
            existing = StreamSessionItem.get(item.pk, item.sk, consistent_read=True)
        except StreamSessionItem.DoesNotExist:
            raise NotFound("unknown stream token") from None
        if existing.consumed_at is not None:
            raise StreamGone("this stream token was already used") from None
        raise StreamGone("this stream token has expired") from None
    return item
