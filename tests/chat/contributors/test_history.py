from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from privategpt.chat.contributors import History
from privategpt.chat.tool_context import ToolRecord
from privategpt.storage.models import MessageItem
from tests.chat.contributors.counting import MODEL, OVERHEAD, counting_llm, words


def item(role: str, content: str, *, status: str = "complete", tokens: int = 0) -> MessageItem:
    return MessageItem(
        "pk",
        f"sk-{content[:8]}",
        message_id="m",
        conversation_id="c",
        role=role,
        content=content,
        status=status,
        token_count=tokens,
        created_at=datetime.now(UTC),
    )


def test_newest_messages_that_fit_oldest_first() -> None:
    items = [item("user", words(10, "a")), item("assistant", words(10, "b")), item("user", words(10, "c"))]
    part = asyncio.run(History(items).contribute(counting_llm(), MODEL, 2 * (OVERHEAD + 10)))
    assert [m.content[0] for m in part.messages] == ["b", "c"]
    assert part.tokens == 2 * (OVERHEAD + 10)
    assert part.slot == "history"


def test_stored_sizes_are_trusted() -> None:
    items = [item("user", "short", tokens=500)]
    part = asyncio.run(History(items).contribute(counting_llm(), MODEL, 499))
    assert part.messages == ()


def test_failed_empty_and_system_messages_are_left_out() -> None:
    items = [
        item("user", "kept question"),
        item("assistant", "", status="error"),
        item("assistant", "broken", status="error"),
        item("system", "not history"),
        item("assistant", "partial answer", status="incomplete"),
    ]
    part = asyncio.run(History(items).contribute(counting_llm(), MODEL, 10_000))
    assert [m.content for m in part.messages] == ["kept question", "partial answer"]


def test_the_message_being_answered_is_kept_even_when_too_large() -> None:
    items = [item("user", words(50))]
    assert asyncio.run(History(items).contribute(counting_llm(), MODEL, 10)).messages == ()
    kept = asyncio.run(History(items, keep_newest=True).contribute(counting_llm(), MODEL, 10))
    assert len(kept.messages) == 1
    assert kept.tokens == OVERHEAD + 50


def test_last_user_text_is_the_question() -> None:
    items = [item("user", "first"), item("assistant", "reply"), item("user", "second"), item("assistant", "x")]
    assert History(items).last_user_text() == "second"
    assert History([]).last_user_text() is None


def test_a_reply_that_called_tools_is_replayed_with_them_and_counted_as_replayed() -> None:
    record = ToolRecord("c1", "list_files", "list_files", "privategpt", {}, True, "a.md b.md", 3.0, 1)
    reply = item("assistant", "Two files.", tokens=2)
    reply.tool_calls = json.dumps([record.view()])
    items = [item("user", "what files?"), reply]
    offered = asyncio.run(History(items, tools_offered=True).contribute(counting_llm(), MODEL, 10_000))
    assert [m.role for m in offered.messages] == ["user", "assistant", "tool", "assistant"]
    assert offered.messages[1].tool_calls[0].id == "c1" and "a.md b.md" in offered.messages[2].content
    assert offered.tokens == sum(OVERHEAD + len(m.content.split()) for m in offered.messages)  # not the stored 2
    plain = asyncio.run(History(items).contribute(counting_llm(), MODEL, 10_000))
    assert [m.role for m in plain.messages] == ["user", "assistant"]
    assert plain.messages[1].content.startswith("[Tools called for this answer: list_files({}) -> ok: a.md b.md]")
