"""``privategpt mcp --stdio --user SUB``: the built-in server over stdio for a desktop MCP client, acting for
one user of the local issuer (local mode only; ``dev/cli.py`` refuses otherwise).

The user is the one a token of the local issuer for that subject would be (``user_id_for(auth_issuer,
sub)``), so the tools see the same documents and files as that user in the web app. It reads the same
DynamoDB (``PGPT_DYNAMODB_ENDPOINT``, which ``privategpt dev`` prints) and data directory as ``dev``. While
serving, the SDK points fd 1 at stderr, so nothing but protocol messages reaches stdout.
"""

from __future__ import annotations

from privategpt.auth.principal import Principal, user_id_for
from privategpt.settings import Settings


def principal_for(settings: Settings, subject: str) -> Principal:
    assert settings.auth_issuer is not None
    return Principal(user_id=user_id_for(settings.auth_issuer, subject), issuer=settings.auth_issuer, subject=subject)


async def serve(settings: Settings, subject: str) -> None:
    from mcp.server.stdio import stdio_server
    from starlette.concurrency import run_in_threadpool

    from privategpt.llm import config as llm_config
    from privategpt.llm.registry import ModelRegistry
    from privategpt.llm.service import LLMService
    from privategpt.storage import db
    from privategpt.tools.identity import acting_as
    from privategpt.tools.server.build import build_server, lowlevel
    from privategpt.users import service as users

    db.bind(settings)
    principal = principal_for(settings, subject)
    llm = LLMService(settings, ModelRegistry(settings, llm_config.load(settings)))
    server = lowlevel(build_server(settings, llm))
    try:
        with acting_as(principal):
            async with stdio_server() as (read_stream, write_stream):
                await run_in_threadpool(users.ensure, principal, settings)
                await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await llm.aclose()
