"""The npm ``openai`` package against the same ``privategpt dev``: ``sdk/openai_sdk.test.mjs`` under Node's test
runner, given a base URL and keys (a good one, a revoked one, one of a user with a spent budget) made here."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.openai_api.conftest import NODE, ROOT, Account, LocalDev

SUITE = Path(__file__).resolve().parent / "sdk" / "openai_sdk.test.mjs"
NODE_SECONDS = 90


@pytest.mark.timeout(NODE_SECONDS + 30)
def test_the_npm_openai_package(
    local_dev: LocalDev,
    make_account: Callable[[str], Account],
    revoke_key: Callable[[Account], str],
    spend_budget: Callable[[Account], str],
) -> None:
    assert NODE.exists(), f"{NODE} is missing: run `make install`"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NODE_OPTIONS"))}
    env |= {
        "SDK_TEST_BASE_URL": local_dev.v1,
        "SDK_TEST_KEY": make_account("js-alice").key,
        "SDK_TEST_REVOKED_KEY": revoke_key(make_account("js-revoked")),
        "SDK_TEST_SPENT_KEY": spend_budget(make_account("js-spent")),
    }
    result = subprocess.run(
        [str(NODE), "--test", "--test-reporter=tap", str(SUITE)],
        cwd=ROOT,  # `openai` resolves from the root node_modules
        env=env,
        capture_output=True,
        text=True,
        timeout=NODE_SECONDS,
        check=False,
    )
    output = f"{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{output}\n--- dev:\n{local_dev.log()[-4000:]}"
    cases = len(re.findall(r"^test\(", SUITE.read_text(), flags=re.MULTILINE))
    assert f"# pass {cases}\n" in output and "# fail 0\n" in output and "# skipped 0\n" in output, output
