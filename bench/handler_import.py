"""Cold-start import cost of the API Lambda handler, against a baseline measured in the same run.

    .venv/bin/python bench/handler_import.py [--runs 9] [--instructions]

Each run imports, in fresh interpreters under ``-X importtime`` and in turn (so all three share the machine's
load at that moment):

- ``floor``: the bare frameworks every request uses (fastapi, mangum, pynamodb, Powertools, PyJWT);
- ``handler``: ``privategpt.handlers.api`` as deployed without tracing (the X-Ray SDK stays out);
- ``handler, tracing on``: the same with ``PGPT_TRACING_ENABLED=true``: Powertools' ``Tracer()`` loads the
  X-Ray SDK, as the handler used to do on every cold start.

It prints the median and minimum import time of each, the handler's median against the goal, and the
packages and package modules that cost the handler the most (own import time, median over runs). Absolute
times on a shared 2-core box move with its load; the floor is the yardstick. ``--instructions`` also counts
the instructions of one import of each under valgrind (installed separately; minutes per variant), a figure
the load does not move.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

GOAL_MS = 350.0
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "functions" / "privategpt"
ENV = {
    "PGPT_AUTH_PROVIDER": "keycloak",
    "PGPT_AUTH_ISSUER": "https://idp.example.test/realms/bench",
    "PGPT_AUTH_CLIENT_IDS": "web",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
}
FLOOR = "import fastapi, mangum, pynamodb.models, aws_lambda_powertools, jwt"
HANDLER = "import privategpt.handlers.api"
VARIANTS: dict[str, tuple[str, dict[str, str]]] = {
    "floor": (FLOOR, {}),
    "handler": (HANDLER, {}),
    "handler, tracing on": (HANDLER, {"PGPT_TRACING_ENABLED": "true"}),
}


@dataclass
class Samples:
    total_ms: list[float] = field(default_factory=list)
    own_us: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PGPT_", "POWERTOOLS_", "_X_AMZN", "AWS_XRAY"))}
    return {**env, **ENV, **extra}


def one_run(code: str, extra_env: dict[str, str], samples: Samples) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=child_env(extra_env),
        check=True,
    )
    # Lines read "import time: <self us> | <cumulative us> | <indent><module>"; nesting is the indent.
    own: dict[str, int] = defaultdict(int)
    total = 0
    for line in result.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        module = parts[2][1:]
        name = module.strip()
        top = name.split(".")[0]
        own[top] += int(parts[0])
        if top == "privategpt":
            own[name] += int(parts[0])
        if not module.startswith(" "):
            total += int(parts[1])
    samples.total_ms.append(total / 1000)
    for name, value in own.items():
        samples.own_us[name].append(value)


def instructions(code: str, extra_env: dict[str, str], valgrind: str) -> int:
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env(extra_env),
        check=True,
    )
    match = re.search(r"Collected : (\d+)", result.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count from valgrind: {result.stderr[-500:]}")
    return int(match.group(1))


def print_instructions() -> None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("instructions: valgrind is not installed (apt-get install valgrind)")
        return
    startup = instructions("pass", {}, valgrind)
    counts = {name: instructions(code, env, valgrind) - startup for name, (code, env) in VARIANTS.items()}
    print("instructions of one import (valgrind, interpreter start-up subtracted):")
    for name, count in counts.items():
        print(f"  {name:<22} {count / 1e9:5.2f} G   {count / counts['floor']:.2f}x the floor")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    args = parser.parse_args()
    # A deployed function ships bytecode (its file system is read-only); so must the working tree here.
    compileall.compile_dir(PACKAGE_DIR, quiet=1)
    results = {name: Samples() for name in VARIANTS}
    for _ in range(args.runs):
        for name, (code, extra_env) in VARIANTS.items():
            one_run(code, extra_env, results[name])

    print(f"cold import, {args.runs} runs each, interleaved (median / min)")
    for name, samples in results.items():
        print(f"  {name:<22} {statistics.median(samples.total_ms):6.0f} ms / {min(samples.total_ms):4.0f} ms")
    handler = statistics.median(results["handler"].total_ms)
    floor = statistics.median(results["floor"].total_ms)
    traced = statistics.median(results["handler, tracing on"].total_ms)
    verdict = "met" if handler <= GOAL_MS else "NOT met"
    print(f"handler median {handler:.0f} ms, goal <= {GOAL_MS:.0f} ms: {verdict}")
    print(f"  {handler / floor:.2f}x the floor (+{handler - floor:.0f} ms); tracing on adds {traced - handler:.0f} ms")

    runs = args.runs
    own = {name: float(statistics.median(v + [0] * (runs - len(v)))) for name, v in results["handler"].own_us.items()}
    total_us = handler * 1000
    print("top importers of the handler (own import time, median):")
    for name, value in sorted(((n, v) for n, v in own.items() if "." not in n), key=lambda kv: -kv[1])[:12]:
        print(f"  {name:<34} {value / 1000:7.1f} ms  {value / total_us:6.1%}")
    print("top privategpt modules (own import time, median):")
    for name, value in sorted(((n, v) for n, v in own.items() if "." in n), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:<34} {value / 1000:7.1f} ms  {value / total_us:6.1%}")
    if args.instructions:
        print_instructions()


if __name__ == "__main__":
    main()
