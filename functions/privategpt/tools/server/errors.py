"""One guard around every built-in tool: the app's errors become tool errors the caller can read.

A not-found document, a bad path or a full quota come back as an ``isError`` result with the message (the
SDK's ``ToolError``), never as a crash of the server or a protocol error. A DynamoDB outage is said as such.
Anything else is left to the SDK, which answers ``Error executing tool <name>`` and logs the traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from privategpt.errors import AppError
from privategpt.storage import outage

P = ParamSpec("P")
R = TypeVar("R")


def tool_error(exc: AppError) -> ToolError:
    return ToolError(f"{exc.code}: {exc.message}")


def guarded(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(fn)
    async def guard(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except AppError as exc:
            raise tool_error(exc) from exc
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
            raise ToolError(f"validation_error: {problems}") from exc
        except Exception as exc:
            if outage.find(exc) is not None:
                raise ToolError("service_unavailable: the database cannot be reached; try again shortly") from exc
            raise

    return guard
