"""The ``privategpt`` command: ``dev`` runs the platform locally, ``token`` mints a development token."""

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

    dev = commands.add_parser("dev", help="run the platform locally (DynamoDB Local, local issuer, API)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--stream-port", type=int, help="port of the streaming app (default: --port + 1)")
    dev.add_argument("--data-dir", type=Path, help="where local data lives (default: .local/)")

    token = commands.add_parser("token", help="print a token signed by the local development issuer")
    token.add_argument("--sub", required=True, help="the user's subject")
    token.add_argument("--email")
    token.add_argument("--name")
    token.add_argument("--role", action="append", default=[], help="a role (repeatable), e.g. admin")
    token.add_argument("--ttl", type=int, help="lifetime in seconds (default from settings)")
    token.add_argument("--data-dir", type=Path, help="the data directory `dev` uses (default: .local/)")
    return parser


def _token(args: argparse.Namespace) -> int:
    from privategpt.auth.local_issuer import LocalIssuer

    settings = _settings(args.data_dir)
    if settings.auth_provider != "local":
        print("privategpt token mints tokens only for PGPT_AUTH_PROVIDER=local", file=sys.stderr)
        return 2
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
        from privategpt.dev.runner import run_dev

        return run_dev(_settings(args.data_dir), host=args.host, port=args.port, stream_port=args.stream_port)
    except ValidationError as exc:
        print(f"invalid settings:\n{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
