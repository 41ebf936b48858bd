"""Conversation and message repositories against DynamoDB Local: atomic counters, concurrent appends, conditions."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from privategpt.errors import NotFound
from privategpt.settings import Settings
from privategpt.storage import conversations as repository
from privategpt.storage import messages as message_repository
from privategpt.storage import users
from privategpt.storage.conversations import TokenUsage
from privategpt.storage.messages import NewMessage


@pytest.fixture
def user_id(settings: Settings) -> str:
    return uuid.uuid4().hex


def test_concurrent_appends_keep_exact_counts(user_id: str) -> None:
    conversation = repository.create(user_id, "busy", None, None)
    cid = conversation.conversation_id

    def append(i: int) -> None:
        message_repository.append_message(
            user_id,
            cid,
            NewMessage(role="assistant", content=f"r{i}", usage=TokenUsage(input_tokens=10, output_tokens=i)),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append, range(40)))
    stored = repository.get(user_id, cid)
    assert stored.message_count == 40
    assert stored.input_tokens == 400
    assert stored.output_tokens == sum(range(40))
    assert stored.total_tokens == 400 + sum(range(40))
    messages = message_repository.list_messages(user_id, cid, 100, None).items
    assert len(messages) == 40
    assert sum(m.total_tokens for m in messages) == stored.total_tokens


def test_concurrent_usage_adds_never_drift(user_id: str) -> None:
    cid = repository.create(user_id, "usage", None, None).conversation_id
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: repository.add_usage(user_id, cid, TokenUsage(3, 4)), range(50)))
    stored = repository.get(user_id, cid)
    assert (stored.input_tokens, stored.output_tokens, stored.total_tokens) == (150, 200, 350)


def test_append_to_deleted_or_missing_conversation_is_404_and_leaves_nothing(user_id: str) -> None:
    cid = repository.create(user_id, "gone", None, None).conversation_id
    repository.soft_delete(user_id, cid)
    with pytest.raises(NotFound):
        message_repository.append_message(user_id, cid, NewMessage(role="user", content="late"))
    with pytest.raises(NotFound):
        message_repository.append_message(
            user_id, "01aaaaaaaaaaaaaaaaaaaaaaaa", NewMessage(role="user", content="nowhere")
        )
    repository.hard_delete(user_id, cid)
    with pytest.raises(NotFound):
        repository.get(user_id, cid)


def test_get_with_messages_pages_after_the_first_batch(user_id: str) -> None:
    cid = repository.create(user_id, "long", None, None).conversation_id
    for i in range(5):
        message_repository.append_message(user_id, cid, NewMessage(role="user", content=str(i)))
    conversation, first = message_repository.get_with_messages(user_id, cid, limit=3)
    assert conversation.conversation_id == cid
    assert [m.content for m in first.items] == ["0", "1", "2"]
    assert first.next_cursor is not None
    rest = message_repository.list_messages(user_id, cid, 10, first.next_cursor)
    assert [m.content for m in rest.items] == ["3", "4"]


def test_user_upsert_creates_once_and_refreshes_profile(settings: Settings) -> None:
    user_id = uuid.uuid4().hex
    first = users.upsert(user_id, "iss", "sub", "a@x.test", "A")
    created = users.get(user_id)
    assert created is not None and created.email == "a@x.test"
    users.upsert(user_id, "iss", "sub", None, "A2")
    again = users.get(user_id)
    assert again is not None
    assert again.created_at == created.created_at
    assert again.email is None and again.name == "A2"
    assert again.last_seen_at >= first.last_seen_at


def _cancelled(*codes: str) -> Exception:
    """A cancelled transaction as pynamodb raises it (the reasons kept on its verbose error)."""
    from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

    response = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}}
    reasons = [CancellationReason(code=code) if code != "None" else None for code in codes]
    cause = VerboseClientError(response, "TransactWriteItems", cancellation_reasons=reasons)
    return TransactWriteError("Failed to write transaction items", cause)


def test_a_transaction_cancelled_by_a_conflict_is_tried_again(user_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real DynamoDB cancels one of two transactions that touch one conversation at once; nothing was written,
    so the append is tried again and lands exactly once."""
    from privategpt.storage import db

    cid = repository.create(user_id, "raced", None, None).conversation_id
    connection = db.connection()
    real = connection.transact_write_items
    failures = [_cancelled("None", "TransactionConflict"), _cancelled("TransactionConflict", "None")]

    def flaky(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop(0)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(connection, "transact_write_items", flaky)
    message_repository.append_message(user_id, cid, NewMessage(role="user", content="once"))
    assert not failures
    assert [m.content for m in message_repository.list_messages(user_id, cid, 10, None).items] == ["once"]
    assert repository.get(user_id, cid).message_count == 1


def test_a_cancelled_transaction_for_a_deleted_conversation_is_a_404(user_id: str) -> None:
    cid = repository.create(user_id, "gone", None, None).conversation_id
    repository.soft_delete(user_id, cid)
    with pytest.raises(NotFound):
        message_repository.append_message(user_id, cid, NewMessage(role="user", content="late"))
