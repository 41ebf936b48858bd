"""The OpenAPI document says what the API does: schemathesis fuzzes every operation with every check.

It runs as a developer would run it (``schemathesis run``, the CLI) against the session's API server, with a
valid token, deterministic generation and ``schemathesis.toml`` next to this file, whose few exceptions say
why each is there. A failure prints schemathesis's own report: each case with a curl line to reproduce it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from privategpt.app import create_app, create_stream_app
from privategpt.dev.local_aws import LocalAWS
from privategpt.settings import Settings
from tests.support.aws import own_resources
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = 70
MIN_CASES = 2000
RUN_SECONDS = 300


@pytest.fixture(scope="module")
def base_url(settings: Settings, local_aws: LocalAWS, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API with documents switched on (a bucket and queue of its own), so those routes are fuzzed too."""
    overrides = {
        **own_resources(local_aws),
        "data_dir": tmp_path_factory.mktemp("contract"),
        # thousands of cases for a few users: with the limits on, most model routes would only show their 429
        # (the limits have their own tests: tests/limits)
        "limit_requests_per_minute": None,
        "limit_tokens_per_day": None,
    }
    with serve(create_app(settings.model_copy(update=overrides))) as url:
        yield url


@pytest.mark.timeout(RUN_SECONDS + 60)
def test_every_operation_passes_every_check(base_url: str, issuer: TestIssuer, tmp_path: Path) -> None:
    token = issuer.token(new_subject(), roles=["admin"])
    # The first model lookup waits for discovery; do it before the clock of any generated request starts.
    models = httpx.get(f"{base_url}/api/models", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert models.status_code == 200, models.text
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        "1",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    # In tmp_path: the CLI keeps a cache directory (.schemathesis/) in its working directory.
    run = subprocess.run(command, capture_output=True, text=True, timeout=RUN_SECONDS, check=False, cwd=tmp_path)
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    summary = json.loads(report.read_text())
    assert summary["failures"] == [] and summary["errors"] == [], run.stdout[-20000:]
    assert run.returncode == 0, run.stdout[-5000:]
    assert summary["operations"]["tested"] == summary["operations"]["total"] > 0
    assert summary["test_cases"]["generated"] >= MIN_CASES


def test_stream_route_documents_its_errors(settings: Settings) -> None:
    document = create_stream_app(settings).openapi()
    responses = document["paths"]["/stream/{token}"]["get"]["responses"]
    assert {"404", "410", "503"} <= set(responses)
    assert "HTTPValidationError" not in str(document)
    assert responses["410"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "text/event-stream" in responses["200"]["content"]


def test_every_operation_documents_its_errors(settings: Settings) -> None:
    document = create_app(settings).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            errors = statuses - {"200", "201", "202", "204"}
            if path.startswith("/api/health"):
                continue
            assert {"401", "403", "503"} <= errors, f"{method.upper()} {path}: {sorted(statuses)}"
            for status in errors:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method.upper()} {path} {status}"
