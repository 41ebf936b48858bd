"""``privategpt dev`` and ``privategpt token`` run as a developer runs them: real processes, real ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent / "privategpt"
STARTUP_SECONDS = 90
STOP_SECONDS = 30


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any PGPT_ setting (conftest already dropped provider keys)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGPT_")}
    env.update(extra)
    return env


def token(data_dir: Path | None, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(BIN), "token", *(["--data-dir", str(data_dir)] if data_dir else []), *args]
    return subprocess.run(command, capture_output=True, text=True, env=clean_env(), cwd=cwd, check=False)


@contextmanager
def running_dev(
    data_dir: Path, port: int, *args: str, cwd: Path | None = None, **env: str
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``privategpt dev`` until it says uvicorn runs; SIGTERM (then SIGKILL) at the end of the block."""
    process = subprocess.Popen(
        [str(BIN), "dev", "--port", str(port), "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(**env),
        cwd=cwd,
    )
    lines: list[str] = []
    drain: threading.Thread | None = None
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if sum("Uvicorn running" in line for line in lines) == 2:  # the API and the streaming app
                break
        assert sum("Uvicorn running" in line for line in lines) == 2, "".join(lines)
        # Keep reading (access log lines), so a full pipe never blocks the server.
        drain = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
        drain.start()
        yield process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if drain is not None:
            drain.join(timeout=STOP_SECONDS)
        if process.stdout is not None:
            process.stdout.close()
