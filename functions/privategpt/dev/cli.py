"""The ``privategpt`` command: ``dev`` runs the platform locally, ``token`` mints a development token, ``mcp``
serves the built-in MCP tools over stdio for a desktop MCP client, ``openapi`` prints the API's OpenAPI document
(the web app's types are generated from it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from privategpt.settings import Settings


def _settings(data_dir: Path | None) -> Settings:
    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    return Settings(**overrides)  # type: ignore[arg-type]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privategpt", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser(
        "dev", help="run the platform locally (DynamoDB Local, local issuer, S3 and SQS with the ingestion worker, API)"
    )
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--stream-port", type=int, help="port of the streaming app (default: --port + 1)")
    dev.add_argument("--data-dir", type=Path, help="where local data lives (default: .local/)")
    dev.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        help="serve the demo model demo/echo (default: only when no providers file and no API key is set)",
    )

    token = commands.add_parser("token", help="print a token signed by the local development issuer")
    token.add_argument("--sub", required=True, help="the user's subject")
    token.add_argument("--email")
    token.add_argument("--name")
    token.add_argument("--role", action="append", default=[], help="a role (repeatable), e.g. admin")
    token.add_argument("--ttl", type=int, help="lifetime in seconds (default from settings)")
    token.add_argument("--data-dir", type=Path, help="the data directory `dev` uses (default: .local/)")

    mcp = commands.add_parser(
        "mcp", help="serve the built-in MCP tools over stdio for one local user (run it while `dev` runs)"
    )
    mcp.add_argument("--stdio", action="store_true", required=True, help="talk MCP over stdin/stdout")
    mcp.add_argument("--user", required=True, metavar="SUB", help="the subject of the local user to act for")
    mcp.add_argument("--data-dir", type=Path, help="the data directory `dev` uses (default: .local/)")
    openapi = commands.add_parser("openapi", help="print the API's OpenAPI document (JSON) for the default settings")
    openapi.add_argument("--output", type=Path, help="write it to this file instead of stdout")
    return parser


def _openapi(args: argparse.Namespace) -> int:
    import json

    from privategpt.app import create_app

    # The defaults, not the shell's environment: the document describes the API, not one deployment of it.
    document = create_app(Settings(_env_file=None, auth_provider="local")).openapi()
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
    return 0


def _mcp(args: argparse.Namespace) -> int:
    import anyio

    from privategpt.settings import running_in_lambda
    from privategpt.tools.server.stdio import serve

    settings = _settings(args.data_dir)
    if running_in_lambda() or settings.auth_provider != "local":
        print("privategpt mcp --stdio runs only locally, with PGPT_AUTH_PROVIDER=local", file=sys.stderr)
        return 2
    if not settings.dynamodb_endpoint:
        from privategpt.dev import endpoints

        data_dir = _find_data_dir(settings, endpoints.FILE_NAME, "")
        running = endpoints.read(data_dir) if data_dir is not None else None
        if not running:
            print(
                f"`privategpt dev` is not running with the data directory {settings.data_dir.resolve()}: start it "
                "(`make dev`), pass the same --data-dir, or set PGPT_DYNAMODB_ENDPOINT",
                file=sys.stderr,
            )
            return 2
        assert data_dir is not None
        settings = Settings(**{**running, "data_dir": data_dir})  # type: ignore[arg-type]
    if not args.user.strip():
        print("--user must name a subject", file=sys.stderr)
        return 2
    anyio.run(serve, settings, args.user)
    return 0


def _find_data_dir(settings: Settings, file_name: str, folder: str = "issuer") -> Path | None:
    """The data directory holding a file `dev` made (its signing key, its endpoints): as `dev` resolves it
    (from the working directory), else, for a relative one, the nearest parent directory that has it (as git
    finds .git)."""
    candidates = [settings.data_dir.resolve()]
    if not settings.data_dir.is_absolute():
        candidates += [parent / settings.data_dir for parent in Path.cwd().parents]
    return next((c for c in candidates if (c / folder / file_name).is_file()), None)


def _token(args: argparse.Namespace) -> int:
    from privategpt.auth.local_issuer import KEY_FILE, LocalIssuer

    settings = _settings(args.data_dir)
    if settings.auth_provider != "local":
        print("privategpt token mints tokens only for PGPT_AUTH_PROVIDER=local", file=sys.stderr)
        return 2
    data_dir = _find_data_dir(settings, KEY_FILE)
    if data_dir is None:
        # Making a new key here would sign tokens the running `dev` rejects (401): refuse instead.
        print(
            f"no signing key in {settings.data_dir.resolve() / 'issuer'}: `privategpt dev` creates it. Run this "
            "where you run `dev` (the repository root for `make dev`), or pass the same --data-dir "
            "(or PGPT_DATA_DIR) as `dev`.",
            file=sys.stderr,
        )
        return 2
    if data_dir != settings.data_dir.resolve():
        print(f"privategpt token: signing with the key `dev` made under {data_dir}", file=sys.stderr)
    settings = settings.model_copy(update={"data_dir": data_dir})
    token = LocalIssuer(settings).mint(
        args.sub, email=args.email, name=args.name, roles=args.role, ttl_seconds=args.ttl
    )
    print(token)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "token":
            return _token(args)
        if args.command == "mcp":
            return _mcp(args)
        if args.command == "openapi":
            return _openapi(args)
        from privategpt.dev.runner import run_dev

        return run_dev(
            _settings(args.data_dir), host=args.host, port=args.port, stream_port=args.stream_port, demo=args.demo
        )
    except ValidationError as exc:
        print(f"invalid settings:\n{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
