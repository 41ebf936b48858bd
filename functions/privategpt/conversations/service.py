from __future__ import annotations

import json

from privategpt.auth.principal import Principal
from privategpt.conversations.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    ConversationUpdate,
    MessageOut,
    MessagePage,
    SourceOut,
    ToolCallOut,
)
from privategpt.errors import ValidationFailed, check_length
from privategpt.prompts import service as prompts
from privategpt.settings import Settings
from privategpt.storage import conversations as repository
from privategpt.storage import documents
from privategpt.storage import messages as message_repository
from privategpt.storage.models import ConversationItem, MessageItem


def conversation_out(item: ConversationItem) -> ConversationOut:
    return ConversationOut(
        id=item.conversation_id,
        title=item.title,
        model=item.model,
        system_prompt_id=item.system_prompt_id,
        tools=json.loads(item.tools) if item.tools is not None else None,
        status=item.status,
        message_count=int(item.message_count),
        input_tokens=int(item.input_tokens),
        output_tokens=int(item.output_tokens),
        total_tokens=int(item.total_tokens),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def message_out(item: MessageItem, gone: frozenset[str] = frozenset()) -> MessageOut:
    """``gone``: ids of documents deleted since (their sources say so)."""
    return MessageOut(
        id=item.message_id,
        conversation_id=item.conversation_id,
        role=item.role,
        content=item.content,
        model=item.model,
        provider=item.provider,
        input_tokens=int(item.input_tokens),
        output_tokens=int(item.output_tokens),
        total_tokens=int(item.total_tokens),
        token_count=int(item.token_count),
        status=item.status,
        thinking=item.thinking,
        stop_reason=item.stop_reason,
        error_code=item.error_code,
        latency_ms=float(item.latency_ms) if item.latency_ms is not None else None,
        time_to_first_token_ms=(
            float(item.time_to_first_token_ms) if item.time_to_first_token_ms is not None else None
        ),
        usage_estimated=bool(item.usage_estimated),
        sources=_sources(item.sources, gone),
        tool_calls=[ToolCallOut(**view) for view in json.loads(item.tool_calls)] if item.tool_calls else None,
        created_at=item.created_at,
    )


def _sources(stored: str | None, gone: frozenset[str]) -> list[SourceOut] | None:
    if stored is None:
        return None
    return [SourceOut(**view, document_deleted=view["document_id"] in gone) for view in json.loads(stored)]


def _messages_out(principal: Principal, items: list[MessageItem]) -> list[MessageOut]:
    """The messages, their sources checked against the documents that still exist (one read, only when cited)."""
    cited = {view["document_id"] for item in items if item.sources for view in json.loads(item.sources)}
    gone = frozenset(cited - documents.existing(principal.user_id, sorted(cited))) if cited else frozenset()
    return [message_out(item, gone) for item in items]


def _check(principal: Principal, body: ConversationCreate | ConversationUpdate, settings: Settings) -> None:
    check_length("title", body.title, settings.max_title_chars)
    check_length("model", body.model, settings.max_model_chars)
    if body.system_prompt_id is not None:
        prompts.ensure_readable(principal, body.system_prompt_id)
    if body.tools is not None:
        check_tools(body.tools, settings)


def check_tools(ids: list[str], settings: Settings, field: str = "tools") -> None:
    if len(ids) > settings.tools_max_enabled:
        raise ValidationFailed(
            f"{field} names at most {settings.tools_max_enabled} tools",
            details={"field": field, "limit": settings.tools_max_enabled},
        )


def stored_tools(ids: list[str] | None) -> str | None:
    return json.dumps(list(dict.fromkeys(ids))) if ids is not None else None


def create(principal: Principal, body: ConversationCreate, settings: Settings) -> ConversationOut:
    _check(principal, body, settings)
    item = repository.create(
        principal.user_id,
        title=body.title or settings.default_conversation_title,
        model=body.model,
        system_prompt_id=body.system_prompt_id,
        tools=stored_tools(body.tools),
    )
    return conversation_out(item)


def list_conversations(principal: Principal, limit: int, cursor: str | None) -> ConversationPage:
    page = repository.list_active(principal.user_id, limit, cursor)
    return ConversationPage(items=[conversation_out(i) for i in page.items], next_cursor=page.next_cursor)


def get(principal: Principal, conversation_id: str, settings: Settings) -> ConversationDetail:
    item, messages = message_repository.get_with_messages(principal.user_id, conversation_id, settings.max_page_size)
    return ConversationDetail(
        **conversation_out(item).model_dump(),
        messages=_messages_out(principal, messages.items),
        messages_next_cursor=messages.next_cursor,
    )


def update(principal: Principal, conversation_id: str, body: ConversationUpdate, settings: Settings) -> ConversationOut:
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    if "title" in changes and changes["title"] is None:
        raise ValidationFailed("title cannot be null", details={"field": "title"})
    _check(principal, body, settings)
    if "tools" in changes:
        changes["tools"] = stored_tools(body.tools)
    if not changes:
        return conversation_out(repository.get(principal.user_id, conversation_id))
    return conversation_out(repository.update(principal.user_id, conversation_id, changes))


def delete(principal: Principal, conversation_id: str, hard: bool) -> None:
    if hard:
        repository.hard_delete(principal.user_id, conversation_id)
    else:
        repository.soft_delete(principal.user_id, conversation_id)


def list_messages(principal: Principal, conversation_id: str, limit: int, cursor: str | None) -> MessagePage:
    page = message_repository.list_messages(principal.user_id, conversation_id, limit, cursor)
    return MessagePage(items=_messages_out(principal, page.items), next_cursor=page.next_cursor)


def delete_messages_from(principal: Principal, conversation_id: str, message_id: str) -> None:
    message_repository.delete_from(principal.user_id, conversation_id, message_id)
