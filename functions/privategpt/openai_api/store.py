"""``store: true``: a completion saved as a new conversation, so it shows in the web app and can be continued.

The caller's user and assistant messages (their text; system and tool messages are not kept) come first, then
the reply, saved with the usage it cost in one transaction (``chat.persist.save_reply``), as chat saves its replies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from privategpt.chat import persist
from privategpt.chat.persist import Reply
from privategpt.chat.plan import Turn
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.storage import conversations
from privategpt.storage import messages as repository
from privategpt.storage.messages import NewMessage
from privategpt.storage.models import ConversationItem

if TYPE_CHECKING:
    from privategpt.openai_api.service import Accepted


async def save_exchange(llm: LLMService, accepted: Accepted, reply: Reply, settings: Settings) -> str:
    """The new conversation's id."""
    model = accepted.prepared.model
    kept = [m for m in accepted.messages if m.role in ("user", "assistant") and m.content]
    sizes = [llm.count_message(model, m) for m in kept]
    user_id = accepted.principal.user_id

    def write() -> ConversationItem:
        item = conversations.create(user_id, settings.default_conversation_title, model.id, None)
        first_user = next((m for m in kept if m.role == "user"), None)
        for message, size in zip(kept, sizes, strict=True):
            title = persist.title_for(message.content, settings) if message is first_user else None
            repository.append_message(
                user_id,
                item.conversation_id,
                NewMessage(role=message.role, content=message.content, token_count=size, model=None),
                title=title,
            )
        return item

    conversation = await run_in_threadpool(write)
    turn = Turn(user_id, conversation.conversation_id, accepted.prepared, None, 0, conversation, accepted.sources)
    await persist.save_reply(turn, reply)
    return conversation.conversation_id
