"""``privategpt token`` and ``privategpt dev`` as a developer runs them: real processes, real ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import jwt
import pytest

from privategpt.dev.cli import main
from privategpt.dev.dynamodb_local import free_port

BIN = Path(sys.executable).parent / "privategpt"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGPT_")}
    env.update(extra)
    return env


def _token(data_dir: Path, *args: str) -> str:
    result = subprocess.run(
        [str(BIN), "token", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    return result.stdout.strip()


def test_token_prints_only_a_signed_token(tmp_path: Path) -> None:
    token = _token(tmp_path, "--sub", "alice", "--email", "a@x.test", "--role", "admin", "--ttl", "120")
    assert token.count(".") == 2 and "\n" not in token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "alice"
    assert claims["email"] == "a@x.test"
    assert claims["realm_access"] == {"roles": ["admin"]}
    assert claims["exp"] - claims["iat"] == 120
    assert (tmp_path / "issuer" / "signing-key.pem").stat().st_mode & 0o077 == 0


def test_token_refuses_other_providers(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PGPT_AUTH_PROVIDER", "keycloak")
    monkeypatch.setenv("PGPT_AUTH_ISSUER", "https://kc.test/realms/x")
    monkeypatch.setenv("PGPT_AUTH_CLIENT_IDS", "web")
    assert main(["token", "--sub", "x"]) == 2
    assert "only for PGPT_AUTH_PROVIDER=local" in capsys.readouterr().err


@contextmanager
def running_dev(data_dir: Path, port: int, **env: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    process = subprocess.Popen(
        [str(BIN), "dev", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(**env),
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Uvicorn running" in line:
                break
        assert any("Uvicorn running" in line for line in lines), "".join(lines)
        yield process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _dynamodb_port(lines: list[str]) -> int:
    line = next(line for line in lines if line.startswith("DynamoDB Local at"))
    return int(line.split()[3].rsplit(":", 1)[1])


def test_dev_serves_stops_on_sigterm_and_keeps_data(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_dev(tmp_path, port) as (process, lines):
        output = "".join(lines)
        assert f"PrivateGPT API at {base}" in output and "privategpt token --sub alice" in output
        headers = {"Authorization": f"Bearer {_token(tmp_path, '--sub', 'alice')}"}
        created = httpx.post(f"{base}/api/chat/conversations", json={"title": "kept"}, headers=headers)
        assert created.status_code == 201, created.text
        assert httpx.get(f"{base}/.well-known/jwks.json").json()["keys"][0]["alg"] == "RS256"
        dynamodb_port = _dynamodb_port(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    # DynamoDB Local went down with it.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{dynamodb_port}", timeout=2)

    with running_dev(tmp_path, port):
        headers = {"Authorization": f"Bearer {_token(tmp_path, '--sub', 'alice')}"}
        titles = [c["title"] for c in httpx.get(f"{base}/api/chat/conversations", headers=headers).json()["items"]]
        assert titles == ["kept"]


def test_dev_uses_a_given_endpoint_and_starts_nothing(tmp_path: Path, dynamodb_endpoint: str) -> None:
    port = free_port()
    with running_dev(tmp_path, port, PGPT_DYNAMODB_ENDPOINT=dynamodb_endpoint, PGPT_TABLE_NAME="dev-endpoint") as (
        _,
        lines,
    ):
        output = "".join(lines)
        assert f"Using DynamoDB at {dynamodb_endpoint}" in output
        assert "DynamoDB Local at" not in output
        assert httpx.get(f"http://127.0.0.1:{port}/api/health/ready").status_code == 200
