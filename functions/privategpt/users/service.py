from __future__ import annotations

import threading
import time

from privategpt.auth.principal import Principal
from privategpt.errors import NotFound
from privategpt.settings import Settings
from privategpt.storage import users as repository
from privategpt.storage.models import UserItem

# user id -> (profile fingerprint, monotonic expiry). Skips the upsert while a warm process keeps
# seeing the same user with the same profile.
_seen: dict[str, tuple[tuple[str | None, str | None], float]] = {}
_seen_lock = threading.Lock()


def ensure(principal: Principal, settings: Settings) -> None:
    """Create the user's record on first sight and keep email and name current."""
    fingerprint = (principal.email, principal.name)
    now = time.monotonic()
    with _seen_lock:
        cached = _seen.get(principal.user_id)
    if cached is not None and cached[0] == fingerprint and cached[1] > now:
        return
    repository.upsert(principal.user_id, principal.issuer, principal.subject, principal.email, principal.name)
    with _seen_lock:
        if len(_seen) >= settings.user_cache_max_entries:
            _seen.clear()
        _seen[principal.user_id] = (fingerprint, now + settings.user_cache_seconds)


def get(principal: Principal) -> UserItem:
    user = repository.get(principal.user_id)
    if user is None:
        raise NotFound("user not found")
    return user
