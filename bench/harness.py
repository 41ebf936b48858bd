"""What the server-side benchmarks share: the platform in a process of its own, measured from outside.

``Platform`` starts DynamoDB Local, a local Ollama-wire fake provider (in this process), and the API and the
streaming app in a child process (one event loop, as ``privategpt dev`` serves them). The child counts its
DynamoDB calls with a botocore ``before-call`` hook on the process's one client; ``snapshot()`` asks it (SIGUSR1)
for its CPU time and call counts, so a benchmark measures the server alone: the load generator, the fake
provider and DynamoDB Local are elsewhere.

    python bench/harness.py serve   # the child; configured by PGPT_* variables and BENCH_STATS_FILE
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "llama3.2"
MODEL_ID = f"ollama/{MODEL}"


@dataclass(frozen=True)
class Stats:
    cpu_seconds: float
    calls: dict[str, int]

    def __sub__(self, earlier: Stats) -> Stats:
        calls = {op: n - earlier.calls.get(op, 0) for op, n in self.calls.items()}
        return Stats(self.cpu_seconds - earlier.cpu_seconds, {op: n for op, n in calls.items() if n})

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


class Platform:
    def __init__(
        self,
        api_url: str,
        stream_url: str,
        fake_url: str,
        data_dir: Path,
        process: subprocess.Popen[bytes],
        table_name: str,
    ):
        self.table_name = table_name
        self.api_url = api_url
        self.stream_url = stream_url
        self.fake_url = fake_url
        self.data_dir = data_dir
        self.process = process
        self._stats_file = data_dir / "stats.json"

    def token(self, subject: str) -> str:
        from privategpt.auth.local_issuer import LocalIssuer
        from privategpt.settings import Settings

        return LocalIssuer(Settings(_env_file=None, data_dir=self.data_dir)).mint(subject, ttl_seconds=3600)

    def snapshot(self) -> Stats:
        self._stats_file.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                data = json.loads(self._stats_file.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                time.sleep(0.005)
                continue
            return Stats(data["cpu"], data["calls"])
        raise RuntimeError("the server did not report its stats")


@contextmanager
def platform(
    *, loop: str = "asyncio", chunk_delay: float = 0.0, env: dict[str, str] | None = None
) -> Iterator[Platform]:
    from tests.support.fake_llm import FakeProvider, ollama_app, running

    from privategpt.dev.dynamodb_local import DynamoDBLocal, free_port
    from privategpt.settings import Settings
    from privategpt.storage import db

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        endpoint = stack.enter_context(DynamoDBLocal())
        fake = stack.enter_context(running(FakeProvider("ollama", [MODEL], chunk_delay=chunk_delay), ollama_app))
        providers = tmp / "providers.json"
        providers.write_text(json.dumps({"providers": [{"name": "ollama", "type": "ollama", "base_url": fake.url}]}))
        settings = Settings(_env_file=None, dynamodb_endpoint=endpoint, data_dir=tmp)
        db.bind(settings)
        db.create_table(settings)
        api_port, stream_port = free_port(), free_port()
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PGPT_")},
            "PGPT_DYNAMODB_ENDPOINT": endpoint,
            "PGPT_DATA_DIR": str(tmp),
            "PGPT_LLM_PROVIDERS_FILE": str(providers),
            "PGPT_LOG_LEVEL": "WARNING",
            "PGPT_STREAM_BASE_URL": f"http://127.0.0.1:{stream_port}",
            # limits on (each turn pays its admission, as deployed), high enough for one user's many turns a minute
            "PGPT_LIMIT_REQUESTS_PER_MINUTE": "1000000",
            "PGPT_LIMIT_TOKENS_PER_DAY": "1000000000000",
            "BENCH_STATS_FILE": str(tmp / "stats.json"),
            "BENCH_PORTS": f"{api_port},{stream_port}",
            "BENCH_LOOP": loop,
            **(env or {}),
        }
        process = subprocess.Popen([sys.executable, __file__, "serve"], env=child_env, cwd=ROOT)  # noqa: S603
        stack.callback(_stop, process)
        api_url, stream_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{stream_port}"
        _wait_until_up(f"{api_url}/api/health", process)
        _wait_until_up(f"{stream_url}/", process)
        yield Platform(api_url, stream_url, fake.url, tmp, process, settings.table_name)


@dataclass(frozen=True)
class Floor:
    """What a turn's DynamoDB calls cost with nothing of ours around them: the same calls a streamed turn makes
    (two Queries, two TransactWriteItems, one UpdateItem), through a bare botocore client, in this process."""

    cpu_ms: float
    wall_ms: float

    def __str__(self) -> str:
        return (
            f"bare botocore, a streamed turn's 5 DynamoDB calls: {self.cpu_ms:.1f} ms CPU, {self.wall_ms:.1f} ms wall"
        )


def dynamodb_floor(p: Platform, rounds: int = 30) -> Floor:
    """Measured in the benchmark's own run, so figures from another machine can be read against it."""
    from privategpt.storage import db

    client: Any = db.connection().client
    table, pk = p.table_name, {"S": "USER#floor"}
    put = {"Put": {"TableName": table, "Item": {"PK": pk, "SK": {"S": "CONV#x#MSG#1"}, "content": {"S": "hello"}}}}
    update = {
        "Update": {
            "TableName": table,
            "Key": {"PK": pk, "SK": {"S": "CONV#x"}},
            "UpdateExpression": "ADD message_count :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }

    def turn() -> None:
        for _ in range(2):
            client.query(
                TableName=table,
                KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
                ExpressionAttributeValues={":pk": pk, ":sk": {"S": "CONV#x"}},
                ScanIndexForward=False,
                Limit=21,
            )
            client.transact_write_items(TransactItems=[put, update])
        client.update_item(
            TableName=table,
            Key={"PK": pk, "SK": {"S": "STREAM"}},
            UpdateExpression="SET consumed_at = :t",
            ExpressionAttributeValues={":t": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )

    turn()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        turn()
    return Floor((time.process_time() - cpu) * 1000 / rounds, (time.perf_counter() - wall) * 1000 / rounds)


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server process exited")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- the child -----------------------------------------------------------------------------------------


def _serve() -> None:
    import uvicorn

    from privategpt.app import create_app, create_stream_app
    from privategpt.settings import Settings
    from privategpt.storage import db

    settings = Settings()
    db.bind(settings)
    calls: Counter[str] = Counter()

    def count(model: Any, params: Any, request_signer: Any, context: Any, **kwargs: Any) -> None:
        calls[model.name] += 1

    db.connection().client.meta.events.register("before-call.dynamodb", count)
    stats_file = Path(os.environ["BENCH_STATS_FILE"])
    api_port, stream_port = (int(p) for p in os.environ["BENCH_PORTS"].split(","))
    loop_name = os.environ.get("BENCH_LOOP", "asyncio")

    def report() -> None:
        partial = stats_file.with_suffix(".tmp")
        partial.write_text(json.dumps({"cpu": time.process_time(), "calls": dict(calls)}))
        partial.replace(stats_file)

    def server(app: Any, port: int) -> uvicorn.Server:
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop=loop_name,
            http="httptools" if loop_name == "uvloop" else "h11",
        )
        return uvicorn.Server(config)

    async def main() -> None:
        servers = [server(create_app(settings), api_port), server(create_stream_app(settings), stream_port)]
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, report)
        await asyncio.gather(*(s.serve() for s in servers))

    if loop_name == "uvloop":
        import uvloop

        uvloop.run(main())
    else:
        asyncio.run(main())


if __name__ == "__main__" and sys.argv[1:] == ["serve"]:
    _serve()
