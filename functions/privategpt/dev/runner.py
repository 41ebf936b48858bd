"""``privategpt dev``: DynamoDB Local, the table, the local issuer (an OIDC provider), a local S3 and SQS with the
ingestion worker, the API serving the web app (dev/web.py), and the streaming app, stopped together."""

from __future__ import annotations

import asyncio
import errno
import signal
import socket
import sys
from contextlib import ExitStack
from types import FrameType

import uvicorn

from privategpt import access_log
from privategpt.app import create_app, create_stream_app
from privategpt.dev.demo_llm import MODEL_ID as DEMO_MODEL_ID
from privategpt.dev.demo_llm import DemoLLM
from privategpt.dev.dynamodb_local import DynamoDBLocal, DynamoDBLocalError
from privategpt.llm import config as llm_config
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.storage import db

DEMO_CHUNK_DELAY_SECONDS = 0.02  # the demo's reply streams visibly, word by word


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
    if llm.settings.llm_demo_base_url:
        print(f"  ({DEMO_MODEL_ID} is the demo model: it echoes, needs no key, and exists only under `dev`)")
    await llm.aclose()


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _port_in_use(host: str, port: int) -> bool:
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        return False  # uvicorn will say what is wrong with the host
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _port_problem(host: str, port: int, stream_port: int) -> str | None:
    if port == stream_port:
        return f"--port and --stream-port are both {port}: the API and the streaming app need a port each"
    for name, value in (("--port", port), ("--stream-port", stream_port)):
        if _port_in_use(host, value):
            free = " and ".join(str(p) for p in (port + 1000, port + 1001))
            return (
                f"port {value} ({name}) is in use on {host}. Pick another pair, e.g. "
                f'`make dev ARGS="--port {port + 1000}"` (uses {free}: the streaming app takes --port + 1)'
            )
    return None


async def _serve(api: uvicorn.Server, stream: uvicorn.Server) -> None:
    """Both servers in one loop; when either is told to stop (Ctrl-C, SIGTERM), so is the other."""

    async def linked() -> None:
        while not (api.should_exit or stream.should_exit):
            await asyncio.sleep(0.2)
        api.should_exit = stream.should_exit = True

    await asyncio.gather(api.serve(), stream.serve(), linked())


def _start_documents(settings: Settings, stack: ExitStack) -> Settings:
    """moto's S3 and SQS (unless a bucket is configured) and the worker that ingests what the queue brings."""
    from privategpt.rag.stores import close_stores

    stack.callback(close_stores)  # last, once the worker and the API are done: the embedded store saves its graphs
    if settings.documents_bucket is None:
        from privategpt.dev.local_aws import LocalAWS

        aws = stack.enter_context(LocalAWS.for_settings(settings))
        settings = settings.model_copy(update=aws.settings_overrides())
        print(f"Local S3 and SQS (moto) at {aws.endpoint_url} (bucket {aws.bucket}, queue {aws.queue_name}; in memory)")
    else:
        print(f"Using documents bucket {settings.documents_bucket}")
    if settings.ingest_queue_url is not None:
        from privategpt.dev.ingest_worker import IngestWorker

        stack.enter_context(IngestWorker(settings))
        print(f"Ingestion worker polling {settings.ingest_queue_url}")
    return settings


def run_dev(
    settings: Settings, *, host: str, port: int, stream_port: int | None = None, demo: bool | None = None
) -> int:
    """``demo``: serve the demo model (None: only when no provider is configured, see llm_config.demo_wanted)."""
    stream_port = stream_port or port + 1
    problem = _port_problem(host, port, stream_port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
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
        settings = _start_documents(settings, stack)
        if settings.auth_provider == "local":
            from privategpt.auth.local_issuer import LocalIssuer

            LocalIssuer(settings).ensure_key()
        if settings.llm_demo_base_url is None and (llm_config.demo_wanted(settings) if demo is None else demo):
            try:
                demo_llm = stack.enter_context(DemoLLM(chunk_delay_seconds=DEMO_CHUNK_DELAY_SECONDS))
            except (OSError, RuntimeError) as exc:
                print(f"error: the demo model did not start ({exc}); --no-demo runs without it", file=sys.stderr)
                return 1
            settings = settings.model_copy(update={"llm_demo_base_url": demo_llm.base_url})
        from privategpt.dev import web

        if settings.stream_base_url is None:
            stream_base = f"http://{web.browsable(host)}:{stream_port}"  # a browser cannot open 0.0.0.0
            settings = settings.model_copy(update={"stream_base_url": stream_base})

        # the web app's pages (here and on Vite's dev server) call the stream app and the token endpoint cross-origin
        origins = list(dict.fromkeys([*settings.cors_origins, *web.web_origins(host, port)]))
        settings = settings.model_copy(update={"cors_origins": origins})
        from privategpt.dev import endpoints

        stack.callback(endpoints.path(settings.data_dir.resolve()).unlink, missing_ok=True)
        endpoints.write(settings)  # for `privategpt mcp --stdio`
        app = create_app(settings)
        web.install(app, settings)  # after the API's routes: its fallback takes only what they leave
        stream_app = create_stream_app(settings)
        asyncio.run(_report_providers(app.state.llm))
        base = f"http://{host}:{port}"
        browse = f"http://{web.browsable(host)}:{port}"
        sign_in = "sign in with any user name" if settings.auth_provider == "local" else "sign in"
        print(f"\nOpen {browse} and {sign_in}")
        if not (web.dist_dir(settings) / "index.html").is_file():
            print(f"  (the web app is not built: no index.html in {web.dist_dir(settings)}; `make dev` builds it)")
        print(f"PrivateGPT API at {base}  (docs: {base}/docs)")
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
        access_log.install()  # after uvicorn's logging config: no stream token in access lines
        asyncio.run(_serve(api, stream))
    return 0
