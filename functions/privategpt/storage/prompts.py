"""System prompts: a user's own under their partition, global ones under ``GLOBAL``."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from privategpt.clock import utcnow
from privategpt.errors import NotFound
from privategpt.storage import table
from privategpt.storage.expressions import assignments, condition_failed
from privategpt.storage.ids import is_id, new_id
from privategpt.storage.models import PromptItem


def _partition(owner_id: str | None) -> str:
    return table.user_pk(owner_id) if owner_id is not None else table.GLOBAL_PARTITION


def _not_found() -> NotFound:
    return NotFound("prompt not found")


def list_for(owner_id: str | None, limit: int) -> list[PromptItem]:
    """An owner's prompts (``None``: the global ones), oldest first, at most ``limit``."""
    return list(PromptItem.query(_partition(owner_id), PromptItem.sk.startswith(table.PROMPT_PREFIX), limit=limit))


def get(owner_id: str | None, prompt_id: str) -> PromptItem | None:
    if not is_id(prompt_id):
        return None
    try:
        return PromptItem.get(_partition(owner_id), table.prompt_sk(prompt_id), consistent_read=True)
    except PromptItem.DoesNotExist:
        return None


def create(
    owner_id: str | None,
    *,
    name: str,
    content: str,
    model_pattern: str | None,
    is_default: bool,
) -> PromptItem:
    now = utcnow()
    prompt_id = new_id()
    item = PromptItem(
        _partition(owner_id),
        table.prompt_sk(prompt_id),
        prompt_id=prompt_id,
        owner_id=owner_id,
        name=name,
        content=content,
        model_pattern=model_pattern,
        is_default=is_default,
        created_at=now,
        updated_at=now,
    )
    item.save(condition=PromptItem.sk.does_not_exist())
    return item


def update(item: PromptItem, changes: dict[str, Any]) -> PromptItem:
    actions = [PromptItem.updated_at.set(utcnow()), *assignments(PromptItem, changes)]
    try:
        item.update(actions=actions, condition=PromptItem.sk.exists())
    except UpdateError as exc:
        if condition_failed(exc):
            raise _not_found() from exc
        raise
    return item


def delete(item: PromptItem) -> None:
    item.delete()
