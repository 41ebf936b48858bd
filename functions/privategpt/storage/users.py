from __future__ import annotations

from privategpt.clock import utcnow
from privategpt.storage import table
from privategpt.storage.expressions import assignments
from privategpt.storage.models import UserItem


def upsert(user_id: str, issuer: str, subject: str, email: str | None, name: str | None) -> UserItem:
    """Create the user on first sight, refresh profile fields after; one write, no read."""
    now = utcnow()
    item = UserItem(table.user_pk(user_id), table.PROFILE_SK)
    actions = [
        UserItem.kind.set(UserItem),
        UserItem.user_id.set(user_id),
        UserItem.issuer.set(issuer),
        UserItem.subject.set(subject),
        UserItem.created_at.set(UserItem.created_at | now),
        UserItem.last_seen_at.set(now),
        *assignments(UserItem, {"email": email, "name": name}),
    ]
    item.update(actions=actions)
    return item


def get(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(table.user_pk(user_id), table.PROFILE_SK)
    except UserItem.DoesNotExist:
        return None
