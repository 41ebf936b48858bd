"""Latency of two-phase streaming, one request at a time, against DynamoDB Local and a local fake provider.

    .venv/bin/python bench/stream_latency.py [--samples 40] [--loop asyncio|uvloop]

Printed, each as p50 and p99 beside the goals of issue 8: phase 1 latency (prepare-stream); what phase 2 adds
to the time to first token over calling the fake provider directly (paired samples, alternating which goes
first); relay CPU per chunk in the server process (the slope between 100- and 1,000-chunk replies, so the fixed
cost of a turn drops out); and DynamoDB calls per phase, counted by a botocore hook in the server
(``bench/harness.py``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import MODEL, MODEL_ID, Platform, dynamodb_floor, percentile, platform

GOAL_PHASE1_MS = 25.0
GOAL_ADDED_TTFT_MS = 10.0
GOAL_RELAY_US = 40.0
GOAL_TAIL = 3.0  # p99 <= 3 x p50
SHORT, LONG = 100, 1000


def direct_ttft(p: Platform, prompt: str) -> float:
    body = {"model": MODEL, "messages": [{"role": "user", "content": prompt}], "stream": True}
    started = time.perf_counter()
    ttft = None
    with httpx.stream("POST", f"{p.fake_url}/api/chat", json=body, timeout=60) as response:
        for line in response.iter_lines():
            if ttft is None and line and json.loads(line).get("message", {}).get("content"):
                ttft = time.perf_counter() - started
    if ttft is None:
        raise RuntimeError("the fake sent no content")
    return ttft


def new_conversation(api: httpx.Client) -> str:
    cid: str = api.post("/api/chat/conversations", json={}).json()["id"]  # fresh: a growing history would skew
    return cid


def phase1(api: httpx.Client, cid: str, prompt: str) -> tuple[str, float]:
    started = time.perf_counter()
    ticket = api.post(f"/api/chat/conversations/{cid}/prepare-stream", json={"content": prompt, "model": MODEL_ID})
    elapsed = time.perf_counter() - started
    ticket.raise_for_status()
    return ticket.json()["stream_url"], elapsed


def phase2(url: str) -> tuple[float, int]:
    """Time to the first content event, and how many content events came."""
    started = time.perf_counter()
    first = None
    content = 0
    with httpx.stream("GET", url, timeout=60) as response:
        for line in response.iter_lines():
            if line == "event: content":
                first = first or time.perf_counter()
                content += 1
    assert first is not None
    return first - started, content


def row(name: str, values: list[float], unit: str, goal: float | None) -> str:
    p50, p99 = percentile(values, 50), percentile(values, 99)
    text = f"  {name:<38} p50 {p50:8.2f} {unit}  p99 {p99:8.2f} {unit}"
    text += f"  (p99/p50 {p99 / p50:4.1f}, goal <= {GOAL_TAIL:.0f})"
    return text + (f"  goal p50 <= {goal:g} {unit}" if goal is not None else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    prompt = "why is the sky blue"
    with platform(loop=args.loop) as p:
        api = httpx.Client(base_url=p.api_url, headers={"Authorization": f"Bearer {p.token('bench')}"}, timeout=60)
        for _ in range(3):  # warm-up: discovery, first clients
            phase2(phase1(api, new_conversation(api), prompt)[0])
            direct_ttft(p, prompt)
        p1_ms, added_ms, calls1, calls2 = [], [], [], []
        for i in range(args.samples):
            cid = new_conversation(api)
            before = p.snapshot()
            url, latency = phase1(api, cid, prompt)
            middle = p.snapshot()
            if i % 2:
                direct = direct_ttft(p, prompt)
                through, _ = phase2(url)
            else:
                through, _ = phase2(url)
                direct = direct_ttft(p, prompt)
            after = p.snapshot()
            p1_ms.append(latency * 1000)
            added_ms.append((through - direct) * 1000)
            calls1.append((middle - before).total_calls)
            calls2.append((after - middle).total_calls)
        relay_us = []
        for _ in range(max(5, args.samples // 4)):
            spent = {}
            for words in (SHORT, LONG):
                url, _ = phase1(api, new_conversation(api), " ".join(f"w{i}" for i in range(words)))
                before = p.snapshot()
                _, chunks = phase2(url)
                spent[words] = ((p.snapshot() - before).cpu_seconds, chunks)
            (short_cpu, short_chunks), (long_cpu, long_chunks) = spent[SHORT], spent[LONG]
            relay_us.append((long_cpu - short_cpu) / (long_chunks - short_chunks) * 1e6)
        floor = dynamodb_floor(p)
        api.close()
    print(f"two-phase streaming, one request at a time, {args.samples} samples, server loop {args.loop}")
    print(f"  baseline in this run: {floor}")
    print(row("phase 1 (prepare-stream)", p1_ms, "ms", GOAL_PHASE1_MS))
    print(row("phase 2 first token, added over direct", added_ms, "ms", GOAL_ADDED_TTFT_MS))
    print(row("relay CPU per chunk (server)", relay_us, "us", GOAL_RELAY_US))
    print(
        f"  DynamoDB calls: phase 1 {percentile(calls1, 50):.0f} (p99 {percentile(calls1, 99):.0f}),"
        f" phase 2 {percentile(calls2, 50):.0f} (p99 {percentile(calls2, 99):.0f})"
        " (tests/chat/test_round_trips.py checks that one of phase 2's comes before the provider call)"
    )


if __name__ == "__main__":
    main()
