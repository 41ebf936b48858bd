"""System prompts. A user reads their own and the global ones; only admins write global ones."""

from __future__ import annotations

import threading
import time
from fnmatch import fnmatchcase

from privategpt.auth.principal import Principal
from privategpt.errors import Conflict, Forbidden, NotFound, check_length
from privategpt.prompts.schemas import PromptCreate, PromptIn, PromptList, PromptOut
from privategpt.settings import Settings
from privategpt.storage import prompts as repository
from privategpt.storage.models import PromptItem


def _out(item: PromptItem) -> PromptOut:
    return PromptOut(
        id=item.prompt_id,
        scope="global" if item.owner_id is None else "user",
        name=item.name,
        content=item.content,
        model_pattern=item.model_pattern,
        is_default=bool(item.is_default),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _check(body: PromptIn, settings: Settings) -> None:
    check_length("name", body.name, settings.max_prompt_name_chars)
    check_length("content", body.content, settings.max_prompt_content_chars)
    check_length("model_pattern", body.model_pattern, settings.max_model_pattern_chars)


def _readable(principal: Principal, prompt_id: str) -> PromptItem:
    item = repository.get(principal.user_id, prompt_id) or repository.get(None, prompt_id)
    if item is None:
        raise NotFound("prompt not found")
    return item


def _writable(principal: Principal, prompt_id: str, settings: Settings) -> PromptItem:
    item = _readable(principal, prompt_id)
    if item.owner_id is None and not principal.has_role(settings.auth_admin_role):
        raise Forbidden("only admins change global prompts")
    return item


def _clear_other_defaults(item: PromptItem, settings: Settings) -> None:
    """One default per owner and model pattern: setting a new one unsets the previous."""
    for other in repository.list_for(item.owner_id, settings.max_prompts_per_owner):
        if other.prompt_id != item.prompt_id and other.is_default and other.model_pattern == item.model_pattern:
            repository.update(other, {"is_default": False})


def list_prompts(principal: Principal, settings: Settings) -> PromptList:
    own = repository.list_for(principal.user_id, settings.max_prompts_per_owner)
    shared = repository.list_for(None, settings.max_prompts_per_owner)
    return PromptList(items=[_out(item) for item in own + shared])


def get_prompt(principal: Principal, prompt_id: str) -> PromptOut:
    return _out(_readable(principal, prompt_id))


def ensure_readable(principal: Principal, prompt_id: str) -> None:
    _readable(principal, prompt_id)


Defaults = tuple[list[PromptItem], list[PromptItem]]


def defaults_for(principal: Principal, settings: Settings) -> Defaults:
    """The caller's default prompts and the global ones (the latter cached per process)."""
    return _defaults(principal.user_id, settings), _defaults(None, settings)


def for_model(
    principal: Principal,
    prompt_id: str | None,
    model_names: tuple[str, ...],
    settings: Settings,
    defaults: Defaults | None = None,
) -> PromptItem | None:
    """The system prompt for a reply: the one named, else the user's default whose ``model_pattern``
    matches the model (by name or qualified id), else such a global default. A default with a pattern
    wins over one without. ``defaults`` may be read beforehand (``defaults_for``), e.g. alongside the
    conversation."""
    if prompt_id is not None:
        return _readable(principal, prompt_id)
    for candidates in defaults or defaults_for(principal, settings):
        specific = [
            p for p in candidates if p.model_pattern and any(fnmatchcase(n, p.model_pattern) for n in model_names)
        ]
        general = [p for p in candidates if not p.model_pattern]
        if specific or general:
            return (specific or general)[0]
    return None


class _GlobalDefaults:
    """The global default prompts, read at most every ``PGPT_GLOBAL_PROMPTS_CACHE_SECONDS`` per process: every
    reply needs them, and they change rarely. A write through this process clears them at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[PromptItem] | None = None
        self._read_at = 0.0

    def get(self, settings: Settings) -> list[PromptItem]:
        with self._lock:
            if self._items is not None and time.monotonic() - self._read_at < settings.global_prompts_cache_seconds:
                return self._items
        items = [p for p in repository.list_for(None, settings.max_prompts_per_owner) if p.is_default]
        with self._lock:
            self._items, self._read_at = items, time.monotonic()
        return items

    def clear(self) -> None:
        with self._lock:
            self._items = None


_global_defaults = _GlobalDefaults()


def _defaults(owner: str | None, settings: Settings) -> list[PromptItem]:
    if owner is None:
        return _global_defaults.get(settings)
    return [p for p in repository.list_for(owner, settings.max_prompts_per_owner) if p.is_default]


def create_prompt(principal: Principal, body: PromptCreate, settings: Settings) -> PromptOut:
    _check(body, settings)
    owner = None if body.scope == "global" else principal.user_id
    if owner is None and not principal.has_role(settings.auth_admin_role):
        raise Forbidden("only admins create global prompts")
    if len(repository.list_for(owner, settings.max_prompts_per_owner)) >= settings.max_prompts_per_owner:
        raise Conflict("prompt limit reached", details={"limit": settings.max_prompts_per_owner})
    item = repository.create(
        owner,
        name=body.name,
        content=body.content,
        model_pattern=body.model_pattern,
        is_default=body.is_default,
    )
    if item.is_default:
        _clear_other_defaults(item, settings)
    _global_defaults.clear()
    return _out(item)


def replace_prompt(principal: Principal, prompt_id: str, body: PromptIn, settings: Settings) -> PromptOut:
    _check(body, settings)
    item = _writable(principal, prompt_id, settings)
    item = repository.update(item, body.model_dump())
    if item.is_default:
        _clear_other_defaults(item, settings)
    _global_defaults.clear()
    return _out(item)


def delete_prompt(principal: Principal, prompt_id: str, settings: Settings) -> None:
    repository.delete(_writable(principal, prompt_id, settings))
    _global_defaults.clear()
