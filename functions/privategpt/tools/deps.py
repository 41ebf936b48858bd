"""The process's tool catalog, for routes (None when tools are switched off: ``PGPT_TOOLS_ENABLED=false``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

if TYPE_CHECKING:
    from privategpt.tools.client.catalog import ToolCatalog


def _catalog(request: Request) -> Any:
    return getattr(request.app.state, "tools", None)


ToolsDep = Annotated["ToolCatalog | None", Depends(_catalog)]
