"""Dependencies shared by every feature router: settings and paging parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from privategpt.errors import ValidationFailed
from privategpt.openapi import setting_limit
from privategpt.settings import Settings
from privategpt.storage.cursor import MAX_CURSOR_CHARS


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


def page_params(
    settings: SettingsDep,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            description="page size (default and maximum from settings)",
            json_schema_extra=setting_limit(maximum="max_page_size"),
        ),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=MAX_CURSOR_CHARS, description="next_cursor of the previous page")
    ] = None,
) -> PageParams:
    if limit is not None and limit > settings.max_page_size:
        raise ValidationFailed(
            f"limit must be at most {settings.max_page_size}",
            details={"field": "limit", "limit": settings.max_page_size},
        )
    return PageParams(limit or settings.default_page_size, cursor)


PageDep = Annotated[PageParams, Depends(page_params)]
