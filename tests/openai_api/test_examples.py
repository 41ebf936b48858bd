"""The README's OpenAI SDK examples (``sdk/example.py``, ``sdk/example.mjs``, shown verbatim in the README) run as
written against ``privategpt dev``, with its base URL and a key from the settings page put in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.openai_api.conftest import NODE, ROOT, Account, LocalDev

EXAMPLES = Path(__file__).resolve().parent / "sdk"
README = ROOT / "README.md"
README_BASE_URL = "http://127.0.0.1:8001/v1"  # `make dev`'s
README_KEY = "pgpt-..."
RUN_SECONDS = 60
EMBEDDING_DIMENSION = 384


def _run(command: list[str], source: str, local_dev: LocalDev, key: str) -> str:
    assert README_BASE_URL in source and README_KEY in source
    code = source.replace(README_BASE_URL, local_dev.v1).replace(README_KEY, key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    result = subprocess.run(
        [*command, code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_SECONDS, check=False
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n--- dev:\n{local_dev.log()[-4000:]}"
    return result.stdout


def _assert_output(out: str) -> None:
    lines = out.splitlines()
    assert lines[0] == "You said: Why is the sky blue?"  # the whole reply, then the streamed one
    assert out.count("You said: Why is the sky blue?") == 2
    assert lines[-2].startswith("(") and lines[-2].endswith(" tokens)") and int(lines[-2][1:].split()[0]) > 0
    assert lines[-1] == str(EMBEDDING_DIMENSION)


@pytest.fixture(scope="module")
def key(make_account: Callable[[str], Account]) -> str:
    return make_account("example").key


def test_the_python_example_runs(local_dev: LocalDev, key: str) -> None:
    _assert_output(_run([sys.executable, "-c"], (EXAMPLES / "example.py").read_text(), local_dev, key))


def test_the_javascript_example_runs(local_dev: LocalDev, key: str) -> None:
    # --eval resolves `openai` from the working directory: the repository's root node_modules
    command = [str(NODE), "--input-type=module", "--eval"]
    _assert_output(_run(command, (EXAMPLES / "example.mjs").read_text(), local_dev, key))


def test_the_readme_shows_the_examples_verbatim() -> None:
    text = README.read_text()
    for name, fence in (("example.py", "python"), ("example.mjs", "js")):
        assert f"```{fence}\n{(EXAMPLES / name).read_text()}```\n" in text, f"README.md lacks sdk/{name} as written"
