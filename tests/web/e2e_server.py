"""`privategpt dev` for the browser tests (web/playwright.config.ts) and the web bench, with a second model.

    .venv/bin/python tests/web/e2e_server.py --port 8710 --data-dir /tmp/x [--stream-base-url URL]

It runs the real `dev` (DynamoDB Local, the local OIDC provider, moto S3/SQS with the ingestion worker, the demo
model ``demo/echo``, the API serving web/dist, the streaming app) in this process, and adds one more real part: a
second demo server (``privategpt.dev.demo_llm``, the same OpenAI wire format and replies) named by a providers
file as the provider ``mirror`` with the model ``parrot``, so the model picker offers two models (``demo/echo``,
the default, and ``mirror/parrot``) and "switch models" is tested end to end. A providers file turns off the
environment's providers (no Ollama probe); ``--demo`` keeps the demo model, which `dev` appends after the file's
providers. The environment is cleaned of ``PGPT_``, ``OPENAI_``, ``ANTHROPIC_`` and ``OLLAMA_`` variables first, so
the developer's shell never leaks into a test run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

MIRROR_PROVIDER = "mirror"
MIRROR_MODEL = "parrot"  # not "echo": the reply's header shows the model's name, so the two must differ
MIRROR_KEY_ENV = "PGPT_E2E_MIRROR_KEY"  # the openai client wants a key; the demo server ignores it
CHUNK_DELAY_SECONDS = 0.02  # as `dev`'s demo: replies stream word by word, so Stop has something to stop
LEAKY_PREFIXES = ("PGPT_", "OPENAI_", "ANTHROPIC_", "OLLAMA_")


def _providers_file(data_dir: Path, base_url: str) -> Path:
    from privategpt.llm.config import DEMO_CONTEXT_WINDOW, DEMO_MAX_OUTPUT_TOKENS, DEMO_MODEL, DEMO_PROVIDER

    model = {
        "context_window": DEMO_CONTEXT_WINDOW,
        "max_output_tokens": DEMO_MAX_OUTPUT_TOKENS,
        "capabilities": ["thinking", "tools"],
    }
    provider = {
        "name": MIRROR_PROVIDER,
        "type": "openai",
        "base_url": base_url,
        "api_key_env": MIRROR_KEY_ENV,
        "allow": [MIRROR_MODEL],
        "models": {MIRROR_MODEL: model},
    }
    path = data_dir / "providers.json"
    # the demo model stays the default (the first healthy model otherwise), as under a plain `make dev`
    default = f"{DEMO_PROVIDER}/{DEMO_MODEL}"
    path.write_text(json.dumps({"default_model": default, "providers": [provider]}, indent=2))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--stream-base-url", help="where stream tickets point (the web bench's paced SSE server)")
    args = parser.parse_args(argv)

    for name in [n for n in os.environ if n.startswith(LEAKY_PREFIXES)]:
        del os.environ[name]
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)

    from privategpt.dev.cli import main as privategpt
    from privategpt.dev.demo_llm import DemoLLM

    with DemoLLM(chunk_delay_seconds=CHUNK_DELAY_SECONDS, models=(MIRROR_MODEL,)) as mirror:
        os.environ["PGPT_LLM_PROVIDERS_FILE"] = str(_providers_file(data_dir, mirror.base_url))
        os.environ[MIRROR_KEY_ENV] = "not-a-secret"
        os.environ["PGPT_LOG_LEVEL"] = "WARNING"
        if args.stream_base_url:
            os.environ["PGPT_STREAM_BASE_URL"] = args.stream_base_url
        print(f"e2e: second model {MIRROR_PROVIDER}/{MIRROR_MODEL} at {mirror.base_url}", flush=True)
        return privategpt(["dev", "--port", str(args.port), "--data-dir", str(data_dir), "--demo"])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions"))
    raise SystemExit(main())
