"""The Lambda entry point, invoked with API Gateway HTTP API (payload 2.0) events against DynamoDB Local."""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from privategpt.settings import Settings, get_settings
from tests.support.issuer import CLIENT_ID, TestIssuer, new_subject


@dataclass
class FakeContext:
    function_name: str = "privategpt-api"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:privategpt-api"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def http_api_event(
    method: str, path: str, *, token: str | None = None, body: Any = None, query: str = ""
) -> dict[str, Any]:
    headers = {"content-type": "application/json", "host": "api.example.test", "x-request-id": "lambda-req-1"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    raw = json.dumps(body) if body is not None else None
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api.example.test",
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "Abc123=",
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
            "authorizer": {"jwt": {"claims": {}, "scopes": None}},
        },
        **(
            {"body": base64.b64encode(raw.encode()).decode(), "isBase64Encoded": True}
            if raw
            else {"isBase64Encoded": False}
        ),
    }


@pytest.fixture
def lambda_module(monkeypatch: pytest.MonkeyPatch, settings: Settings, issuer: TestIssuer) -> Iterator[ModuleType]:
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": "privategpt-api",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "PrivateGPT",
        "PGPT_AUTH_PROVIDER": "keycloak",
        "PGPT_AUTH_ISSUER": issuer.url,
        "PGPT_AUTH_CLIENT_IDS": CLIENT_ID,
        "PGPT_TABLE_NAME": settings.table_name,
        "PGPT_DYNAMODB_ENDPOINT": settings.dynamodb_endpoint or "",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    sys.modules.pop("privategpt.handlers.api", None)
    module = importlib.import_module("privategpt.handlers.api")
    yield module
    sys.modules.pop("privategpt.handlers.api", None)
    get_settings.cache_clear()


def _invoke(module: ModuleType, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    result = module.handler(event, FakeContext())
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return result["statusCode"], result["headers"], json.loads(body) if body else None


def test_conversation_round_trip_through_the_handler(lambda_module: ModuleType, issuer: TestIssuer) -> None:
    token = issuer.token(new_subject())
    status, headers, created = _invoke(
        lambda_module,
        http_api_event("POST", "/api/chat/conversations", token=token, body={"title": "from lambda"}),
    )
    assert status == 201, created
    assert headers["x-request-id"] == "lambda-req-1"
    status, _, page = _invoke(
        lambda_module, http_api_event("GET", "/api/chat/conversations", token=token, query="limit=5")
    )
    assert status == 200
    assert [c["title"] for c in page["items"]] == ["from lambda"]


def test_handler_rejects_missing_token_in_the_error_shape(lambda_module: ModuleType) -> None:
    status, _headers, body = _invoke(lambda_module, http_api_event("GET", "/api/me"))
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert body["error"]["request_id"] == "lambda-req-1"


def test_handler_import_stays_lean() -> None:
    """Modules the API function never needs must stay out of its cold start."""
    code = (
        "import os, sys;"
        "os.environ.update(PGPT_AUTH_PROVIDER='keycloak', PGPT_AUTH_ISSUER='https://kc.test/realms/x',"
        " PGPT_AUTH_CLIENT_IDS='web', AWS_LAMBDA_FUNCTION_NAME='f', POWERTOOLS_TRACE_DISABLED='true');"
        "import privategpt.handlers.api;"
        "heavy = ['uvicorn', 'boto3', 'moto', 'httpx', 'openai', 'anthropic', 'tiktoken', 'yaml',"
        " 'privategpt.dev', 'privategpt.auth.local_issuer'];"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
