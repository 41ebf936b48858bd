"""Messages of a conversation: appending one (a transaction that also bumps the conversation's counters and
may carry other writes), reading them for a turn's context, and paging through them. Every function takes the
owner's user id first: it is the partition."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.models import BatchWrite
from pynamodb.transactions import TransactWrite

from privategpt.clock import isoformat, utcnow
from privategpt.errors import NotFound
from privategpt.storage import conversations, cursor, db, table
from privategpt.storage.conversations import Page, TokenUsage
from privategpt.storage.expressions import condition_failed, transaction_conflict
from privategpt.storage.ids import is_id, new_id
from privategpt.storage.models import ConversationItem, MessageItem, TableItem
from privategpt.storage.transactions import Write

_CONFLICT_BACKOFF_SECONDS = 0.025  # first wait before a cancelled transaction is tried again (doubles)
_MESSAGE_FIELDS = (table.SK,)


@dataclass(frozen=True)
class NewMessage:
    role: str
    content: str
    model: str | None = None
    provider: str | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)
    token_count: int = 0
    status: str = "complete"
    thinking: str | None = None
    stop_reason: str | None = None
    error_code: str | None = None
    latency_ms: float | None = None
    time_to_first_token_ms: float | None = None
    message_id: str | None = None  # pre-assigned (a stream announces its id before the message exists)
    usage_estimated: bool = False
    sources: str | None = None  # JSON of the cited sources
    tool_calls: str | None = None  # JSON of the tool calls and their results


def append_message(
    user_id: str,
    conversation_id: str,
    new: NewMessage,
    *,
    title: str | None = None,
    also: Sequence[Write] = (),
) -> MessageItem:
    """Store a message and bump the conversation's counters in one transaction (atomic ADDs).

    An assistant message also records its model as the conversation's current one; ``title`` renames the
    conversation in the same write, and ``also`` adds other repositories' writes (a stream session, usage)
    to the transaction: one round trip, all or nothing.
    """
    pk, sk = conversations.conversation_key(user_id, conversation_id)
    now = utcnow()
    message_id = new.message_id or new_id()
    message = MessageItem(
        pk,
        table.message_prefix(conversation_id) + message_id,
        message_id=message_id,
        conversation_id=conversation_id,
        role=new.role,
        content=new.content,
        model=new.model,
        provider=new.provider,
        input_tokens=new.usage.input_tokens,
        output_tokens=new.usage.output_tokens,
        total_tokens=new.usage.total_tokens,
        token_count=new.token_count,
        status=new.status,
        thinking=new.thinking or None,
        stop_reason=new.stop_reason,
        error_code=new.error_code,
        latency_ms=round(new.latency_ms, 1) if new.latency_ms is not None else None,
        time_to_first_token_ms=(
            round(new.time_to_first_token_ms, 1) if new.time_to_first_token_ms is not None else None
        ),
        usage_estimated=new.usage_estimated or None,
        sources=new.sources,
        tool_calls=new.tool_calls,
        created_at=now,
    )
    conversation = ConversationItem(pk, sk)
    gsi1sk = f"{isoformat(now)}#{conversation_id}"
    actions = [
        *conversations.usage_actions(new.usage),
        ConversationItem.message_count.add(1),
        ConversationItem.updated_at.set(now),
        ConversationItem.gsi1sk.set(gsi1sk),
    ]
    if new.role == "assistant" and new.model:
        actions.append(ConversationItem.model.set(new.model))
    if title is not None:
        actions.append(ConversationItem.title.set(title))
    connection = db.connection()
    attempt = 0
    while True:
        try:
            with TransactWrite(connection=connection) as transaction:
                transaction.save(message, condition=MessageItem.sk.does_not_exist())
                transaction.update(
                    conversation, actions=actions, condition=ConversationItem.status == conversations.ACTIVE
                )
                for write in also:
                    write(transaction)
            return message
        except TransactWriteError as exc:
            if condition_failed(exc):  # the conversation is gone or deleted
                raise conversations.not_found() from exc
            # Two replies saved to one conversation at once: DynamoDB cancels one whole; it is tried again.
            if not transaction_conflict(exc) or attempt >= connection.client_settings.max_retries:
                raise
        attempt += 1
        time.sleep(random.uniform(0, _CONFLICT_BACKOFF_SECONDS * 2**attempt))  # noqa: S311 - jitter


# What a turn reads: the whole conversation item, and of each message only what a context is built from
# (not thinking, usage or timings: reading and parsing those would grow with every turn for nothing).
_TURN_ATTRIBUTES = sorted(
    {
        attribute.attr_name
        for model, names in (
            (ConversationItem, list(ConversationItem.get_attributes())),
            (
                MessageItem,
                [
                    "pk",
                    "sk",
                    "kind",
                    "message_id",
                    "conversation_id",
                    "role",
                    "content",
                    "token_count",
                    "status",
                    "tool_calls",
                    "created_at",
                ],
            ),
        )
        for attribute in (model.get_attributes()[name] for name in names)
    }
)


def load_for_turn(user_id: str, conversation_id: str, limit: int) -> tuple[ConversationItem, list[MessageItem]]:
    """The conversation and its latest ``limit`` messages (oldest first), for building a model's context.

    One query, newest first: the conversation's own key sorts before its messages', so it comes last and is
    included whenever the conversation holds at most ``limit`` messages; a longer one costs a second read."""
    pk, sk = conversations.conversation_key(user_id, conversation_id)
    results = TableItem.query(
        pk,
        TableItem.sk.startswith(sk),
        scan_index_forward=False,
        limit=limit + 1,
        consistent_read=True,
        attributes_to_get=_TURN_ATTRIBUTES,
    )
    items = list(results)
    last = items[-1] if items else None
    found = last if isinstance(last, ConversationItem) else None
    if found is not None:
        items.pop()
    messages = [item for item in reversed(items[:limit]) if isinstance(item, MessageItem)]
    if found is None:
        return conversations.get(user_id, conversation_id), messages
    if found.status != conversations.ACTIVE:
        raise conversations.not_found()
    return found, messages


def get_with_messages(user_id: str, conversation_id: str, limit: int) -> tuple[ConversationItem, Page[MessageItem]]:
    """The conversation and its first ``limit`` messages, in order, from one query."""
    pk, sk = conversations.conversation_key(user_id, conversation_id)
    results = TableItem.query(
        pk, TableItem.sk.startswith(sk), limit=limit + 1, consistent_read=True, scan_index_forward=True
    )
    items = list(results)
    if not items or not isinstance(items[0], ConversationItem) or items[0].status != conversations.ACTIVE:
        raise conversations.not_found()
    conversation = items[0]
    messages = [m for m in items[1:] if isinstance(m, MessageItem)]
    next_cursor = None
    if results.last_evaluated_key is not None and messages:
        next_cursor = cursor.encode({table.SK: {"S": messages[-1].sk}}, _MESSAGE_FIELDS, scope=pk)
    return conversation, Page(messages, next_cursor)


def list_messages(user_id: str, conversation_id: str, limit: int, after: str | None) -> Page[MessageItem]:
    conversations.get(user_id, conversation_id)
    pk = table.user_pk(user_id)
    prefix = table.message_prefix(conversation_id)
    start = cursor.decode(after, _MESSAGE_FIELDS, prefixes=(prefix,), fixed={table.PK: pk}, scope=pk)
    results = MessageItem.query(
        pk, MessageItem.sk.startswith(prefix), limit=limit, last_evaluated_key=start, consistent_read=True
    )
    items = list(results)
    return Page(items, cursor.encode(results.last_evaluated_key, _MESSAGE_FIELDS, scope=pk))


def delete_from(user_id: str, conversation_id: str, message_id: str) -> int:
    """Delete the message ``message_id`` and every later one of the conversation (regenerate, edit and resend);
    the conversation's message count drops by as many, its token totals (what was spent) stay. Returns the count.

    The conversation must be active and hold the message (404 otherwise). Messages sort by id, which grows with
    time, so "later" is one key range; a reply saved while this runs lands after it and is kept."""
    conversations.get(user_id, conversation_id)
    if not is_id(message_id):
        raise NotFound("message not found", details={"message_id": message_id[:64]})
    pk = table.user_pk(user_id)
    first = table.message_prefix(conversation_id) + message_id
    last = table.message_prefix(conversation_id) + "\U0010ffff"
    keys = [item.sk for item in MessageItem.query(pk, MessageItem.sk.between(first, last), consistent_read=True)]
    if not keys or keys[0] != first:
        raise NotFound("message not found", details={"message_id": message_id})
    with BatchWrite(TableItem) as batch:
        for key in keys:
            batch.delete(TableItem(pk, key))
    conversation = ConversationItem(*conversations.conversation_key(user_id, conversation_id))
    try:
        conversation.update(
            actions=[ConversationItem.message_count.add(-len(keys)), ConversationItem.updated_at.set(utcnow())],
            condition=ConversationItem.status == conversations.ACTIVE,
        )
    except UpdateError as exc:
        if not condition_failed(exc):  # deleted meanwhile: the messages are gone with it anyway
            raise
    return len(keys)
