from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field


def user_id_for(issuer: str, subject: str) -> str:
    """A stable user id from the token's issuer and subject (the same person at two issuers is two users)."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).digest()[:20]
    return base64.b32encode(digest).decode().lower()


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as every route receives it."""

    user_id: str
    issuer: str
    subject: str
    email: str | None = None
    name: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, role: str) -> bool:
        return role in self.roles
