"""What a limit check adds per request, against DynamoDB Local.

    .venv/bin/python bench/limits.py [--rounds 300] [--requests 100]

1. The check alone, in this process: ``limits.service.admit`` for a user with room left (one conditional
   UpdateItem), refused (over the limit: the same one write, failing, returns the bucket), and with a monthly
   budget (plus one Query of this month's usage), each beside the same-run baseline of one plain GetItem of the
   same item through the same client. Goal: one DynamoDB round trip, so a check costs about one GetItem.
2. End to end: quick chat requests (``POST /api/chat/quick``) to the platform in a process of its own
   (``bench/harness.py``), users without limits, with requests/minute and tokens/day, and with a budget too,
   interleaved; p50/p99 latency and DynamoDB calls per request counted in the server (admission, plus the ADD of
   the reply's tokens).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import MODEL_ID, Platform, percentile, platform

GOAL_CALLS = 1  # DynamoDB calls per check (requests/minute and tokens/day)
GOAL_RATIO = 1.5  # a check's median over a plain GetItem's

_OFF = {"PGPT_LIMIT_REQUESTS_PER_MINUTE": "", "PGPT_LIMIT_TOKENS_PER_DAY": "", "PGPT_LIMIT_MONTHLY_BUDGET_USD": ""}
_HIGH: dict[str, int | float | None] = {"requests_per_minute": 10**9, "tokens_per_day": 10**12}


def timed(run: Callable[[], Any], rounds: int, calls: Counter[str]) -> tuple[list[float], float]:
    """Milliseconds per call, and DynamoDB calls per call."""
    run()  # warm
    before = sum(calls.values())
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, (sum(calls.values()) - before) / rounds


def check_alone(p: Platform, rounds: int) -> None:
    from privategpt.limits import service
    from privategpt.limits.errors import RateLimitExceeded
    from privategpt.settings import Settings
    from privategpt.storage import db
    from privategpt.storage import limits as repository

    endpoint = db.connection().client_settings.host
    settings = Settings(_env_file=None, dynamodb_endpoint=endpoint, table_name=p.table_name)
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    db.connection().client.meta.events.register("before-call.dynamodb", count)
    repository.put_override("bench-room", dict(_HIGH), "bench")
    repository.put_override("bench-full", {"requests_per_minute": 1, "tokens_per_day": None}, "bench")
    repository.put_override("bench-budget", {**_HIGH, "monthly_budget_usd": 1000.0}, "bench")
    for user in ("bench-room", "bench-full", "bench-budget"):
        service.effective(user, settings)  # the override, cached as in a warm process

    def refused() -> None:
        try:
            service.admit("bench-full", settings)
        except RateLimitExceeded:
            return

    rows = [
        ("GetItem of the bucket (baseline)", lambda: repository.read_bucket("bench-room")),
        ("check, room left", lambda: service.admit("bench-room", settings)),
        ("check, refused (429)", refused),
        ("check with a monthly budget", lambda: service.admit("bench-budget", settings)),
    ]
    results = {name: timed(run, rounds, calls) for name, run in rows}
    baseline = statistics.median(results[rows[0][0]][0])
    print(f"the limit check alone, in this process against DynamoDB Local, {rounds} rounds each")
    for name, (samples, per_call) in results.items():
        median = statistics.median(samples)
        print(
            f"  {name:34s} p50 {median:6.2f} ms  p99 {percentile(samples, 99):6.2f} ms"
            f"  x{median / baseline:4.2f} GetItem  DynamoDB calls {per_call:.1f}"
        )
    room_median = statistics.median(results["check, room left"][0])
    print(
        f"  goal: {GOAL_CALLS} DynamoDB call and <= {GOAL_RATIO:.1f} x GetItem per check:"
        f" {results['check, room left'][1]:.1f} call, x{room_median / baseline:.2f}"
    )


def end_to_end(p: Platform, requests: int) -> None:
    from privategpt.storage import limits as repository

    clients: dict[str, httpx.Client] = {}
    configs: tuple[tuple[str, dict[str, int | float | None] | None], ...] = (
        ("no limits", None),
        ("requests/min + tokens/day", _HIGH),
        ("+ monthly budget", {**_HIGH, "monthly_budget_usd": 1000.0}),
    )
    for name, limits in configs:
        client = httpx.Client(
            base_url=p.api_url, headers={"Authorization": f"Bearer {p.token(f'bench-{name}')}"}, timeout=60
        )
        user_id = client.get("/api/me").json()["id"]
        if limits is not None:
            repository.put_override(user_id, limits, "bench")
        clients[name] = client
    body = {"model": MODEL_ID, "messages": [{"role": "user", "content": "how much does a check cost"}]}
    latency: dict[str, list[float]] = {name: [] for name in clients}
    calls: dict[str, list[int]] = {name: [] for name in clients}
    for _ in range(3):  # warm: discovery, the overrides read and cached
        for client in clients.values():
            assert client.post("/api/chat/quick", json=body).status_code == 200
    order = list(clients)
    for _ in range(requests):
        random.shuffle(order)
        for name in order:
            before = p.snapshot()
            started = time.perf_counter()
            response = clients[name].post("/api/chat/quick", json=body)
            latency[name].append((time.perf_counter() - started) * 1000)
            calls[name].append((p.snapshot() - before).total_calls)
            assert response.status_code == 200, response.text
    for client in clients.values():
        client.close()
    base = statistics.median(latency["no limits"])
    print(f"quick chat end to end (server in its own process, a local fake model), {requests} requests each")
    for name in clients:
        median = statistics.median(latency[name])
        print(
            f"  {name:27s} p50 {median:6.2f} ms (+{median - base:5.2f})  p99 {percentile(latency[name], 99):6.2f} ms"
            f"  DynamoDB calls per request {statistics.median(calls[name]):.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with platform(env=_OFF) as p:  # limits off by default; the benchmark's users get theirs as overrides
        check_alone(p, args.rounds)
        end_to_end(p, args.requests)


if __name__ == "__main__":
    main()
