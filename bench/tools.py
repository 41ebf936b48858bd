"""What MCP tools cost: a call to the built-in server in-process and over HTTP, and a chat turn that offers or
calls tools, each against a baseline measured in the same run.

    .venv/bin/python bench/tools.py [--runs 30]

- in-process: ``ToolSession.call_all`` on the built-in ``list_files`` (one session kept open, and one opened per
  turn as the chat does), against the tool's own work (``UserFiles.list``) called directly;
- over HTTP: ``tools/call list_files`` at ``/mcp`` (token check, a stateless session manager per request),
  against ``GET /api/health`` on the same server (the HTTP round trip, no token, no MCP);
- a streamed turn (phases 1 and 2, the fake Ollama model) offering the built-in tools, one offering none
  (``tools: []``), and one whose model calls ``list_files`` (two rounds); and what the built-in tools'
  definitions add to every prompt that offers them, in tokens (o200k_base, as for OpenAI's models).

Issue 10 names no goal for these; the figures are for the team to watch. Compare ratios from one run: absolute
times on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from httpx_sse import connect_sse

from bench.harness import MODEL_ID, Platform, percentile, platform
from privategpt.auth.principal import Principal
from privategpt.settings import Settings
from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.files.area import UserFiles

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}


def line(name: str, values: list[float], unit: str = "ms", baseline: list[float] | None = None) -> str:
    p50, p90 = statistics.median(values), percentile(values, 90)
    text = f"  {name:<52} p50 {p50:8.2f} {unit}  p90 {p90:8.2f} {unit}"
    if baseline:
        text += f"   {p50 / statistics.median(baseline):5.1f}x the baseline"
    return text


async def in_process(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), tools_list_ttl_seconds=3600)
        principal = Principal(user_id="bench-user", issuer="bench", subject="bench")
        files = UserFiles(settings, principal.user_id)
        files.write("notes/a.md", "hello")
        catalog = ToolCatalog(settings)
        (spec,) = await catalog.specs(["privategpt/list_files"])

        def timed(fn: Callable[[], Any]) -> float:
            started = time.perf_counter()
            fn()
            return (time.perf_counter() - started) * 1000

        direct = [timed(files.list) for _ in range(runs)]
        kept: list[float] = []
        async with catalog.session(principal) as session:
            await session.call_all([(spec, {})], timeout=30)  # opens the in-process session
            for _ in range(runs):
                started = time.perf_counter()
                (outcome,) = await session.call_all([(spec, {})], timeout=30)
                kept.append((time.perf_counter() - started) * 1000)
                assert outcome.ok and "notes/a.md" in outcome.content, outcome
        per_turn: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            async with catalog.session(principal) as session:
                await session.call_all([(spec, {})], timeout=30)
            per_turn.append((time.perf_counter() - started) * 1000)
        await catalog.aclose()
    print("Built-in tool in-process (list_files, one file):")
    print(line("baseline: the tool's own work (UserFiles.list)", direct))
    print(line("call_all, session already open", kept, baseline=direct))
    print(line("a turn's session: open + call_all + close", per_turn, baseline=direct))


def over_http(p: Platform, runs: int) -> None:
    headers = {"Authorization": f"Bearer {p.token('bench-http')}"}
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_files", "arguments": {}}}
    health: list[float] = []
    mcp: list[float] = []
    with httpx.Client(base_url=p.api_url, headers=headers, timeout=30) as client:
        client.post("/mcp", json=call, headers=MCP_HEADERS).raise_for_status()  # the first builds the server
        for _ in range(runs):
            started = time.perf_counter()
            client.get("/api/health").raise_for_status()
            health.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            answer = client.post("/mcp", json=call, headers=MCP_HEADERS)
            mcp.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200 and '"isError":false' in answer.text, answer.text
    print("Built-in server over HTTP (/mcp on the API app, stateless JSON):")
    print(line("baseline: GET /api/health (no token, no MCP)", health))
    print(line("POST /mcp tools/call list_files", mcp, baseline=health))


def turn(client: httpx.Client, cid: str, body: dict[str, Any]) -> tuple[float, int]:
    started = time.perf_counter()
    ticket = client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body)
    ticket.raise_for_status()
    tools = 0
    with httpx.Client(timeout=60) as plain, connect_sse(plain, "GET", ticket.json()["stream_url"]) as source:
        for event in source.iter_sse():
            tools += event.event == "tool_result"
    return (time.perf_counter() - started) * 1000, tools


def turns(p: Platform, runs: int) -> None:
    headers = {"Authorization": f"Bearer {p.token('bench-turns')}"}
    variants: dict[str, dict[str, Any]] = {
        "no tools offered (tools: [])": {"content": "hello there", "tools": []},
        "built-in tools offered, none called": {"content": "hello there"},
        "the model calls list_files (two rounds)": {"content": "[[call list_files]] hello there"},
    }
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
    with httpx.Client(base_url=p.api_url, headers=headers, timeout=60) as client:
        for _ in range(runs):
            for name, body in variants.items():  # interleaved: each variant meets the same load
                # a fresh conversation each time: the history must not grow between variants
                cid = client.post("/api/chat/conversations", json={"title": "bench", "model": MODEL_ID}).json()["id"]
                results[name].append(turn(client, cid, body))
    baseline = [ms for ms, _ in results["no tools offered (tools: [])"]]
    print("A streamed turn (phases 1 + 2, fake Ollama model):")
    for name, rows in results.items():
        extra = None if name.startswith("no tools") else baseline
        print(line(name, [ms for ms, _ in rows], baseline=extra) + f"   tool results {rows[0][1]}")


async def definitions() -> None:
    from privategpt.llm import config as llm_config
    from privategpt.llm.registry import ModelRegistry
    from privategpt.llm.service import LLMService
    from privategpt.llm.types import Capabilities, ModelInfo

    with tempfile.TemporaryDirectory() as tmp:
        providers = Path(tmp) / "providers.json"
        providers.write_text('{"providers": [{"name": "openai", "type": "openai"}]}')  # counted, never called
        settings = Settings(_env_file=None, data_dir=Path(tmp), llm_providers_file=providers)
        llm = LLMService(settings, ModelRegistry(settings, llm_config.load(settings)))
        catalog = ToolCatalog(settings, llm)
        specs = await catalog.specs(settings.tools_default_enabled)
        model = ModelInfo("openai", "gpt-4o-mini", 128_000, 16_384, Capabilities(tools=True))
        tokens = llm.count_tools(model, tuple(s.definition() for s in specs))
        await catalog.aclose()
    print(f"The default tools' definitions: {len(specs)} tools, {tokens} tokens on every prompt that offers them")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print("Goal: none named by issue 10 (figures to watch, against the baselines of this run)\n")
    asyncio.run(in_process(args.runs))
    asyncio.run(definitions())
    with platform() as p:
        over_http(p, args.runs)
        turns(p, max(args.runs // 3, 5))


if __name__ == "__main__":
    main()
