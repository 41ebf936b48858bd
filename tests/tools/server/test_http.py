"""``/mcp`` over real HTTP (uvicorn): the bearer token and its 401 challenge, the protected-resource metadata,
both protocol revisions by hand (2025-11-25 with ``initialize``, 2026-07-28 stateless with ``server/discover``
and the routing headers), the SDK's own Streamable HTTP client in both modes, DNS-rebinding protection, the
body limit, roles, and one user never reaching another's data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

from privategpt.app import create_app
from privategpt.auth.principal import user_id_for
from privategpt.settings import Settings
from privategpt.tools.server.http import install
from tests.support.api import assert_error
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve
from tests.tools.server.conftest import ready_document

LEGACY = "2025-11-25"
MODERN = "2026-07-28"
MAX_BODY = 16 * 1024
JSON_ACCEPT = "application/json, text/event-stream"


@pytest.fixture(scope="module")
def http_settings(tools_settings: Settings) -> Settings:
    return tools_settings.model_copy(
        update={"mcp_max_body_bytes": MAX_BODY, "mcp_allowed_hosts": ["mcp.example.com"], "auth_required_role": None}
    )


@pytest.fixture(scope="module")
def url(http_settings: Settings) -> Iterator[str]:
    app = create_app(http_settings)
    install(app, http_settings)
    with serve(app) as base:
        yield base


def _token(issuer: TestIssuer, subject: str | None = None, roles: list[str] | None = None) -> str:
    return issuer.token(subject or new_subject(), roles=roles)


def _legacy_headers(token: str | None, version: str | None = LEGACY) -> dict[str, str]:
    headers = {"Accept": JSON_ACCEPT, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if version:
        headers["MCP-Protocol-Version"] = version
    return headers


def _rpc(method: str, params: dict[str, Any] | None = None, request_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}


def _modern(token: str, method: str, params: dict[str, Any] | None = None, name: str | None = None) -> dict[str, Any]:
    """A 2026-07-28 request: the envelope in ``_meta`` and the routing headers."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw-httpx", "version": "1"},
    }
    headers = {**_legacy_headers(token, MODERN), "Mcp-Method": method}
    if name:
        headers["Mcp-Name"] = name
    return {"headers": headers, "json": _rpc(method, {**(params or {}), "_meta": meta})}


def test_metadata(url: str, issuer: TestIssuer) -> None:
    for path in ("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"):
        response = httpx.get(url + path)
        assert response.status_code == 200
        assert response.json() == {
            "resource": url + "/mcp",
            "authorization_servers": [issuer.url],
            "bearer_methods_supported": ["header"],
            "resource_name": "PrivateGPT MCP server",
        }


def test_no_token_is_challenged(url: str) -> None:
    response = httpx.post(url + "/mcp", headers=_legacy_headers(None), json=_rpc("tools/list"))
    assert_error(response, 401, "unauthorized")
    challenge = response.headers["www-authenticate"]
    assert challenge == f'Bearer resource_metadata="{url}/.well-known/oauth-protected-resource/mcp"'


@pytest.mark.parametrize("authorization", ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer"])
def test_bad_token_is_challenged(url: str, authorization: str) -> None:
    headers = {**_legacy_headers(None), "Authorization": authorization}
    response = httpx.post(url + "/mcp", headers=headers, json=_rpc("tools/list"))
    assert_error(response, 401, "unauthorized")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{url}/.well-known/oauth-protected-resource/mcp"' in challenge
    if authorization == "Bearer not-a-jwt":
        assert 'error="invalid_token"' in challenge


def test_expired_token(url: str, issuer: TestIssuer) -> None:
    token = issuer.sign(issuer.claims(new_subject(), exp=1, iat=0))
    response = httpx.post(url + "/mcp", headers=_legacy_headers(token), json=_rpc("tools/list"))
    assert_error(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_legacy_revision_by_hand(url: str, issuer: TestIssuer) -> None:
    token = _token(issuer)
    with httpx.Client(base_url=url, timeout=30) as client:
        init = client.post(
            "/mcp",
            headers=_legacy_headers(token, version=None),
            json=_rpc(
                "initialize",
                {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
            ),
        )
        assert init.status_code == 200, init.text
        assert init.headers["content-type"].startswith("application/json")
        assert "mcp-session-id" not in init.headers  # stateless
        result = init.json()["result"]
        assert result["protocolVersion"] == LEGACY
        assert result["serverInfo"]["name"] == "privategpt"
        assert "tools" in result["capabilities"]

        listed = client.post("/mcp", headers=_legacy_headers(token), json=_rpc("tools/list", request_id=2))
        assert listed.status_code == 200, listed.text
        assert "write_file" in {tool["name"] for tool in listed.json()["result"]["tools"]}

        called = client.post(
            "/mcp",
            headers=_legacy_headers(token),
            json=_rpc("tools/call", {"name": "write_file", "arguments": {"path": "a.txt", "content": "hi"}}, 3),
        )
        assert called.status_code == 200, called.text
        assert called.json()["result"]["structuredContent"]["created"] is True
        failed = client.post(
            "/mcp",
            headers=_legacy_headers(token),
            json=_rpc("tools/call", {"name": "read_file", "arguments": {"path": "../x"}}, 4),
        )
        assert failed.json()["result"]["isError"] is True


def test_modern_revision_by_hand(url: str, issuer: TestIssuer) -> None:
    token = _token(issuer)
    with httpx.Client(base_url=url, timeout=30) as client:
        discovered = client.post("/mcp", **_modern(token, "server/discover"))
        assert discovered.status_code == 200, discovered.text
        assert "mcp-session-id" not in discovered.headers
        result = discovered.json()["result"]
        assert MODERN in result["supportedVersions"]
        assert "tools" in result["capabilities"]
        assert result["instructions"]

        listed = client.post("/mcp", **_modern(token, "tools/list"))
        assert listed.status_code == 200, listed.text
        assert len(listed.json()["result"]["tools"]) == 8

        call = {"name": "write_file", "arguments": {"path": "m.txt", "content": "modern"}}
        called = client.post("/mcp", **_modern(token, "tools/call", call, name="write_file"))
        assert called.status_code == 200, called.text
        assert called.json()["result"]["structuredContent"]["size"] == len("modern")

        mismatch = client.post("/mcp", **_modern(token, "tools/call", call, name="read_file"))
        assert mismatch.status_code == 400  # Mcp-Name disagrees with the body


@asynccontextmanager
async def _sdk_client(url: str, token: str, mode: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(url + "/mcp", http_client=http), mode=mode) as client,
    ):
        yield client


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_sdk_client(url: str, issuer: TestIssuer, mode: str) -> None:
    async with _sdk_client(url, _token(issuer), mode) as client:
        assert client.protocol_version == (MODERN if mode == "auto" else LEGACY)
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"search_documents", "write_file", "system_info"} <= names
        written = await client.call_tool("write_file", {"path": "sdk.txt", "content": mode})
        assert not written.is_error
        read = await client.call_tool("read_file", {"path": "sdk.txt"})
        assert read.structured_content is not None and read.structured_content["text"] == mode
        missing = await client.call_tool("read_file", {"path": "nope.txt"})
        assert missing.is_error
        block = missing.content[0]
        assert isinstance(block, TextContent) and "not_found" in block.text


@pytest.mark.anyio
async def test_users_are_apart_over_http(url: str, issuer: TestIssuer, http_settings: Settings) -> None:
    alice, bob = new_subject(), new_subject()
    alice_doc = ready_document(
        http_settings, user_id_for(issuer.url, alice), b"Alice's harbour notes about granite ships.", filename="a.txt"
    )
    async with _sdk_client(url, _token(issuer, alice), "auto") as client:
        assert not (await client.call_tool("write_file", {"path": "private.txt", "content": "alice only"})).is_error
    async with _sdk_client(url, _token(issuer, bob), "auto") as client:
        assert (await client.call_tool("read_file", {"path": "private.txt"})).is_error
        files = await client.call_tool("list_files", {})
        assert files.structured_content is not None and files.structured_content["files"] == []
        documents = await client.call_tool("list_documents", {})
        assert documents.structured_content is not None and documents.structured_content["items"] == []
        assert (await client.call_tool("read_document", {"id": alice_doc})).is_error
        found = await client.call_tool("search_documents", {"query": "granite ships", "mode": "keyword"})
        assert found.structured_content is not None and found.structured_content["results"] == []
    # the token's user, and no other: alice's file is in alice's area
    area = http_settings.data_dir / "files"
    assert (area / user_id_for(issuer.url, alice) / "private.txt").read_text() == "alice only"
    assert not (area / user_id_for(issuer.url, bob)).exists()  # bob never wrote: nothing was made for him


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 421),
        ({"Host": "mcp.example.com"}, 200),
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "http://localhost:3000"}, 200),
    ],
)
def test_dns_rebinding_protection(url: str, issuer: TestIssuer, headers: dict[str, str], status: int) -> None:
    request = _modern(_token(issuer), "tools/list")
    response = httpx.post(url + "/mcp", headers={**request["headers"], **headers}, json=request["json"])
    assert response.status_code == status, response.text


def test_body_limit(url: str, issuer: TestIssuer) -> None:
    call = {"name": "write_file", "arguments": {"path": "big.txt", "content": "x" * MAX_BODY}}
    request = _modern(_token(issuer), "tools/call", call, name="write_file")
    response = httpx.post(url + "/mcp", headers=request["headers"], json=request["json"])
    assert response.status_code == 413


def test_get_and_delete_open_nothing(url: str, issuer: TestIssuer) -> None:
    """Stateless: no SSE stream to open with GET, no session to end with DELETE."""
    headers = {"Authorization": f"Bearer {_token(issuer)}", "Accept": "text/event-stream"}
    for method in ("GET", "DELETE", "PUT"):
        response = httpx.request(method, url + "/mcp", headers=headers, timeout=5)
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["allow"] == "POST"


@pytest.fixture(scope="module")
def role_url(tools_settings: Settings) -> Iterator[str]:
    settings = tools_settings.model_copy(update={"auth_required_role": "mcp-user"})
    app = create_app(settings)
    install(app, settings)
    with serve(app) as base:
        yield base


def test_required_role(role_url: str, issuer: TestIssuer) -> None:
    request = _modern(_token(issuer), "tools/list")
    refused = httpx.post(role_url + "/mcp", headers=request["headers"], json=request["json"])
    assert_error(refused, 403, "forbidden")
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    allowed = _modern(_token(issuer, roles=["mcp-user"]), "tools/list")
    assert httpx.post(role_url + "/mcp", headers=allowed["headers"], json=allowed["json"]).status_code == 200


def test_install_is_idempotent(tools_settings: Settings) -> None:
    app = create_app(tools_settings)
    install(app, tools_settings)
    install(app, tools_settings)
    paths = [getattr(route, "path", None) for route in app.router.routes]
    assert paths.count("/mcp") == 1 and paths.count("/.well-known/oauth-protected-resource/mcp") == 1


def test_tools_off_means_no_endpoint(tools_settings: Settings) -> None:
    settings = tools_settings.model_copy(update={"tools_enabled": False})
    app = create_app(settings)
    install(app, settings)
    paths = {getattr(route, "path", None) for route in app.router.routes}
    assert "/mcp" not in paths and "/.well-known/oauth-protected-resource" not in paths
