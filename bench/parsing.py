"""Parse + chunk throughput on a generated text PDF (proposed as ``bench/parsing.py``).

    .venv/bin/python -m bench.parsing [--pages 200] [--runs 5]

Each page holds 45 lines of 8-14 words (about 3,500 characters, a dense page of prose); the document is
parsed (pypdf) and chunked with the default settings (256 tokens, 32 overlap). Wall and CPU time are both
printed: on a shared 2-core box the wall time moves with the load (printed too), the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT))

from tests.support.documents import make_pdf  # noqa: E402

from privategpt.rag.chunking import split  # noqa: E402
from privategpt.rag.parsing import parse  # noqa: E402
from privategpt.settings import Settings  # noqa: E402

LINES_PER_PAGE = 45
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def pages(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 10))) for _ in range(3000)]
    out = []
    for _ in range(count):
        lines = []
        for _ in range(LINES_PER_PAGE):
            line = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 14)))
            lines.append(line + ("." if rng.random() < 0.4 else ""))
        out.append("\n".join(lines))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    data = make_pdf(pages(args.pages, seed=7))
    warm = parse(make_pdf(["warm up"]), declared_type="application/pdf", filename="w.pdf", settings=settings)
    split(warm, document_id="w", owner_id="o", filename="w.pdf", settings=settings)  # loads the encoding
    walls, cpus, parse_walls = [], [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        parsed = parse(data, declared_type="application/pdf", filename="bench.pdf", settings=settings)
        parsed_at = time.perf_counter()
        chunks = split(parsed, document_id="d", owner_id="o", filename="bench.pdf", settings=settings)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        parse_walls.append(parsed_at - wall)
    chars = sum(len(section.text) for section in parsed.sections)
    print(f"{args.pages} pages, {len(data):,} bytes of PDF, {chars:,} characters, {len(chunks)} chunks")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; median of {args.runs} runs:")
    wall, cpu, parsing = statistics.median(walls), statistics.median(cpus), statistics.median(parse_walls)
    print(f"  wall {wall:.3f}s ({args.pages / wall:.0f} pages/s; parse {parsing:.3f}s, chunk {wall - parsing:.3f}s)")
    print(f"  cpu  {cpu:.3f}s ({args.pages / cpu:.0f} pages/s)")


if __name__ == "__main__":
    main()
