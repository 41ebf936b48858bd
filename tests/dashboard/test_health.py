"""``GET /api/dashboard/health``: every dependency's status and latency, for admins (everyone under local auth)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from privategpt.app import create_app
from privategpt.auth.local_issuer import LocalIssuer
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support.api import User, assert_error, new_user
from tests.support.issuer import TestIssuer
from tests.support.server import serve


def by_kind(body: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in body["dependencies"] if d["kind"] == kind}


def test_an_admin_sees_every_dependency(admin: User, settings: Settings) -> None:
    # discovery done first (a first discovery that outlasts the check is reported as the states stand)
    assert admin.client.get("/api/models").status_code == 200
    response = admin.client.get("/api/dashboard/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"status", "checked_at", "dependencies"}
    for dependency in body["dependencies"]:
        assert set(dependency) == {
            "kind", "name", "status", "latency_ms", "error", "model_count", "tool_count", "checked_at"
        }  # fmt: skip
    table = by_kind(body, "dynamodb")[settings.table_name]
    assert table["status"] == "ok" and table["latency_ms"] >= 0 and table["error"] is None
    providers = by_kind(body, "llm_provider")
    assert list(providers) == ["openai", "anthropic", "ollama"]  # registry order
    assert all(p["model_count"] > 0 and p["checked_at"] for p in providers.values())
    builtin = by_kind(body, "mcp_server")["privategpt"]
    assert builtin["status"] == "ok" and builtin["tool_count"] > 0
    assert "vector_store" not in {d["kind"] for d in body["dependencies"]}  # documents are off in this app


def test_a_user_is_refused_under_a_remote_provider(alice: User, anonymous: httpx.Client) -> None:
    assert_error(alice.client.get("/api/dashboard/health"), 403, "forbidden")
    assert_error(anonymous.get("/api/dashboard/health"), 401, "unauthorized")


def test_every_local_user_sees_it(settings: Settings, tmp_path: Path) -> None:
    local = make_settings(
        table_name=settings.table_name, dynamodb_endpoint=settings.dynamodb_endpoint, data_dir=tmp_path
    )
    token = LocalIssuer(local).mint("dev-user")
    with serve(create_app(local)) as url:
        response = httpx.get(f"{url}/api/dashboard/health", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a dependency that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/mcp"


def health_of(settings: Settings, issuer: TestIssuer, tmp_path: Path, **overrides: Any) -> tuple[dict[str, Any], float]:
    """The dashboard of an app whose LLM provider is gone, whose OpenSearch is not there and whose one external MCP
    server accepts connections but never answers; and how long it took."""
    providers = tmp_path / "providers.json"
    dead = f"http://127.0.0.1:{free_port()}"
    providers.write_text(json.dumps({"providers": [{"name": "gone", "type": "ollama", "base_url": dead}]}))
    servers = tmp_path / "servers.json"
    with silent_server() as hanging:
        stuck = {"name": "stuck", "transport": "http", "url": hanging, "allow_private_network": True}
        servers.write_text(json.dumps({"servers": [stuck]}))
        failing = settings.model_copy(
            update={
                "llm_providers_file": providers,
                "tools_servers_file": servers,
                "documents_bucket": "docs",
                "vector_store": "opensearch",
                "opensearch_url": f"http://127.0.0.1:{free_port()}",
                "opensearch_max_retries": 0,
                **overrides,
            }
        )
        with serve(create_app(failing)) as url:
            admin = new_user(issuer, url, roles=["admin"])
            started = time.monotonic()
            response = admin.client.get("/api/dashboard/health")
            elapsed = time.monotonic() - started
            admin.client.close()
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, elapsed


def test_failing_dependencies_are_reported_down(settings: Settings, issuer: TestIssuer, tmp_path: Path) -> None:
    body, _ = health_of(
        settings, issuer, tmp_path, dashboard_check_timeout_seconds=20.0, tools_connect_timeout_seconds=3.0
    )
    assert body["status"] == "degraded"  # DynamoDB answers; the rest does not
    assert by_kind(body, "dynamodb")[settings.table_name]["status"] == "ok"
    gone = by_kind(body, "llm_provider")["gone"]
    assert gone["status"] == "down" and gone["error"] and gone["model_count"] == 0
    store = by_kind(body, "vector_store")["opensearch"]
    assert store["status"] == "down" and store["error"] and store["latency_ms"] is not None
    mcp = by_kind(body, "mcp_server")
    assert mcp["privategpt"]["status"] == "ok" and mcp["privategpt"]["error"] is None
    assert mcp["stuck"]["status"] == "down" and mcp["stuck"]["error"] and mcp["stuck"]["tool_count"] == 0


def test_a_check_that_hangs_is_cut_off_at_the_timeout(settings: Settings, issuer: TestIssuer, tmp_path: Path) -> None:
    timeout = 1.0
    body, elapsed = health_of(
        settings, issuer, tmp_path, dashboard_check_timeout_seconds=timeout, tools_connect_timeout_seconds=30.0
    )
    assert elapsed < timeout + 3  # not the 30 s the stuck server could take
    servers = by_kind(body, "mcp_server")["servers"]
    assert servers["status"] == "down" and servers["error"] == "no answer within 1s"
    assert body["status"] == "degraded" and by_kind(body, "dynamodb")[settings.table_name]["status"] == "ok"
