"""Many users chatting at once: throughput, server CPU and DynamoDB calls per turn, latencies, and an audit.

    .venv/bin/python bench/load.py [--users 1,10,50,100] [--turns 5] [--loop asyncio|uvloop]

For each concurrency level, that many users (each with its own token and conversation) do ``--turns`` turns
one after another, all users at once: first streamed turns (phase 1 + phase 2 read to ``done``), then sync
turns (``POST …/messages``). The server (API + streaming app in one process, as ``privategpt dev`` runs them)
runs against DynamoDB Local and a local Ollama-wire fake provider (see ``bench/harness.py``); while the streamed
turns run, a prober asks ``/api/health`` every 20 ms. Printed per level and path: turns/s, server CPU ms per
turn, DynamoDB calls per turn, turn latency p50/p99, errors; then whether every conversation holds exactly
what it should (the audit). Goals (issue 8) are printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import MODEL_ID, Platform, Stats, dynamodb_floor, percentile, platform

GOAL_CPU_MS = 15.0
GOAL_STREAM_CALLS = 6  # the admission, two reads and the user message; the session; the reply
GOAL_SYNC_CALLS = 5  # the limits' admission, two reads, the user message, the reply
GOAL_STREAM_TURNS_PER_S_AT_50 = 40.0
GOAL_HEALTH_P99_MS = 50.0
KEEPALIVE_SECONDS = 2.0


@dataclass
class User:
    client: httpx.AsyncClient
    conversation_id: str = ""
    sent: list[str] = field(default_factory=list)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def streamed_turn(user: User, stream: httpx.AsyncClient, content: str, result: Result) -> None:
    started = time.perf_counter()
    try:
        ticket = await user.client.post(
            f"/api/chat/conversations/{user.conversation_id}/prepare-stream",
            json={"content": content, "model": MODEL_ID},
        )
        if ticket.status_code != 200:
            result.errors.append(f"phase 1: {ticket.status_code}")
            return
        user.sent.append(content)
        done = False
        async with stream.stream("GET", ticket.json()["stream_url"]) as response:
            if response.status_code != 200:
                result.errors.append(f"phase 2: {response.status_code}")
                return
            async for line in response.aiter_lines():
                if line == "event: error":
                    result.errors.append("phase 2: error event")
                done = done or line == "event: done"
        if not done:
            result.errors.append("phase 2: no done")
            return
    except httpx.HTTPError as exc:
        result.errors.append(f"{type(exc).__name__}")
        return
    result.latencies.append(time.perf_counter() - started)


async def sync_turn(user: User, content: str, result: Result) -> None:
    started = time.perf_counter()
    try:
        response = await user.client.post(
            f"/api/chat/conversations/{user.conversation_id}/messages", json={"content": content, "model": MODEL_ID}
        )
    except httpx.HTTPError as exc:
        result.errors.append(f"{type(exc).__name__}")
        return
    if response.status_code != 200:
        result.errors.append(f"send: {response.status_code}")
        return
    user.sent.append(content)
    result.latencies.append(time.perf_counter() - started)


async def prober(url: str, stop: asyncio.Event, latencies: list[float]) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            response = await client.get(url)
            if response.status_code == 200:
                latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)


async def audit(user: User) -> list[str]:
    """Every message sent is stored once, in order, each answered by one complete reply; totals add up."""
    body = (await user.client.get(f"/api/chat/conversations/{user.conversation_id}")).json()
    messages = body["messages"]
    problems = []
    if [m["content"] for m in messages if m["role"] == "user"] != user.sent:
        problems.append("user messages differ from what was sent")
    replies = [m for m in messages if m["role"] == "assistant"]
    if len(replies) != len(user.sent) or any(m["status"] != "complete" for m in replies):
        problems.append("not one complete reply per message")
    for question, reply in zip(user.sent, replies, strict=False):
        if reply["content"] != f"Hello from ollama! You said: {question}":
            problems.append("a reply's content is wrong")
            break
    if body["message_count"] != len(messages):
        problems.append("message_count differs")
    if body["total_tokens"] != sum(m["total_tokens"] for m in messages):
        problems.append("token totals differ")
    return problems


async def level(p: Platform, users: int, turns: int, path: str) -> dict[str, Any]:
    # A client must drop an idle connection before the server does (uvicorn: 5 s), or a request sent on a
    # connection the server is closing fails: the usual keep-alive rule, not the platform's doing.
    limits = httpx.Limits(
        max_connections=users + 10, max_keepalive_connections=users + 10, keepalive_expiry=KEEPALIVE_SECONDS
    )
    clients = [
        httpx.AsyncClient(
            base_url=p.api_url,
            headers={"Authorization": f"Bearer {p.token(f'u{users}-{path}-{i}')}"},
            timeout=120,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        )
        for i in range(users)
    ]
    stream = httpx.AsyncClient(timeout=120, limits=limits)
    people = [User(client) for client in clients]
    for person in people:  # first sight of each user and a conversation: not part of the measured turns
        person.conversation_id = (await person.client.post("/api/chat/conversations", json={})).json()["id"]
    result = Result()
    health: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(prober(f"{p.api_url}/api/health", stop, health))

    async def one(person: User, index: int) -> None:
        for turn in range(turns):
            content = f"user {index} turn {turn} asks something"
            if path == "stream":
                await streamed_turn(person, stream, content, result)
            else:
                await sync_turn(person, content, result)

    before: Stats = p.snapshot()
    started = time.perf_counter()
    await asyncio.gather(*(one(person, i) for i, person in enumerate(people)))
    elapsed = time.perf_counter() - started
    used = p.snapshot() - before
    stop.set()
    await probe
    problems = [problem for person in people for problem in await audit(person)]
    for client in [*clients, stream]:
        await client.aclose()
    done = len(result.latencies)
    return {
        "users": users,
        "path": path,
        "turns": done,
        "turns_per_s": done / elapsed,
        "cpu_ms": used.cpu_seconds * 1000 / max(done, 1),
        "calls": used.total_calls / max(done, 1),
        "by_operation": {op: n / max(done, 1) for op, n in sorted(used.calls.items())},
        "p50": percentile(result.latencies, 50) * 1000,
        "p99": percentile(result.latencies, 99) * 1000,
        "errors": len(result.errors),
        "error_kinds": sorted(set(result.errors)),
        "health_p99": percentile(health, 99) * 1000,
        "audit": problems,
    }


def show(row: dict[str, Any]) -> None:
    goal_calls = GOAL_STREAM_CALLS if row["path"] == "stream" else GOAL_SYNC_CALLS
    print(
        f"  {row['path']:<6} {row['users']:>4} users  {row['turns_per_s']:7.1f} turns/s"
        f"  cpu {row['cpu_ms']:6.1f} ms/turn (goal <= {GOAL_CPU_MS:.0f})"
        f"  dynamodb {row['calls']:4.1f} calls/turn (goal <= {goal_calls})"
        f"  p50 {row['p50']:7.1f} ms  p99 {row['p99']:7.1f} ms"
        f"  health p99 {row['health_p99']:6.1f} ms"
        f"  errors {row['errors']}{' ' + str(row['error_kinds']) if row['errors'] else ''}"
        f"  audit {'exact' if not row['audit'] else sorted(set(row['audit']))}"
    )
    calls = ", ".join(f"{op} {n:.2f}" for op, n in row["by_operation"].items())
    print(f"         calls per turn: {calls}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="1,10,50,100")
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    rows = []
    with platform(loop=args.loop) as p:
        asyncio.run(level(p, 2, 2, "stream"))  # warm-up: discovery, first clients, JIT of DynamoDB Local
        print(f"load: {args.turns} turns per user, server loop {args.loop}, DynamoDB Local + Ollama-wire fake")
        print(f"baseline in this run: {dynamodb_floor(p)}")
        for users in levels:
            for path in ("stream", "sync"):
                row = asyncio.run(level(p, users, args.turns, path))
                rows.append(row)
                show(row)
    at_50 = [r for r in rows if r["users"] == 50 and r["path"] == "stream"]
    if at_50:
        row = at_50[0]
        print(
            f"streamed turns/s at 50 users: {row['turns_per_s']:.1f} (goal >= {GOAL_STREAM_TURNS_PER_S_AT_50:.0f});"
            f" /api/health p99 under that load: {row['health_p99']:.1f} ms (goal <= {GOAL_HEALTH_P99_MS:.0f})"
        )
    total_errors = sum(r["errors"] for r in rows)
    exact = all(not r["audit"] for r in rows)
    print(f"errors in all: {total_errors} (goal 0); audit: {'exact' if exact else 'NOT exact'}")


if __name__ == "__main__":
    main()
