"""``privategpt mcp --stdio --user SUB`` as a desktop MCP client runs it: a real process, spoken to with the
SDK's stdio client, acting for the local user of that subject against DynamoDB Local; refused outside local
mode."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from privategpt.auth.principal import user_id_for
from privategpt.dev import endpoints
from privategpt.settings import LOCAL_ISSUER, Settings
from tests.dev.running import BIN, clean_env

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _env(settings: Settings, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PGPT_AUTH_PROVIDER": "local",
        "PGPT_DYNAMODB_ENDPOINT": settings.dynamodb_endpoint or "",
        "PGPT_TABLE_NAME": settings.table_name,
        "PGPT_DATA_DIR": str(data_dir),
        "PGPT_LOG_LEVEL": "WARNING",
        **extra,
    }


async def test_tools_over_stdio(settings: Settings, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=str(BIN), args=["mcp", "--stdio", "--user", "alice"], env=_env(settings, tmp_path), cwd=tmp_path
    )
    async with Client(params, mode="legacy") as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"list_files", "write_file", "search_documents", "system_info"} <= names
        written = await client.call_tool("write_file", {"path": "desk/notes.md", "content": "from the desktop"})
        assert not written.is_error
        listed = await client.call_tool("list_files", {})
        assert listed.structured_content is not None
        assert [f["path"] for f in listed.structured_content["files"]] == ["desk/notes.md"]
        assert (await client.call_tool("read_file", {"path": "../escape"})).is_error
        info = await client.call_tool("system_info", {})
        assert info.structured_content is not None
        assert info.structured_content["user_id"] == user_id_for(LOCAL_ISSUER, "alice")
    # the same user as alice's token from the local issuer: the same file area as the web app's alice
    stored = tmp_path / "files" / user_id_for(LOCAL_ISSUER, "alice") / "desk" / "notes.md"
    assert stored.read_text() == "from the desktop"


async def test_a_desktop_client_finds_the_running_dev_by_its_data_directory(settings: Settings, tmp_path: Path) -> None:
    """A desktop client's config holds a fixed command line; `dev`'s DynamoDB Local port changes with each start,
    so the command reads it from the file the running `dev` writes in its data directory."""
    endpoints.write(settings.model_copy(update={"data_dir": tmp_path}))
    env = {k: v for k, v in _env(settings, tmp_path).items() if k not in ("PGPT_DYNAMODB_ENDPOINT", "PGPT_TABLE_NAME")}
    del env["PGPT_DATA_DIR"]
    nested = tmp_path / "some" / "folder"
    nested.mkdir(parents=True)
    params = StdioServerParameters(
        command=str(BIN), args=["mcp", "--stdio", "--user", "bob", "--data-dir", str(tmp_path)], env=env, cwd=nested
    )
    async with Client(params, mode="legacy") as client:
        written = await client.call_tool("write_file", {"path": "found.md", "content": "via dev.json"})
        assert not written.is_error, written
    assert (tmp_path / "files" / user_id_for(LOCAL_ISSUER, "bob") / "found.md").read_text() == "via dev.json"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"PGPT_AUTH_PROVIDER": "keycloak", "PGPT_AUTH_ISSUER": "https://kc.test/realms/x"},
            "PGPT_AUTH_PROVIDER=local",
        ),
        ({"AWS_LAMBDA_FUNCTION_NAME": "privategpt-api"}, "PGPT_AUTH_PROVIDER=local"),  # the settings refuse it already
        ({"PGPT_DYNAMODB_ENDPOINT": ""}, "`privategpt dev` is not running"),
    ],
)
def test_refused_outside_local_mode(settings: Settings, tmp_path: Path, extra: dict[str, str], message: str) -> None:
    env = clean_env(**{**_env(settings, tmp_path), **extra})
    if not env["PGPT_DYNAMODB_ENDPOINT"]:
        del env["PGPT_DYNAMODB_ENDPOINT"]
    done = subprocess.run(
        [str(BIN), "mcp", "--stdio", "--user", "alice"],
        capture_output=True,
        text=True,
        env={**env, "PGPT_AUTH_CLIENT_IDS": "web"},
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert done.stdout == ""
