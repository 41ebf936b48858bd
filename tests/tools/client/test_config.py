"""The operator's servers file: validation, stdio refused in Lambda, and headers from Secrets Manager (moto)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from privategpt.settings import Settings
from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.client.config import HttpServer, ServersFileError, StdioServer, load_servers
from tests.tools.client.conftest import PRINCIPAL, settings_with
from tests.tools.client.mcp_http import running

HTTP = {"name": "remote", "transport": "http", "url": "https://mcp.example.com/mcp"}
STDIO = {"name": "local", "transport": "stdio", "command": "node", "args": ["server.js"]}


def test_no_file_means_no_external_servers(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, None)
    assert load_servers(settings) == []
    assert [server.name for server in ToolCatalog(settings)._connector.endpoints] == ["privategpt"]


def test_the_example_file_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "tools-servers.example.yaml"
    (weather,) = load_servers(Settings(_env_file=None, tools_servers_file=example))  # `files` is disabled there
    assert isinstance(weather, HttpServer) and weather.headers_secret == "prod/mcp/weather"


def test_a_valid_file_loads_its_enabled_servers(tmp_path: Path) -> None:
    servers = load_servers(
        settings_with(
            tmp_path,
            [HTTP, STDIO, {**HTTP, "name": "off", "enabled": False}, {**STDIO, "name": "b-2_x", "env": {"A": "1"}}],
        )
    )
    assert [(s.transport, s.name) for s in servers] == [("http", "remote"), ("stdio", "local"), ("stdio", "b-2_x")]
    assert isinstance(servers[1], StdioServer) and servers[1].args == ["server.js"]
    first = servers[0]
    assert isinstance(first, HttpServer) and first.allow_private_network is False and first.headers == {}


@pytest.mark.parametrize(
    ("servers", "message"),
    [
        ([{**HTTP, "name": "Remote"}], "servers.0.http.name"),
        ([{**HTTP, "name": "-x"}], "should match pattern"),
        ([{**HTTP, "name": "x" * 33}], "should match pattern"),
        ([HTTP, {**STDIO, "name": "remote"}], "server names must be unique: ['remote']"),
        ([{**HTTP, "name": "privategpt"}], "privategpt: the built-in server's name"),
        ([{**HTTP, "url": "ftp://x"}], "url"),
        ([{**HTTP, "transport": "sse"}], "does not match any of the expected tags"),
        ([{**HTTP, "command": "x"}], "Extra inputs are not permitted"),
        ([{**STDIO, "url": "https://x"}], "Extra inputs are not permitted"),
        ([{k: v for k, v in STDIO.items() if k != "command"}], "servers.0.stdio.command"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(tmp_path: Path, servers: list[dict[str, Any]], message: str) -> None:
    settings = settings_with(tmp_path, servers)
    with pytest.raises(ServersFileError, match=r"servers\.yaml") as raised:
        ToolCatalog(settings)
    assert message in str(raised.value)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, [])
    assert settings.tools_servers_file is not None
    settings.tools_servers_file.write_text("servers: [unclosed")
    with pytest.raises(ServersFileError, match="cannot read it"):
        load_servers(settings)
    with pytest.raises(ServersFileError, match="cannot read it"):
        load_servers(settings.model_copy(update={"tools_servers_file": tmp_path / "missing.yaml"}))


def test_stdio_servers_are_refused_in_lambda(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_with(tmp_path, [HTTP, STDIO])
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "privategpt-api")
    with pytest.raises(ServersFileError, match="local: stdio servers run only in local mode"):
        load_servers(settings)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    assert len(load_servers(settings)) == 2


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        import boto3

        yield boto3.client("secretsmanager", region_name="us-east-1")


@pytest.mark.anyio
async def test_headers_from_secrets_manager_are_sent(tmp_path: Path, secrets: Any) -> None:
    name = f"mcp/remote/{uuid.uuid4().hex}"
    arn = secrets.create_secret(Name=name, SecretString=json.dumps({"Authorization": "Bearer s3cr3t"}))["ARN"]
    bad = f"mcp/bad/{uuid.uuid4().hex}"
    secrets.create_secret(Name=bad, SecretString="not json")
    with running() as (base, recorder):
        entry = {**HTTP, "url": f"{base}/mcp", "allow_private_network": True, "headers": {"X-Team": "chat"}}
        catalog = ToolCatalog(
            settings_with(
                tmp_path,
                [{**entry, "headers_secret": arn}, {**entry, "name": "broken", "headers_secret": bad}],
                tools_enabled=False,
            )
        )
        remote, broken = await catalog.servers()
        assert remote.error is None and len(remote.tools) == 2
        assert recorder.headers[-1]["authorization"] == "Bearer s3cr3t"
        assert recorder.headers[-1]["x-team"] == "chat"
        assert broken.error == "the server's headers secret is not a JSON object of strings"
        async with catalog.session(PRINCIPAL) as session:
            echo = next(spec for spec in remote.tools if spec.name == "echo")
            [outcome] = await session.call_all([(echo, {"text": "hi"})], timeout=5)
        assert outcome.ok and recorder.headers[-1]["authorization"] == "Bearer s3cr3t"
        assert "s3cr3t" not in repr(await catalog.servers())
