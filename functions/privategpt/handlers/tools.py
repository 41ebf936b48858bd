"""Lambda entry point for the MCP tools function: ``/mcp`` and its OAuth protected-resource metadata, behind
the same API Gateway JWT authorizer as the API (the app verifies the token again: it never trusts its caller).

``lifespan="off"``: the Streamable HTTP session manager is made and run per request (``tools/server/http``),
so nothing depends on a lifespan Mangum would run per invocation.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum

from privategpt.observability import logger
from privategpt.settings import get_settings
from privategpt.tools.server.http import create_tools_app

_asgi = Mangum(create_tools_app(get_settings()), lifespan="off")


def tools_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)  # type: ignore[arg-type]  # same object, two stubs
    return response


handler = logger.inject_lambda_context(tools_handler, clear_state=True)
