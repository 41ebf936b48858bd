"""The CDK app: ``cdk synth`` / ``cdk deploy`` run ``python -m infra.app`` (``cdk.json``).

Stacks, in dependency order (each reads what the ones before it made):
web (bucket, CloudFront) → auth (Cognito; none for Keycloak) → data (table, bucket, queue) → vectors →
ollama (optional) → platform (functions, HTTP API, stream URL, ingestion, config.json).

Context: ``config`` (the deploy file, default ``deploy.yaml``), ``stage``, ``auth_mode``, ``vectors``, ``ollama``
override the file; ``layer=standin`` synthesizes with a stand-in for the dependency layer (tests, no build needed).
"""

from __future__ import annotations

import os
from typing import Any

from aws_cdk import App, Environment, Stack, Tags

from infra import config as deploy_config
from infra import nag
from infra.config import DeployConfig
from infra.stacks.auth import CognitoStack, keycloak_settings
from infra.stacks.data import DataStack
from infra.stacks.ollama import OllamaStack
from infra.stacks.platform import Parts, PlatformStack
from infra.stacks.vectors import VectorsStack
from infra.stacks.web import WebStack

CONTEXT_KEYS = ("config", "stage", "auth_mode", "vectors", "ollama", "layer")


def build(app: App, config: DeployConfig, *, standin_layer: bool = False) -> dict[str, Stack]:
    """Every stack of one deployment, with cdk-nag's checks on the app."""
    env = Environment(
        account=config.account or os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=config.region or os.environ.get("CDK_DEFAULT_REGION"),
    )
    prefix = f"{_title(config.app_name)}-{config.stage}"
    stacks: dict[str, Stack] = {}
    kwargs: dict[str, Any] = {"env": env, "termination_protection": not config.is_dev}

    web = WebStack(app, f"{prefix}-Web", config=config, **kwargs)
    stacks["web"] = web
    if config.auth.mode == "cognito":
        cognito = CognitoStack(app, f"{prefix}-Auth", config=config, web_origin=web.origin, **kwargs)
        stacks["auth"] = cognito
        auth = cognito.settings
    else:
        auth = keycloak_settings(config)
    data = DataStack(app, f"{prefix}-Data", config=config, web_origin=web.origin, **kwargs)
    stacks["data"] = data
    vectors = None
    if config.vectors.store != "none":
        vectors = VectorsStack(app, f"{prefix}-Vectors", config=config, **kwargs)
        stacks["vectors"] = vectors
    ollama = None
    if config.ollama.enabled:
        ollama = OllamaStack(app, f"{prefix}-Ollama", config=config, **kwargs)
        stacks["ollama"] = ollama
    parts = Parts(data=data, auth=auth, web=web, vectors=vectors, ollama=ollama)
    stacks["platform"] = PlatformStack(
        app, f"{prefix}-Platform", config=config, parts=parts, standin_layer=standin_layer, **kwargs
    )
    for stack in stacks.values():
        Tags.of(stack).add("app", config.app_name)
        Tags.of(stack).add("stage", config.stage)
    nag.enable(app)
    return stacks


def _title(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def main() -> None:
    app = App()
    context = {key: app.node.try_get_context(key) for key in CONTEXT_KEYS}
    config = deploy_config.load(context=context)
    build(app, config, standin_layer=context.get("layer") == "standin")
    app.synth()


if __name__ == "__main__":
    main()
