"""Conversations (their items, listing, counters, deletion). Every function takes the owner's user id first: it is
the partition. Messages are in ``storage/messages.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action
from pynamodb.models import BatchWrite

from privategpt.clock import isoformat, utcnow
from privategpt.errors import NotFound
from privategpt.storage import cursor, table
from privategpt.storage.expressions import assignments, condition_failed
from privategpt.storage.ids import is_id, new_id
from privategpt.storage.models import ConversationItem, TableItem

ACTIVE = "active"
DELETED = "deleted"

_LIST_FIELDS = (table.SK, table.GSI1SK)


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


def not_found() -> NotFound:
    return NotFound("conversation not found")


def conversation_key(user_id: str, conversation_id: str) -> tuple[str, str]:
    if not is_id(conversation_id):
        raise not_found()
    return table.user_pk(user_id), table.conversation_sk(conversation_id)


def _listed(item: ConversationItem, updated_at: datetime) -> None:
    item.gsi1pk = table.conversations_gsi_pk(item.user_id)
    item.gsi1sk = f"{isoformat(updated_at)}#{item.conversation_id}"


def create(
    user_id: str, title: str, model: str | None, system_prompt_id: str | None, tools: str | None = None
) -> ConversationItem:
    now = utcnow()
    conversation_id = new_id()
    item = ConversationItem(
        table.user_pk(user_id),
        table.conversation_sk(conversation_id),
        conversation_id=conversation_id,
        user_id=user_id,
        title=title,
        model=model,
        system_prompt_id=system_prompt_id,
        tools=tools,
        status=ACTIVE,
        created_at=now,
        updated_at=now,
    )
    _listed(item, now)
    item.save(condition=ConversationItem.sk.does_not_exist())
    return item


def get(user_id: str, conversation_id: str) -> ConversationItem:
    pk, sk = conversation_key(user_id, conversation_id)
    try:
        item = ConversationItem.get(pk, sk, consistent_read=True)
    except ConversationItem.DoesNotExist:
        raise not_found() from None
    if item.status != ACTIVE:
        raise not_found()
    return item


def list_active(user_id: str, limit: int, after: str | None) -> Page[ConversationItem]:
    gsi_pk = table.conversations_gsi_pk(user_id)
    start = cursor.decode(
        after,
        _LIST_FIELDS,
        prefixes=(table.conversation_sk(""), ""),
        fixed={table.PK: table.user_pk(user_id), table.GSI1PK: gsi_pk},
        scope=gsi_pk,
    )
    results = ConversationItem.by_updated.query(gsi_pk, scan_index_forward=False, limit=limit, last_evaluated_key=start)
    items = [item for item in results if isinstance(item, ConversationItem)]
    return Page(items, cursor.encode(results.last_evaluated_key, _LIST_FIELDS, scope=gsi_pk))


def update(user_id: str, conversation_id: str, changes: dict[str, Any]) -> ConversationItem:
    """Set the given fields (title, model, system_prompt_id, tools; None clears) on an active conversation."""
    item = get(user_id, conversation_id)
    now = utcnow()
    actions = [ConversationItem.updated_at.set(now), *assignments(ConversationItem, changes)]
    _listed(item, now)
    actions.append(ConversationItem.gsi1sk.set(item.gsi1sk))
    try:
        item.update(actions=actions, condition=ConversationItem.status == ACTIVE)
    except UpdateError as exc:
        if condition_failed(exc):
            raise not_found() from exc
        raise
    return item


def soft_delete(user_id: str, conversation_id: str) -> None:
    """Hide the conversation: out of the list (index keys removed), 404 on read, no more appends."""
    pk, sk = conversation_key(user_id, conversation_id)
    item = ConversationItem(pk, sk)
    try:
        item.update(
            actions=[
                ConversationItem.status.set(DELETED),
                ConversationItem.deleted_at.set(utcnow()),
                ConversationItem.gsi1pk.remove(),
                ConversationItem.gsi1sk.remove(),
            ],
            condition=ConversationItem.status == ACTIVE,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            raise not_found() from exc
        raise


def hard_delete(user_id: str, conversation_id: str) -> None:
    """Remove the conversation and all its messages. Works on a soft-deleted conversation too (a purge).

    The conversation is marked deleted first, which stops appends, so no message can land after the
    sweep; the sweep deletes messages before the conversation, so an interrupted purge can be repeated.
    """
    pk, sk = conversation_key(user_id, conversation_id)
    try:
        soft_delete(user_id, conversation_id)
    except NotFound:
        if not _exists(pk, sk):
            raise
    while True:
        keys = [item.sk for item in TableItem.query(pk, TableItem.sk.startswith(sk), consistent_read=True)]
        if not keys:
            return
        keys.sort(key=lambda key: key == sk)  # the conversation item goes last
        with BatchWrite(TableItem) as batch:
            for key in keys:
                batch.delete(TableItem(pk, key))


def add_usage(user_id: str, conversation_id: str, usage: TokenUsage) -> None:
    """Add token counts to a conversation's totals with atomic ADDs (no read-modify-write)."""
    pk, sk = conversation_key(user_id, conversation_id)
    try:
        ConversationItem(pk, sk).update(actions=usage_actions(usage), condition=ConversationItem.sk.exists())
    except UpdateError as exc:
        if condition_failed(exc):
            raise not_found() from exc
        raise


def usage_actions(usage: TokenUsage) -> list[Action]:
    return [
        ConversationItem.input_tokens.add(usage.input_tokens),
        ConversationItem.output_tokens.add(usage.output_tokens),
        ConversationItem.total_tokens.add(usage.total_tokens),
    ]


def _exists(pk: str, sk: str) -> bool:
    try:
        ConversationItem.get(pk, sk, consistent_read=True, attributes_to_get=[table.SK])
    except ConversationItem.DoesNotExist:
        return False
    return True
