"""The providers file and the MCP servers file, written from the deploy config into a small layer of their own.

Lambda mounts a layer under ``/opt``, so the functions read ``/opt/privategpt/<file>`` with the same loaders as
everywhere else (``PGPT_LLM_PROVIDERS_FILE``, ``PGPT_TOOLS_SERVERS_FILE``). The files hold no secret: keys are named
by Secrets Manager secret. A changed file is a new layer version, and so a new function version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import yaml
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import ROOT
from infra.layer import RUNTIME

MOUNT = Path("/opt/privategpt")
STAGING = ROOT / ".cache" / "infra" / "settings-files"


class SettingsFiles(Construct):
    """``paths`` maps each file's name to where the functions find it."""

    def __init__(self, scope: Construct, construct_id: str, *, files: Mapping[str, object]) -> None:
        super().__init__(scope, construct_id)
        rendered = {name: yaml.safe_dump(content, sort_keys=False) for name, content in sorted(files.items())}
        digest = hashlib.sha256(repr(sorted(rendered.items())).encode()).hexdigest()[:16]
        directory = STAGING / digest
        for name, text in rendered.items():
            path = directory / "privategpt" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(directory)),
            compatible_runtimes=[RUNTIME],
            description="PrivateGPT providers and MCP servers files (no secrets)",
        )
        self.paths = {name: str(MOUNT / name) for name in rendered}
