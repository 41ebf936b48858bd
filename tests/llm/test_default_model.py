"""``default_model`` of ``GET /api/models``: the configured one, else the first model of the first provider that is
not down (registry order), else null."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from privategpt.app import create_app
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.conftest import providers_document
from tests.support.api import User
from tests.support.fake_llm import FakeProvider
from tests.support.server import serve


def models(settings: Settings, user: User, tmp_path: Path, document: dict[str, Any], **overrides: Any) -> Any:
    path = tmp_path / "providers.json"
    path.write_text(json.dumps(document))
    app_settings = settings.model_copy(update={"llm_providers_file": path, **overrides})
    with serve(create_app(app_settings)) as url:
        response = httpx.get(f"{url}/api/models", headers=user.headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def default_model(settings: Settings, user: User, tmp_path: Path, document: dict[str, Any], **overrides: Any) -> Any:
    return models(settings, user, tmp_path, document, **overrides)["default_model"]


def first_of(body: dict[str, Any], provider: str) -> str:
    return str(next(m["id"] for m in body["items"] if m["provider"] == provider))


def dead(name: str) -> dict[str, Any]:
    return {"name": name, "type": "ollama", "base_url": f"http://127.0.0.1:{free_port()}"}


def test_the_first_healthy_provider_gives_the_default(
    settings: Settings,
    alice: User,
    tmp_path: Path,
    fake_openai: FakeProvider,
    fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:
    document = providers_document(fake_openai, fake_anthropic, fake_ollama)
    body = models(settings, alice, tmp_path, document)
    assert body["default_model"] == first_of(body, "openai") and body["items"][0]["provider"] == "openai"
    providers = document["providers"]
    document = {"providers": [dead("gone"), providers[2], providers[0]]}  # a provider that is down is skipped
    body = models(settings, alice, tmp_path, document)
    assert body["default_model"] == first_of(body, "ollama")


def test_a_configured_default_wins(
    settings: Settings, alice: User, tmp_path: Path, fake_openai: FakeProvider, fake_anthropic: FakeProvider,
    fake_ollama: FakeProvider,
) -> None:  # fmt: skip
    document = providers_document(fake_openai, fake_anthropic, fake_ollama)
    assert default_model(settings, alice, tmp_path, document, llm_default_model="anthropic/claude-haiku-4-9") == (
        "anthropic/claude-haiku-4-9"
    )
    document["default_model"] = "ollama/qwen3-think:8b"
    assert default_model(settings, alice, tmp_path, document) == "ollama/qwen3-think:8b"


def test_no_healthy_provider_no_default(settings: Settings, alice: User, tmp_path: Path) -> None:
    assert default_model(settings, alice, tmp_path, {"providers": [dead("a"), dead("b")]}) is None
