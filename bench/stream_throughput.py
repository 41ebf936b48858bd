"""Relay rate and added latency of two-phase streaming.

    .venv/bin/python bench/stream_throughput.py [--runs 5] [--words 2000]

Starts DynamoDB Local, a local Ollama-wire server that emits ``--words`` chunks as fast as it can, the API
and the streaming app (as ``privategpt dev`` does). For each run it reads the provider's stream directly,
then does phase 1 (prepare-stream) and phase 2 (GET /stream/{token}) and reads the SSE. Printed: median
events and tokens per second relayed, time to first token of the provider alone and through /stream, and
their ratio. Compare ratios from one run; the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.fake_llm import FakeProvider, ollama_app, running
from tests.support.server import serve

from privategpt.app import create_app, create_stream_app
from privategpt.auth.local_issuer import LocalIssuer
from privategpt.dev.dynamodb_local import DynamoDBLocal
from privategpt.settings import Settings
from privategpt.storage import db

MODEL = "llama3.2"


def provider_alone(url: str, prompt: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = None
    chunks = 0
    body = {"model": MODEL, "messages": [{"role": "user", "content": prompt}], "stream": True}
    with httpx.stream("POST", f"{url}/api/chat", json=body, timeout=60) as response:
        for line in response.iter_lines():
            if line and json.loads(line).get("message", {}).get("content"):
                first = first or time.perf_counter()
                chunks += 1
    assert first is not None
    return first - started, time.perf_counter() - first, chunks


def through_stream(api: httpx.Client, stream_base: str, cid: str, prompt: str) -> tuple[float, float, int, int, float]:
    before = time.perf_counter()
    ticket = api.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": prompt, "model": f"ollama/{MODEL}"}
    )
    ticket.raise_for_status()
    url = stream_base + ticket.json()["stream_url"]
    started = time.perf_counter()
    first = None
    events = content = 0
    with httpx.stream("GET", url, timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("event: "):
                events += 1
                if line == "event: content":
                    first = first or time.perf_counter()
                    content += 1
    assert first is not None
    return first - started, time.perf_counter() - first, events, content, started - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", type=int, default=2000)
    args = parser.parse_args()
    prompt = " ".join(f"w{i}" for i in range(args.words))

    with (
        tempfile.TemporaryDirectory() as tmp,
        DynamoDBLocal() as endpoint,
        running(FakeProvider("ollama", [MODEL]), ollama_app) as fake,
    ):
        providers = Path(tmp) / "providers.json"
        providers.write_text(json.dumps({"providers": [{"name": "ollama", "type": "ollama", "base_url": fake.url}]}))
        settings = Settings(
            _env_file=None, dynamodb_endpoint=endpoint, data_dir=Path(tmp), llm_providers_file=providers
        )
        db.bind(settings)
        db.create_table(settings)
        token = LocalIssuer(settings).mint("bench")
        with serve(create_app(settings)) as api_url, serve(create_stream_app(settings)) as stream_base:
            api = httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            cid = api.post("/api/chat/conversations", json={"title": "bench"}).json()["id"]
            provider_alone(fake.url, prompt)
            through_stream(api, stream_base, api.post("/api/chat/conversations").json()["id"], prompt)  # warm
            alone_ttft, alone_rate, relay_ttft, relay_events, relay_tokens, phase1 = [], [], [], [], [], []
            for _ in range(args.runs):
                ttft, rest, chunks = provider_alone(fake.url, prompt)
                alone_ttft.append(ttft)
                alone_rate.append(chunks / (ttft + rest))
                cid = api.post("/api/chat/conversations").json()["id"]  # fresh: history would grow the prompt
                ttft, rest, events, content, p1 = through_stream(api, stream_base, cid, prompt)
                relay_ttft.append(ttft)
                relay_events.append(events / (ttft + rest))
                relay_tokens.append(content / (ttft + rest))
                phase1.append(p1)
            med = statistics.median
            heading = f"two-phase streaming, {args.words}-chunk replies from a local Ollama-wire server"
            print(f"{heading}, median of {args.runs}")
            print(
                f"  provider alone       {med(alone_rate):9.0f} chunks/s   first token {med(alone_ttft) * 1e3:7.2f} ms"
            )
            print(
                f"  through /stream      {med(relay_events):9.0f} events/s   {med(relay_tokens):9.0f} content/s"
                f"   first token {med(relay_ttft) * 1e3:7.2f} ms"
            )
            print(f"  relay rate / provider rate  {med(relay_tokens) / med(alone_rate):5.2f}")
            print(
                f"  first token ratio (stream / alone)  {med(relay_ttft) / med(alone_ttft):5.2f}"
                f"   (added {(med(relay_ttft) - med(alone_ttft)) * 1e3:.1f} ms: token use, planning, provider call)"
            )
            print(f"  phase 1 (prepare-stream)  {med(phase1) * 1e3:.1f} ms")
            api.close()


if __name__ == "__main__":
    main()
