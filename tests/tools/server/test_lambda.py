"""The tools Lambda (``handlers/tools.py``, Mangum with ``lifespan="off"``) invoked with API Gateway HTTP API
events: a fresh session manager per invocation, so one warm function serves request after request; the
API's Host is allowed through ``PGPT_MCP_RESOURCE_URL``; the 401 and the error shape as in the API."""

from __future__ import annotations

import base64
import gc
import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from privategpt.settings import Settings, get_settings
from tests.handlers.lambda_events import FakeContext, http_api_event
from tests.support.issuer import CLIENT_ID, TestIssuer, new_subject

RESOURCE = "https://api.example.test/mcp"
MODERN = "2026-07-28"


@pytest.fixture
def tools_lambda(monkeypatch: pytest.MonkeyPatch, tools_settings: Settings, issuer: TestIssuer) -> Iterator[ModuleType]:
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": "privategpt-tools",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PGPT_AUTH_PROVIDER": "keycloak",
        "PGPT_AUTH_ISSUER": issuer.url,
        "PGPT_AUTH_CLIENT_IDS": CLIENT_ID,
        "PGPT_TABLE_NAME": tools_settings.table_name,
        "PGPT_DYNAMODB_ENDPOINT": tools_settings.dynamodb_endpoint or "",
        "PGPT_DATA_DIR": str(tools_settings.data_dir),
        "PGPT_MCP_RESOURCE_URL": RESOURCE,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    sys.modules.pop("privategpt.handlers.tools", None)
    module = importlib.import_module("privategpt.handlers.tools")
    yield module
    gc.unfreeze()
    sys.modules.pop("privategpt.handlers.tools", None)
    get_settings.cache_clear()


def _invoke(module: ModuleType, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    result = module.handler(event, FakeContext(function_name="privategpt-tools"))
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return result["statusCode"], result["headers"], json.loads(body) if body else None


def _mcp_event(token: str | None, method: str, params: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    meta = {"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": {**params, "_meta": meta}}
    event = http_api_event("POST", "/mcp", token=token, body=body)
    event["headers"].update(
        {"accept": "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": method}
    )
    if name:
        event["headers"]["mcp-name"] = name
    return event


def test_invocation_after_invocation(tools_lambda: ModuleType, issuer: TestIssuer) -> None:
    token = issuer.token(new_subject())
    status, _, body = _invoke(tools_lambda, _mcp_event(token, "tools/list", {}))
    assert status == 200, body
    assert len(body["result"]["tools"]) == 8
    for n in range(3):  # the same warm function, a new session manager each time
        call = {"name": "write_file", "arguments": {"path": "lambda.txt", "content": "x" * (n + 1)}}
        status, _, body = _invoke(tools_lambda, _mcp_event(token, "tools/call", call, name="write_file"))
        assert status == 200, body
        assert body["result"]["structuredContent"]["size"] == n + 1


def test_unauthenticated_and_metadata(tools_lambda: ModuleType, issuer: TestIssuer) -> None:
    status, headers, body = _invoke(tools_lambda, _mcp_event(None, "tools/list", {}))
    assert status == 401
    assert body["error"]["code"] == "unauthorized" and body["error"]["request_id"] == "lambda-req-1"
    metadata_url = "https://api.example.test/.well-known/oauth-protected-resource/mcp"
    assert headers["www-authenticate"] == f'Bearer resource_metadata="{metadata_url}"'
    status, _, document = _invoke(tools_lambda, http_api_event("GET", "/.well-known/oauth-protected-resource/mcp"))
    assert status == 200
    assert document["resource"] == RESOURCE and document["authorization_servers"] == [issuer.url]
    status, _, missing = _invoke(tools_lambda, http_api_event("GET", "/api/me"))
    assert status == 404 and missing["error"]["code"] == "not_found"
