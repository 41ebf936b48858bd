"""Building a turn's context: the conversation and model, then each contributor's share of the window.

Contributors, in order: the system prompt, the new message (both must fit), then history, newest first, while
it fits what the window leaves after the answer's reserve. History sizes come from each message's stored token
count, so nothing stored is tokenized again. The result goes through ``LLMService.prepare`` (the context check).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.chat.plan import Turn
from privategpt.llm.service import LLMService
from privategpt.llm.tokens import REPLY_PRIMING
from privategpt.llm.types import ChatMessage, ChatOptions, ModelInfo
from privategpt.prompts import service as prompts
from privategpt.settings import Settings
from privategpt.storage import messages as repository
from privategpt.storage.models import MessageItem

_CONTEXT_STATUSES = frozenset({"complete", "incomplete"})
_CONTEXT_ROLES = frozenset({"user", "assistant"})


async def plan_turn(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    *,
    model_ref: str | None,
    system_prompt_id: str | None,
    options: ChatOptions,
    new: ChatMessage | None,
    settings: Settings,
) -> Turn:
    """Resolve model and system prompt, fit as much history as the window allows, check the context limit.
    ``new`` is the message about to be saved (None: it is already stored, and is the newest of the history)."""
    load = run_in_threadpool(
        repository.load_for_turn, principal.user_id, conversation_id, settings.chat_history_max_messages
    )
    defaults: prompts.Defaults | None = None
    if system_prompt_id is None:  # default prompts may be wanted: read them while the conversation is read
        (conversation, history), defaults = await asyncio.gather(
            load, run_in_threadpool(prompts.defaults_for, principal, settings)
        )
    else:
        conversation, history = await load
    _, model = await llm.registry.resolve(model_ref or conversation.model)
    chosen_id = system_prompt_id or conversation.system_prompt_id
    prompt = (
        await run_in_threadpool(prompts.for_model, principal, chosen_id, (model.name, model.id), settings)
        if chosen_id is not None
        else prompts.for_model(principal, None, (model.name, model.id), settings, defaults)
    )
    system = ChatMessage("system", prompt.content) if prompt is not None else None
    new_tokens = llm.count_message(model, new) if new is not None else 0
    fixed_tokens = (llm.count_message(model, system) if system else 0) + new_tokens + REPLY_PRIMING
    budget = model.context_window - llm.reserved_output(model, options) - fixed_tokens
    chosen, used = _fit_history(llm, model, history, budget, keep_newest=new is None)
    messages = (*([system] if system else []), *chosen, *([new] if new else []))
    prepared = await llm.prepare(model.id, messages, options=options, prompt_tokens=fixed_tokens + used)
    return Turn(
        principal.user_id,
        conversation_id,
        prepared,
        prompt.prompt_id if prompt else None,
        new_tokens,
        conversation,
    )


def _fit_history(
    llm: LLMService, model: ModelInfo, history: Sequence[MessageItem], budget: int, *, keep_newest: bool
) -> tuple[list[ChatMessage], int]:
    """The newest messages that fit ``budget``, oldest first, and their size. With ``keep_newest`` the newest
    one is kept even when it alone is too large: it is the message being answered (the check then says 413)."""
    chosen: list[ChatMessage] = []
    used = 0
    for item in reversed(history):
        if item.status not in _CONTEXT_STATUSES or not item.content or item.role not in _CONTEXT_ROLES:
            continue
        message = ChatMessage(item.role, item.content)  # type: ignore[arg-type]
        size = int(item.token_count) or llm.count_message(model, message)
        if used + size > budget and (chosen or not keep_newest):
            break
        chosen.append(message)
        used += size
    chosen.reverse()
    return chosen, used
