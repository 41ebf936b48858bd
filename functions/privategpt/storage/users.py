from __future__ import annotations

from pynamodb.expressions.update import Action

from privategpt.clock import utcnow
from privategpt.storage import table
from privategpt.storage.models import UserItem


def upsert(user_id: str, issuer: str, subject: str, email: str | None, name: str | None) -> UserItem:
    """Create the user on first sight, refresh profile fields after; one write, no read."""
    now = utcnow()
    item = UserItem(table.user_pk(user_id), table.PROFILE_SK)
    actions: list[Action] = [
        UserItem.kind.set(UserItem),
        UserItem.user_id.set(user_id),
        UserItem.issuer.set(issuer),
        UserItem.subject.set(subject),
        UserItem.created_at.set(UserItem.created_at | now),
        UserItem.last_seen_at.set(now),
        UserItem.email.set(email) if email is not None else UserItem.email.remove(),
        UserItem.name.set(name) if name is not None else UserItem.name.remove(),
    ]
    item.update(actions=actions)
    return item


def get(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(table.user_pk(user_id), table.PROFILE_SK)
    except UserItem.DoesNotExist:
        return None
