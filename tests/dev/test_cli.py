"""``privategpt token`` and ``privategpt dev`` as a developer runs them: real processes, real ports."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import jwt
import pytest

from privategpt.auth.local_issuer import LocalIssuer
from privategpt.dev.cli import main
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.dev.running import BIN, clean_env, running_dev, token


def _issuer(data_dir: Path) -> LocalIssuer:
    """The key `dev` makes at start-up under its data directory."""
    issuer = LocalIssuer(Settings(_env_file=None, data_dir=data_dir))
    issuer.ensure_key()
    return issuer


def _verified(issuer: LocalIssuer, raw: str) -> dict[str, object]:
    key = jwt.PyJWK(issuer.jwks()["keys"][0]).key
    claims: dict[str, object] = jwt.decode(raw, key, algorithms=["RS256"], audience="privategpt-local")
    return claims


def _minted(data_dir: Path, *args: str) -> str:
    result = token(data_dir, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_token_prints_only_a_signed_token(tmp_path: Path) -> None:
    issuer = _issuer(tmp_path)
    raw = _minted(tmp_path, "--sub", "alice", "--email", "a@x.test", "--role", "admin", "--ttl", "120")
    assert raw.count(".") == 2 and "\n" not in raw
    claims = _verified(issuer, raw)
    assert claims["sub"] == "alice"
    assert claims["email"] == "a@x.test"
    assert claims["realm_access"] == {"roles": ["admin"]}
    assert claims["exp"] - claims["iat"] == 120  # type: ignore[operator]
    assert (tmp_path / "issuer" / "signing-key.pem").stat().st_mode & 0o077 == 0


def test_token_refuses_other_providers(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PGPT_AUTH_PROVIDER", "keycloak")
    monkeypatch.setenv("PGPT_AUTH_ISSUER", "https://kc.test/realms/x")
    monkeypatch.setenv("PGPT_AUTH_CLIENT_IDS", "web")
    assert main(["token", "--sub", "x"]) == 2
    assert "only for PGPT_AUTH_PROVIDER=local" in capsys.readouterr().err


def test_token_below_the_directory_dev_runs_in_uses_devs_key(tmp_path: Path) -> None:
    issuer = _issuer(tmp_path / ".local")  # `make dev` in tmp_path: the default data dir is .local/
    below = tmp_path / "functions" / "privategpt"
    below.mkdir(parents=True)
    result = token(None, "--sub", "alice", cwd=below)
    assert result.returncode == 0, result.stderr
    assert _verified(issuer, result.stdout.strip())["sub"] == "alice"
    assert str(tmp_path / ".local") in result.stderr
    assert not (below / ".local").exists()


def test_token_where_dev_never_ran_fails_naming_the_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = token(None, "--sub", "alice", cwd=elsewhere)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"no signing key in {elsewhere / '.local' / 'issuer'}" in result.stderr
    assert "--data-dir" in result.stderr
    assert not (elsewhere / ".local").exists()  # no new key whose tokens would get 401
    assert token(tmp_path / "typo", "--sub", "alice").returncode == 2
    assert not (tmp_path / "typo").exists()


def _dynamodb_port(lines: list[str]) -> int:
    line = next(line for line in lines if line.startswith("DynamoDB Local at"))
    return int(line.split()[3].rsplit(":", 1)[1])


def test_dev_serves_stops_on_sigterm_and_keeps_data(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_dev(tmp_path, port, "--stream-port", str(free_port())) as (process, lines):
        output = "".join(lines)
        assert f"PrivateGPT API at {base}" in output and "privategpt token --sub alice" in output
        assert "demo/echo is the demo model" in output  # nothing configured: the demo is offered
        headers = {"Authorization": f"Bearer {_minted(tmp_path, '--sub', 'alice')}"}
        created = httpx.post(f"{base}/api/chat/conversations", json={"title": "kept"}, headers=headers)
        assert created.status_code == 201, created.text
        assert httpx.get(f"{base}/.well-known/jwks.json").json()["keys"][0]["alg"] == "RS256"
        dynamodb_port = _dynamodb_port(lines)
        # where `privategpt mcp --stdio` finds it
        assert json.loads((tmp_path / "dev.json").read_text())["dynamodb_endpoint"].endswith(f":{dynamodb_port}")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert not (tmp_path / "dev.json").exists()
    # DynamoDB Local went down with it.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{dynamodb_port}", timeout=2)

    with running_dev(tmp_path, port, "--stream-port", str(free_port())):
        headers = {"Authorization": f"Bearer {_minted(tmp_path, '--sub', 'alice')}"}
        titles = [c["title"] for c in httpx.get(f"{base}/api/chat/conversations", headers=headers).json()["items"]]
        assert titles == ["kept"]


def test_dev_uses_a_given_endpoint_and_starts_nothing(tmp_path: Path, dynamodb_endpoint: str) -> None:
    port = free_port()
    with running_dev(
        tmp_path,
        port,
        "--stream-port",
        str(free_port()),
        "--no-demo",
        PGPT_DYNAMODB_ENDPOINT=dynamodb_endpoint,
        PGPT_TABLE_NAME="dev-endpoint",
    ) as (_, lines):
        output = "".join(lines)
        assert f"Using DynamoDB at {dynamodb_endpoint}" in output
        assert "DynamoDB Local at" not in output
        assert httpx.get(f"http://127.0.0.1:{port}/api/health/ready").status_code == 200
        headers = {"Authorization": f"Bearer {_minted(tmp_path, '--sub', 'alice')}"}
        models = httpx.get(f"http://127.0.0.1:{port}/api/models", headers=headers).json()["items"]
        assert all(m["provider"] != "demo" for m in models)
        assert "demo/echo" not in output


def _dev(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN), "dev", "--data-dir", str(tmp_path), *args]
    return subprocess.run(command, capture_output=True, text=True, env=clean_env(), timeout=30, check=False)


def _taken_port_after_a_free_one() -> socket.socket:
    """A listening socket on port P where P - 1 is free (so `dev --port P-1` meets it as its stream port)."""
    while True:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with socket.socket() as below:
            try:
                below.bind(("127.0.0.1", taken.getsockname()[1] - 1))
            except OSError:
                taken.close()
                continue
        return taken


def test_dev_refuses_a_port_in_use_and_suggests_a_free_pair(tmp_path: Path) -> None:
    with _taken_port_after_a_free_one() as taken:
        port = taken.getsockname()[1]
        result = _dev(tmp_path, "--port", str(port))
        assert result.returncode == 1
        assert f"port {port} (--port) is in use" in result.stderr
        assert f'make dev ARGS="--port {port + 1000}"' in result.stderr
        # The streaming app's port (--port + 1 by default) is checked too.
        result = _dev(tmp_path, "--port", str(port - 1))
        assert result.returncode == 1
        assert f"port {port} (--stream-port) is in use" in result.stderr
    assert not (tmp_path / "dynamodb").exists()  # refused before anything started


def test_dev_refuses_one_port_for_both_apps(tmp_path: Path) -> None:
    port = free_port()
    result = _dev(tmp_path, "--port", str(port), "--stream-port", str(port))
    assert result.returncode == 1
    assert "need a port each" in result.stderr


def test_make_dev_passes_arguments_through() -> None:
    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "dev", "ARGS=--port 9000 --no-demo"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert dry.stdout.strip().splitlines()[-1].endswith("privategpt dev --port 9000 --no-demo")
    bare = subprocess.run(
        ["make", "--no-print-directory", "-n", "dev"], cwd=root, capture_output=True, text=True, check=True
    )
    assert bare.stdout.strip().splitlines()[-1].endswith("privategpt dev")
