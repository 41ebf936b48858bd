from __future__ import annotations

import httpx

from privategpt.app import create_app
from privategpt.settings import Settings
from tests.support.api import User, assert_error
from tests.support.fake_llm import FakeProvider
from tests.support.server import serve


def test_models_lists_every_provider(alice: User) -> None:
    body = alice.client.get("/api/models").json()
    by_id = {m["id"]: m for m in body["items"]}
    assert {"openai/gpt-4o-mini", "anthropic/claude-sonnet-4-9", "ollama/llama3.2"} <= set(by_id)
    mini = by_id["openai/gpt-4o-mini"]
    assert mini == {
        "id": "openai/gpt-4o-mini",
        "provider": "openai",
        "name": "gpt-4o-mini",
        "context_window": 128000,
        "max_output_tokens": 16384,
        "capabilities": {"tools": True, "thinking": False, "vision": True},
        "input_price_per_mtok": 0.15,
        "output_price_per_mtok": 0.6,
    }
    assert body["conflicts"] == {"llama3.2": ["openai", "ollama"]}
    # none configured: the first model listed of the first provider
    assert body["default_model"] == next(m["id"] for m in body["items"] if m["provider"] == "openai")


def test_models_and_providers_need_a_token(anonymous) -> None:  # type: ignore[no-untyped-def]
    assert_error(anonymous.get("/api/models"), 401, "unauthorized")
    assert_error(anonymous.get("/api/providers"), 401, "unauthorized")


def test_providers_health(alice: User, settings: Settings) -> None:
    # A fresh app: the shared one has seen other tests' deliberate provider failures.
    with serve(create_app(settings)) as url:
        httpx.get(f"{url}/api/models", headers=alice.headers, timeout=30)
        items = {p["name"]: p for p in httpx.get(f"{url}/api/providers", headers=alice.headers).json()["items"]}
    assert set(items) == {"openai", "anthropic", "ollama"}
    assert all(p["status"] == "ok" and p["model_count"] > 0 for p in items.values())
    assert items["ollama"]["type"] == "ollama"


def test_refresh_is_admin_only(alice: User, admin: User, fake_ollama: FakeProvider) -> None:
    assert_error(alice.client.post("/api/providers/refresh"), 403, "forbidden")
    fake_ollama.models.append("mistral:7b")
    try:
        refreshed = admin.client.post("/api/providers/refresh")
        assert refreshed.status_code == 200
        ids = {m["id"] for m in admin.client.get("/api/models").json()["items"]}
        assert "ollama/mistral:7b" in ids
    finally:
        fake_ollama.models.remove("mistral:7b")
        admin.client.post("/api/providers/refresh")
