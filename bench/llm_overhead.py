"""Overhead of the LLM layer over the bare SDK, on one local streaming server.

    .venv/bin/python bench/llm_overhead.py [--runs 9] [--words 2000]

A local OpenAI-wire server streams a reply of ``--words`` chunks as fast as it can. Both sides read the
same stream: the bare ``openai`` SDK, and ``LLMService`` (registry routing, timeouts, retry guard,
concurrency cap, event translation). Printed: median time to first token and per-chunk relay cost for each,
and their ratios; plus the layer's one-off ``prepare`` (model resolution and token counting). Compare
ratios from one run; absolute numbers on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai
from tests.support.fake_llm import FakeProvider, openai_app, running

from privategpt.llm.config import ProvidersFile
from privategpt.llm.registry import ModelRegistry
from privategpt.llm.service import LLMService
from privategpt.llm.types import ChatMessage, TextDelta
from privategpt.settings import Settings

MODEL = "gpt-4o-mini"


async def bare(client: openai.AsyncOpenAI, prompt: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = None
    chunks = 0
    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True, stream_options={"include_usage": True}
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            first = first or time.perf_counter()
            chunks += 1
    end = time.perf_counter()
    assert first is not None
    return first - started, end - first, chunks


async def layered(service: LLMService, prompt: str) -> tuple[float, float, int, float]:
    before = time.perf_counter()
    prepared = await service.prepare(f"bench/{MODEL}", (ChatMessage("user", prompt),))
    started = time.perf_counter()
    first = None
    chunks = 0
    async for event in service.stream(prepared):
        if isinstance(event, TextDelta):
            first = first or time.perf_counter()
            chunks += 1
    end = time.perf_counter()
    assert first is not None
    return first - started, end - first, chunks, started - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--words", type=int, default=2000)
    args = parser.parse_args()
    prompt = " ".join(f"w{i}" for i in range(args.words))

    with running(FakeProvider("openai", [MODEL]), openai_app, "/v1") as fake:
        settings = Settings(_env_file=None, llm_max_concurrency=4)
        providers = ProvidersFile.model_validate(
            {"providers": [{"name": "bench", "type": "openai", "base_url": fake.url, "api_key_env": "BENCH_KEY"}]}
        )

        async def run() -> None:
            service = LLMService(settings, ModelRegistry(settings, providers))
            await service.registry.refresh()
            client = openai.AsyncOpenAI(api_key="sk-bench", base_url=fake.url, max_retries=0)
            await bare(client, prompt)  # warm both paths: one pooled connection each
            await layered(service, prompt)
            b_ttft, b_relay, l_ttft, l_relay, prep = [], [], [], [], []
            for _ in range(args.runs):
                ttft, relay, n = await bare(client, prompt)
                b_ttft.append(ttft)
                b_relay.append(relay / max(n - 1, 1))
                ttft, relay, n, p = await layered(service, prompt)
                l_ttft.append(ttft)
                l_relay.append(relay / max(n - 1, 1))
                prep.append(p)
            await service.aclose()
            await client.close()
            med = statistics.median
            print(f"LLM layer vs bare openai SDK: {args.words}-chunk stream, median of {args.runs} runs")
            print(
                f"  time to first token   bare {med(b_ttft) * 1e3:7.2f} ms   layer {med(l_ttft) * 1e3:7.2f} ms"
                f"   ratio {med(l_ttft) / med(b_ttft):5.2f}"
            )
            print(
                f"  relay per chunk       bare {med(b_relay) * 1e6:7.1f} us   layer {med(l_relay) * 1e6:7.1f} us"
                f"   ratio {med(l_relay) / med(b_relay):5.2f}"
            )
            print(f"  prepare (resolve + count {args.words}-word prompt): {med(prep) * 1e3:.2f} ms")

        asyncio.run(run())


if __name__ == "__main__":
    main()
