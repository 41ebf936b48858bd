"""Who a tool acts for: the one place the caller's identity is carried to the built-in tools.

Each way in sets it once, before the MCP request is handled: the HTTP app after verifying the bearer token
(``server/http.py``), the chat's in-process client for the turn's user (``client/``), and ``privategpt mcp
--stdio`` for the user it was started for. Tasks the SDK starts inside inherit it (context variables are
copied into new tasks). A tool reads it with ``current_principal()``; there is no default user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from privategpt.auth.principal import Principal
from privategpt.errors import Unauthorized

_acting: ContextVar[Principal | None] = ContextVar("privategpt_tools_principal", default=None)


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    token = _acting.set(principal)
    try:
        yield
    finally:
        _acting.reset(token)


def current_principal() -> Principal:
    principal = _acting.get()
    if principal is None:
        raise Unauthorized("no authenticated user for this tool call")
    return principal
