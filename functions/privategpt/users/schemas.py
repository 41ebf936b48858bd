from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class UserOut(BaseModel):
    id: str
    issuer: str
    subject: str
    email: str | None
    name: str | None
    roles: list[str]
    created_at: datetime
    last_seen_at: datetime
