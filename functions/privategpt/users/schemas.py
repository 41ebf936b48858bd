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
    is_admin: bool  # has the admin role (PGPT_AUTH_ADMIN_ROLE)
    dashboard: bool  # may open the dashboard: an admin, or anyone under the local provider
    created_at: datetime
    last_seen_at: datetime
