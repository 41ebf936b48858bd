"""``privategpt dev``: DynamoDB Local, the table, the local issuer and the API, stopped together."""

from __future__ import annotations

import asyncio
import signal
import sys
from contextlib import ExitStack
from types import FrameType

import uvicorn

from privategpt.app import create_app, create_stream_app
from privategpt.dev.dynamodb_local import DynamoDBLocal, DynamoDBLocalError
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.storage import db


async def _report_providers(llm: LLMService) -> None:
    """Discover once at start-up and say what was found (the server rediscovers on its own loop)."""
    source = llm.settings.llm_providers_file or "environment (no PGPT_LLM_PROVIDERS_FILE)"
    print(f"LLM providers from {source}:")
    await llm.registry.refresh()
    for state in llm.registry.states:
        where = state.config.base_url or "default URL"
        count = f"{len(state.models)} model{'' if len(state.models) == 1 else 's'}"
        line = f"  {state.name:<12} {state.config.type:<9} {where}: {state.health()}, {count}"
        print(line + (f" ({state.last_error})" if state.last_error else ""))
    if not llm.registry.states:
        print("  none: set OPENAI_API_KEY or ANTHROPIC_API_KEY, run Ollama, or write a providers file")
    await llm.aclose()


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


async def _serve(api: uvicorn.Server, stream: uvicorn.Server) -> None:
    """Both servers in one loop; when either is told to stop (Ctrl-C, SIGTERM), so is the other."""

    async def linked() -> None:
        while not (api.should_exit or stream.should_exit):
            await asyncio.sleep(0.2)
        api.should_exit = stream.should_exit = True

    await asyncio.gather(api.serve(), stream.serve(), linked())


def run_dev(settings: Settings, *, host: str, port: int, stream_port: int | None = None) -> int:
    # uvicorn shuts down on SIGINT/SIGTERM and then re-raises the signal; these handlers turn that into
    # an orderly exit, so the ExitStack below still stops DynamoDB Local.
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    with ExitStack() as stack:
        if settings.dynamodb_endpoint is None:
            try:
                endpoint = stack.enter_context(
                    DynamoDBLocal(
                        settings.data_dir.resolve() / "dynamodb",
                        startup_timeout_seconds=settings.dynamodb_local_startup_seconds,
                    )
                )
            except DynamoDBLocalError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            settings = settings.model_copy(update={"dynamodb_endpoint": endpoint})
            print(f"DynamoDB Local at {endpoint} (data in {settings.data_dir / 'dynamodb'})")
        else:
            print(f"Using DynamoDB at {settings.dynamodb_endpoint}")
        db.bind(settings)
        if db.create_table(settings):
            print(f"Created table {settings.table_name}")
        if settings.auth_provider == "local":
            from privategpt.auth.local_issuer import LocalIssuer

            LocalIssuer(settings).ensure_key()
        stream_port = stream_port or port + 1
        if settings.stream_base_url is None:
            settings = settings.model_copy(update={"stream_base_url": f"http://{host}:{stream_port}"})
        app = create_app(settings)
        stream_app = create_stream_app(settings)
        asyncio.run(_report_providers(app.state.llm))
        base = f"http://{host}:{port}"
        print(f"\nPrivateGPT API at {base}  (docs: {base}/docs)")
        print(f"Streams (phase 2) at {settings.stream_base_url}/stream/<token>")
        if settings.auth_provider == "local":
            data_dir = "" if settings.data_dir.as_posix() == ".local" else f" --data-dir {settings.data_dir}"
            print("Get a token:  TOKEN=$(.venv/bin/privategpt token --sub alice" + data_dir + ")")
            print(f'Call the API: curl -H "Authorization: Bearer $TOKEN" {base}/api/me')
        print("Stop with Ctrl-C.\n", flush=True)
        api = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info", lifespan="off"))
        stream = uvicorn.Server(
            uvicorn.Config(stream_app, host=host, port=stream_port, log_level="info", lifespan="off")
        )
        asyncio.run(_serve(api, stream))
    return 0
