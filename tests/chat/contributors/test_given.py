from __future__ import annotations

import asyncio

from privategpt.chat.contributors import Given
from privategpt.chat.contributors.given import split_quick
from privategpt.llm.types import ChatMessage
from tests.chat.contributors.counting import MODEL, OVERHEAD, counting_llm


def test_quick_messages_keep_their_leading_system_messages_first() -> None:
    messages = (
        ChatMessage("system", "be brief"),
        ChatMessage("system", "be kind"),
        ChatMessage("user", "hi"),
        ChatMessage("system", "late note"),
    )
    lead, rest = split_quick(messages)
    assert (lead.slot, [m.content for m in lead.messages]) == ("system", ["be brief", "be kind"])
    assert (rest.slot, [m.content for m in rest.messages]) == ("history", ["hi", "late note"])


def test_given_messages_go_in_whole_whatever_the_budget() -> None:
    message = ChatMessage("user", "one two three")
    part = asyncio.run(Given((message,)).contribute(counting_llm(), MODEL, 0))
    assert part.messages == (message,)
    assert part.tokens == OVERHEAD + 3
    counted = asyncio.run(Given((message,), tokens=99).contribute(counting_llm(), MODEL, 0))
    assert counted.tokens == 99
