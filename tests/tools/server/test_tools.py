"""The built-in tools through the SDK's in-memory transport, as the chat's client uses them: each acts for
the user of ``acting_as`` only, and every failure is a tool error the caller reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from privategpt.app import create_app
from privategpt.auth.principal import Principal
from privategpt.llm.service import LLMService
from privategpt.settings import Settings
from privategpt.storage.ids import new_id
from privategpt.tools.identity import acting_as
from privategpt.tools.server.build import build_server
from tests.conftest import ANTHROPIC_MODELS, OLLAMA_MODELS, OPENAI_MODELS
from tests.support.documents import make_pdf
from tests.tools.server.conftest import MAX_FILES, READ_CHARS, ready_document

pytestmark = pytest.mark.anyio

TOOLS = {
    "search_documents",
    "list_documents",
    "read_document",
    "list_files",
    "read_file",
    "write_file",
    "delete_file",
    "system_info",
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def llm(tools_settings: Settings) -> LLMService:
    service: LLMService = create_app(tools_settings).state.llm
    return service


@pytest.fixture(scope="module")
def server(tools_settings: Settings, llm: LLMService) -> MCPServer:
    built: MCPServer = build_server(tools_settings, llm)
    return built


def _principal() -> Principal:
    subject = f"user-{new_id()}"
    return Principal(user_id=f"id-{subject}", issuer="https://issuer.test", subject=subject)


@asynccontextmanager
async def _as(server: MCPServer, principal: Principal) -> AsyncIterator[Client]:
    with acting_as(principal):
        async with Client(server) as client:
            yield client


def _text(result: CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


async def _ok(client: Client, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
    result = await client.call_tool(name, arguments or {})
    assert not result.is_error, _text(result)
    structured: dict[str, Any] | None = result.structured_content
    assert structured is not None
    return structured


async def _error(client: Client, name: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(name, arguments)
    assert result.is_error
    return _text(result)


async def test_lists_every_tool_with_schemas(server: MCPServer, tools_settings: Settings) -> None:
    async with _as(server, _principal()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None
    search = tools["search_documents"].input_schema
    assert search["required"] == ["query"]
    assert search["properties"]["query"]["maxLength"] == tools_settings.max_search_query_chars
    assert tools["read_file"].input_schema["properties"]["max_chars"]["anyOf"][0]["maximum"] == READ_CHARS
    assert tools["list_files"].annotations is not None and tools["list_files"].annotations.read_only_hint
    assert tools["delete_file"].annotations is not None and tools["delete_file"].annotations.destructive_hint


async def test_no_user_no_tool(server: MCPServer) -> None:
    async with Client(server) as client:
        message = await _error(client, "list_files", {})
    assert "unauthorized" in message


async def test_files_round_trip_and_errors(server: MCPServer) -> None:
    async with _as(server, _principal()) as client:
        written = await _ok(client, "write_file", {"path": "notes/plan.md", "content": "step one\n" * 100})
        assert written["created"] and written["total_files"] == 1
        first = await _ok(client, "read_file", {"path": "notes/plan.md"})
        assert len(first["text"]) == READ_CHARS and first["truncated"] and first["next_start"] == READ_CHARS
        listing = await _ok(client, "list_files", {})
        assert [f["path"] for f in listing["files"]] == ["notes/plan.md"]
        assert listing["limits"]["max_files"] == MAX_FILES

        assert "invalid_path" in await _error(client, "read_file", {"path": "../../etc/passwd"})
        assert "invalid_path" in await _error(client, "write_file", {"path": "/abs.txt", "content": "x"})
        assert "not_found" in await _error(client, "read_file", {"path": "missing.txt"})
        assert "conflict" in await _error(
            client, "write_file", {"path": "notes/plan.md", "content": "x", "mode": "create"}
        )
        for n in range(MAX_FILES - 1):
            await _ok(client, "write_file", {"path": f"f{n}.txt", "content": "x"})
        assert "quota_exceeded" in await _error(client, "write_file", {"path": "one-too-many.txt", "content": "x"})
        assert "validation" in (await _error(client, "read_file", {"path": "a.txt", "max_chars": READ_CHARS + 1}))

        assert (await _ok(client, "delete_file", {"path": "notes/plan.md"}))["deleted"]
        assert "not_found" in await _error(client, "delete_file", {"path": "notes/plan.md"})


async def test_a_user_never_sees_another_users_files(server: MCPServer) -> None:
    alice, bob = _principal(), _principal()
    async with _as(server, alice) as client:
        await _ok(client, "write_file", {"path": "secret.txt", "content": "alice's secret"})
    async with _as(server, bob) as client:
        assert (await _ok(client, "list_files", {}))["files"] == []
        assert "not_found" in await _error(client, "read_file", {"path": "secret.txt"})
        escape = f"../{alice.user_id}/secret.txt"
        assert "invalid_path" in await _error(client, "read_file", {"path": escape})
        assert "not_found" in await _error(client, "delete_file", {"path": "secret.txt"})
    async with _as(server, alice) as client:
        assert (await _ok(client, "read_file", {"path": "secret.txt"}))["text"] == "alice's secret"


async def test_documents_search_list_read(server: MCPServer, tools_settings: Settings) -> None:
    alice, bob = _principal(), _principal()
    trams = ready_document(
        tools_settings,
        alice.user_id,
        b"Tram 28 runs from Martim Moniz up through Alfama to Campo de Ourique.\n\n"
        b"The funicular Elevador da Gloria climbs to Bairro Alto.",
        filename="lisbon.txt",
    )
    pdf = ready_document(
        tools_settings,
        alice.user_id,
        make_pdf(["Page one is about sourdough starters.", "Page two bakes the loaf at 250 degrees."]),
        filename="bread.pdf",
        content_type="application/pdf",
    )
    bobs = ready_document(tools_settings, bob.user_id, b"Bob's tram notes: tram 28 is his favourite.", filename="b.txt")

    async with _as(server, alice) as client:
        found = await _ok(client, "search_documents", {"query": "Campo de Ourique tram", "mode": "keyword"})
        assert found["mode"] == "keyword"
        assert found["results"][0]["document_id"] == trams
        assert {r["document_id"] for r in found["results"]} <= {trams, pdf}
        hybrid = await _ok(client, "search_documents", {"query": "loaf degrees", "document_ids": [pdf], "top_k": 1})
        assert [r["document_id"] for r in hybrid["results"]] == [pdf]
        assert "not_found" in await _error(client, "search_documents", {"query": "tram", "document_ids": [bobs]})
        assert "not_found" in await _error(client, "search_documents", {"query": "tram", "document_ids": [new_id()]})
        too_many = tools_settings.rag_max_top_k + 1
        assert "validation" in await _error(client, "search_documents", {"query": "tram", "top_k": too_many})

        listed = await _ok(client, "list_documents", {"limit": 1})
        assert len(listed["items"]) == 1 and listed["next_cursor"]
        rest = await _ok(client, "list_documents", {"cursor": listed["next_cursor"]})
        assert {d["id"] for d in listed["items"] + rest["items"]} == {trams, pdf}
        assert all(d["status"] == "ready" for d in listed["items"] + rest["items"])
        assert "bad_request" in await _error(client, "list_documents", {"cursor": "not-a-cursor"})

        whole = await _ok(client, "read_document", {"id": trams})
        assert whole["text"].startswith("Tram 28 runs") and "Bairro Alto" in whole["text"]
        assert whole["pages"] is None and not whole["truncated"]
        part = await _ok(client, "read_document", {"id": trams, "start": 5, "max_chars": 10})
        assert part["text"] == whole["text"][5:15] and part["next_start"] == 15
        page_two = await _ok(client, "read_document", {"id": pdf, "page": 2})
        assert page_two["pages"] == 2 and "250 degrees" in page_two["text"] and "sourdough" not in page_two["text"]
        assert "validation" in await _error(client, "read_document", {"id": pdf, "page": 3})
        assert "not_found" in await _error(client, "read_document", {"id": bobs})
        assert "not_found" in await _error(client, "read_document", {"id": "nonsense"})

    async with _as(server, bob) as client:
        found = await _ok(client, "search_documents", {"query": "tram", "mode": "keyword"})
        assert {r["document_id"] for r in found["results"]} == {bobs}
        assert [d["id"] for d in (await _ok(client, "list_documents"))["items"]] == [bobs]


async def test_a_document_not_ready_cannot_be_read(server: MCPServer) -> None:
    from privategpt.storage import documents

    alice = _principal()
    item = documents.create(alice.user_id, filename="later.txt", content_type="text/plain", size=10)
    async with _as(server, alice) as client:
        assert "uploading" in await _error(client, "read_document", {"id": item.document_id})


async def test_system_info(server: MCPServer) -> None:
    alice = _principal()
    async with _as(server, alice) as client:
        info = await _ok(client, "system_info")
    assert info["user_id"] == alice.user_id
    assert info["version"]
    expected = {f"openai/{m}" for m in OPENAI_MODELS} | {f"anthropic/{m}" for m in ANTHROPIC_MODELS}
    assert expected | {f"ollama/{m}" for m in OLLAMA_MODELS} <= set(info["models"])
    assert {p["name"] for p in info["providers"]} == {"openai", "anthropic", "ollama"}
    assert all(p["health"] in {"ok", "degraded", "down", "unknown"} for p in info["providers"])
    text = str(info)
    assert "127.0.0.1" not in text and "http" not in text and "sk-" not in text
