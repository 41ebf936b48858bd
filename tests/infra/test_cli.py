"""`cdk synth` through the pinned npm CLI, as an operator runs it: offline, no Docker, no AWS credentials, with the
stand-in layer. It runs the app from cdk.json (`python -m infra.app`), so this also checks the app's entry point,
the context overrides and cdk.json's switches that keep synthesis silent (no notices, telemetry or version check).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.infra.conftest import CONFIGS, ROOT

CDK = ROOT / "node_modules" / ".bin" / "cdk"
TIMEOUT_SECONDS = 120


def cdk_synth(out: Path, *context: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "CDK_DEFAULT_"))}
    # a proxy that refuses every connection: a request the CLI made would fail (and show in its output)
    env |= {
        "AWS_EC2_METADATA_DISABLED": "true",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    args = [str(CDK), "synth", "--quiet", "-o", str(out), "-c", "layer=standin", *context]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)


def test_cli_is_pinned_to_a_version_that_reads_the_librarys_assembly() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert pinned.startswith("2.")  # the registry's `latest` (3.0.0) cannot read aws-cdk-lib 2.x's schema
    settings = json.loads((ROOT / "cdk.json").read_text())
    assert settings["notices"] is False and settings["versionReporting"] is False
    assert settings["context"]["cli-telemetry"] is False


@pytest.mark.parametrize(
    ("shape", "stacks"),
    [
        ("default", {"Web", "Auth", "Data", "Vectors", "Platform"}),
        ("keycloak", {"Web", "Data", "Vectors", "Ollama", "Platform"}),
    ],
)
def test_cdk_synth_offline(tmp_path: Path, shape: str, stacks: set[str]) -> None:
    context: list[str] = []
    if CONFIGS[shape]:
        config = tmp_path / "deploy.yaml"
        config.write_text(yaml.safe_dump(CONFIGS[shape]))
        context = ["-c", f"config={config}"]
    result = cdk_synth(tmp_path / "cdk.out", *context)
    assert result.returncode == 0, result.stderr[-4000:]
    manifest = json.loads((tmp_path / "cdk.out" / "manifest.json").read_text())
    templates = {
        name.rsplit("-", 1)[1] for name, a in manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"
    }
    assert templates == stacks
    assert "layer-standin" in result.stderr  # the stand-in is announced, never silent
    for word in ("ECONNREFUSED", "notices", "telemetry"):
        assert word not in result.stderr, word


def test_a_bad_config_fails_synthesis(tmp_path: Path) -> None:
    config = tmp_path / "deploy.yaml"
    config.write_text("auth: {mode: keycloak}\n")
    result = cdk_synth(tmp_path / "cdk.out", "-c", f"config={config}")
    assert result.returncode != 0
    assert "keycloak needs auth.issuer" in result.stderr
