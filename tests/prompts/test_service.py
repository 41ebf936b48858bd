"""The global default prompts each reply needs are read at most every PGPT_GLOBAL_PROMPTS_CACHE_SECONDS per
process; a write through this process clears them at once."""

from __future__ import annotations

from privategpt.auth.principal import Principal
from privategpt.prompts import service
from privategpt.prompts.schemas import PromptCreate, PromptIn
from privategpt.settings import Settings
from privategpt.storage import prompts as repository

PATTERN = "zz-cache-test-*"  # matches no model the other tests use
OTHER = "zz-cache-other-*"  # a default per pattern: this one leaves the first alone


def _global_ids(principal: Principal, settings: Settings) -> set[str]:
    return {p.prompt_id for p in service.defaults_for(principal, settings)[1]}


def test_global_defaults_are_cached_and_cleared_by_this_processs_writes(settings: Settings) -> None:
    admin = Principal(user_id="cache-admin", issuer="test", subject="cache-admin", roles=frozenset({"admin"}))
    long = settings.model_copy(update={"global_prompts_cache_seconds": 3600.0})
    _global_ids(admin, long)  # read: cached from here on
    # Another process adds a global default: this one keeps what it read until the cache expires.
    elsewhere = repository.create(None, name="elsewhere", content="x", model_pattern=PATTERN, is_default=True)
    here = None
    try:
        assert elsewhere.prompt_id not in _global_ids(admin, long)
        expired = settings.model_copy(update={"global_prompts_cache_seconds": 0.0})
        assert elsewhere.prompt_id in _global_ids(admin, expired)
        _global_ids(admin, long)  # cached again, now with it
        # A write through this process is seen at once, whatever the cache time.
        body = PromptCreate(name="here", content="y", model_pattern=OTHER, is_default=False, scope="global")
        here = service.create_prompt(admin, body, long)
        service.replace_prompt(
            admin, here.id, PromptIn(name="here", content="y", model_pattern=OTHER, is_default=True), long
        )
        assert here.id in _global_ids(admin, long)
        here_id = here.id
        service.delete_prompt(admin, here.id, long)
        here = None
        remaining = _global_ids(admin, long)
        assert here_id not in remaining and elsewhere.prompt_id in remaining
    finally:
        repository.delete(elsewhere)
        if here is not None:
            service.delete_prompt(admin, here.id, long)
    service.defaults_for(admin, settings.model_copy(update={"global_prompts_cache_seconds": 0.0}))
