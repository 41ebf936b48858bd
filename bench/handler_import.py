"""Cold-start import cost of the API Lambda handler.

    .venv/bin/python bench/handler_import.py [--runs 7]

Imports ``privategpt.handlers.api`` in fresh interpreters under ``-X importtime`` and prints the median
total and the packages that cost the most (own import time of their modules, median over runs).
Compare figures from one run on one machine; absolute numbers on a shared 2-core box are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections import defaultdict

ENV = {
    "PGPT_AUTH_PROVIDER": "keycloak",
    "PGPT_AUTH_ISSUER": "https://idp.example.test/realms/bench",
    "PGPT_AUTH_CLIENT_IDS": "web",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
}


def one_run() -> dict[str, int]:
    env = {**os.environ, **ENV}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import privategpt.handlers.api"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    # Lines read "import time: <self us> | <cumulative us> | <indent><module>"; nesting is the indent.
    by_package: dict[str, int] = defaultdict(int)
    total = 0
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        module = parts[2][1:]
        by_package[module.strip().split(".")[0]] += int(parts[0])
        if not module.startswith(" "):
            total += int(parts[1])
    by_package["<total>"] = total
    return by_package


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    samples: dict[str, list[int]] = defaultdict(list)
    for _ in range(args.runs):
        for name, sample in one_run().items():
            samples[name].append(sample)
    medians = {name: float(statistics.median(values)) for name, values in samples.items()}
    total = medians.pop("<total>")
    print(f"privategpt.handlers.api import, median of {args.runs} runs: {total / 1000:.0f} ms")
    for name, value in sorted(medians.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {name:<28} {value / 1000:7.1f} ms  {value / total:6.1%}")


if __name__ == "__main__":
    main()
