"""Building a turn's context: the conversation, the model, then the contributors' parts within the window.

Contributors, in the order they are asked (``chat/contributors``): the system prompt, the definitions of the
tools offered and the new message (all must fit), the retrieved sources when asked for (their share of what is
left), then the history, newest first, in whatever remains after the answer's reserve. The result goes through
``LLMService.prepare`` (the 413 check).
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool

from privategpt.auth.principal import Principal
from privategpt.chat.contributors import (
    Contributor,
    Given,
    History,
    RagRequest,
    Sources,
    SystemPrompt,
    ToolChoice,
    Tools,
    assemble,
)
from privategpt.chat.contributors.given import split_quick
from privategpt.chat.contributors.sources import Source, cancelled_on_error, retrieve
from privategpt.chat.plan import Turn
from privategpt.llm.service import LLMService, Prepared
from privategpt.llm.types import ChatMessage, ChatOptions, ToolDefinition
from privategpt.prompts import service as prompts
from privategpt.settings import Settings
from privategpt.storage import messages as repository


async def plan_turn(
    llm: LLMService,
    principal: Principal,
    conversation_id: str,
    *,
    model_ref: str | None,
    system_prompt_id: str | None,
    options: ChatOptions,
    new: ChatMessage | None,
    rag: RagRequest | None,
    settings: Settings,
    tools: ToolChoice | None = None,
) -> Turn:
    """Resolve model and system prompt, assemble the contributors' parts, check the context limit.
    ``new`` is the message about to be saved (None: it is already stored, and is the newest of the history)."""
    hits = retrieve(settings, principal.user_id, rag, new.content) if rag is not None and new is not None else None
    load = run_in_threadpool(
        repository.load_for_turn, principal.user_id, conversation_id, settings.chat_history_max_messages
    )
    defaults: prompts.Defaults | None = None
    with cancelled_on_error(hits):
        if system_prompt_id is None:  # default prompts may be wanted: read them while the conversation is read
            (conversation, items), defaults = await asyncio.gather(
                load, run_in_threadpool(prompts.defaults_for, principal, settings)
            )
        else:
            conversation, items = await load
        _, model = await llm.registry.resolve(model_ref or conversation.model)
        chosen_id = system_prompt_id or conversation.system_prompt_id
        prompt = (
            await run_in_threadpool(prompts.for_model, principal, chosen_id, (model.name, model.id), settings)
            if chosen_id is not None
            else prompts.for_model(principal, None, (model.name, model.id), settings, defaults)
        )
    specs = await tools.specs(conversation, model, settings) if tools is not None else ()
    history = History(items, keep_newest=new is None, tools_offered=bool(specs))
    if rag is not None and hits is None and (question := history.last_user_text()) is not None:
        hits = retrieve(settings, principal.user_id, rag, question)
    new_tokens = llm.count_message(model, new) if new is not None else 0
    contributors: list[Contributor] = [SystemPrompt(prompt.content if prompt else None), Tools(specs)]
    if new is not None:
        contributors.append(Given((new,), "new", new_tokens))
    if hits is not None:
        contributors.append(Sources(hits, settings))
    contributors.append(history)
    assembled = await assemble(llm, model, options, contributors)
    prepared = await llm.prepare(
        model.id,
        assembled.messages,
        tools=tuple(s.definition() for s in specs),
        options=options,
        prompt_tokens=assembled.prompt_tokens,
    )
    return Turn(
        principal.user_id,
        conversation_id,
        prepared,
        prompt.prompt_id if prompt else None,
        new_tokens,
        conversation,
        assembled.sources,
        rag,
        specs,
    )


async def plan_quick(
    llm: LLMService,
    principal: Principal,
    messages: tuple[ChatMessage, ...],
    *,
    model_ref: str | None,
    options: ChatOptions,
    rag: RagRequest | None,
    settings: Settings,
    tools: tuple[ToolDefinition, ...] = (),
) -> tuple[Prepared, tuple[Source, ...] | None]:
    """A quick chat's request: its own messages whole, with sources for its last user message when asked, and
    the caller's own tool definitions (the OpenAI-compatible API's client-side tools)."""
    question = next((m.content for m in reversed(messages) if m.role == "user"), None)
    hits = retrieve(settings, principal.user_id, rag, question) if rag is not None and question else None
    with cancelled_on_error(hits):
        _, model = await llm.registry.resolve(model_ref)
    lead, rest = split_quick(messages)
    contributors: list[Contributor] = [lead, rest]
    if hits is not None:
        contributors.append(Sources(hits, settings))
    assembled = await assemble(llm, model, options, contributors)
    # counted by the provider where it can (as a quick chat always was): no stored sizes to trust here
    prepared = await llm.prepare(model.id, assembled.messages, tools=tools, options=options)
    return prepared, assembled.sources
