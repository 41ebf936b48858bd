"""The Lambda entry point, invoked with API Gateway HTTP API (payload 2.0) events against DynamoDB Local."""

from __future__ import annotations

import base64
import gc
import importlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from privategpt.settings import Settings, get_settings
from tests.handlers.lambda_events import FakeContext, http_api_event
from tests.support.issuer import CLIENT_ID, TestIssuer, new_subject

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    gc.unfreeze()  # the import froze this test process's objects too
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


# What Lambda puts in a function's environment (AWS_XRAY_* is there whether or not the function is traced).
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "privategpt-api",
    "LAMBDA_TASK_ROOT": "/var/task",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    "PGPT_AUTH_PROVIDER": "keycloak",
    "PGPT_AUTH_ISSUER": "https://kc.test/realms/x",
    "PGPT_AUTH_CLIENT_IDS": "web",
}
TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
TRACE_PARENT = "53995c3f42cd8ad8"


def _fresh_python(code: list[str], env: dict[str, str], tmp_path: Path) -> str:
    """Runs Python in a clean environment (nothing of the test process's PGPT_/POWERTOOLS_/X-Ray settings) and
    outside the repository (no .env), with the repository importable."""
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("PGPT_", "POWERTOOLS_", "AWS_", "_X_AMZN", "LAMBDA_"))
    }
    keep["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, *code], capture_output=True, text=True, env={**keep, **env}, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _invoke_once(env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """Status, X-Ray SDK loaded, tracer built (the collector's figures are checked on their own)."""
    out = _fresh_python(["-m", "tests.handlers.invoke_once"], env, tmp_path)
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return report


def test_handler_import_stays_lean(tmp_path: Path) -> None:
    """Modules the API function never needs must stay out of its cold start: with tracing off (the default, even
    in Lambda) that includes the X-Ray SDK, which Powertools' Tracer() imports even when it then disables itself."""
    heavy = ["aws_xray_sdk", "uvicorn", "boto3", "moto", "httpx", "openai", "anthropic", "tiktoken", "yaml"]
    heavy += ["privategpt.dev", "privategpt.auth.local_issuer"]
    code = f"import sys, privategpt.handlers.api; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    assert _fresh_python(["-c", code], LAMBDA_ENV, tmp_path).strip() == ""


def test_tracing_off_serves_requests_without_the_xray_sdk(tmp_path: Path) -> None:
    env = {**LAMBDA_ENV, "_X_AMZN_TRACE_ID": f"Root={TRACE_ROOT};Parent={TRACE_PARENT};Sampled=1"}
    report = _invoke_once(env, tmp_path)
    assert (report["status"], report["xray_loaded"], report["tracer"]) == (401, False, False)
    vetoed = {**env, "PGPT_TRACING_ENABLED": "true", "POWERTOOLS_TRACE_DISABLED": "true"}
    report = _invoke_once(vetoed, tmp_path)
    assert (report["status"], report["xray_loaded"], report["tracer"]) == (401, False, False)


def test_cold_start_runs_without_garbage_collection_and_freezes_what_it_built(tmp_path: Path) -> None:
    """The import makes ~100k long-lived objects: no collection may scan them while they are made, and
    afterwards they are frozen (requests' collections skip them) with the collector back on."""
    report = _invoke_once(LAMBDA_ENV, tmp_path)
    assert report["status"] == 401
    assert report["gc"]["collections_during_import"] == 0
    assert report["gc"]["enabled"] is True
    assert report["gc"]["frozen"] > 50_000


def test_tracing_on_wraps_the_handler_in_an_xray_subsegment(tmp_path: Path) -> None:
    """With PGPT_TRACING_ENABLED the handler runs inside the Powertools tracer: the X-Ray SDK sends the
    handler's subsegment, under the invocation's trace, to the daemon (here a UDP socket of the test)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(10)
        env = {
            **LAMBDA_ENV,
            "PGPT_TRACING_ENABLED": "true",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
            "_X_AMZN_TRACE_ID": f"Root={TRACE_ROOT};Parent={TRACE_PARENT};Sampled=1",
        }
        report = _invoke_once(env, tmp_path)
        assert (report["status"], report["xray_loaded"], report["tracer"]) == (401, True, True)
        entities: list[dict[str, Any]] = []
        while not any(e.get("name") == "## api_handler" for e in entities):
            header, _, body = daemon.recv(65536).decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            entities.append(json.loads(body))
    handler_segment = next(e for e in entities if e["name"] == "## api_handler")
    assert handler_segment["trace_id"] == TRACE_ROOT
    assert handler_segment["parent_id"] == TRACE_PARENT
    assert handler_segment["annotations"] == {"ColdStart": True, "Service": "privategpt"}
