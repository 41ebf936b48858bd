"""A real HTTP server that records every request and answers from canned replies: for clients of services
that cannot run in the tests (OpenSearch, Serverless), to assert the exact requests (method, path, query,
headers, body) and the parsing of the service's documented answers, errors included.

Replies are matched by method and path (query string aside), the earliest registered first; a reply given
``times`` is used that many times, then skipped. A request no reply matches gets a 501 and is kept in
``unmatched``, so a test can tell "the client sent something unexpected" from "the service failed".
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from tests.support.server import serve


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def ndjson(self) -> list[Any]:
        return [json.loads(line) for line in self.body.decode().splitlines() if line.strip()]


@dataclass
class Reply:
    method: str
    path: str
    status: int
    body: Any = None
    delay_seconds: float = 0.0
    times: int | None = None  # None: every time
    used: int = 0


@dataclass
class RecordingServer:
    requests: list[Recorded] = field(default_factory=list)
    unmatched: list[Recorded] = field(default_factory=list)
    _replies: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reply(
        self,
        method: str,
        path: str,
        status: int = 200,
        body: Any = None,
        *,
        delay_seconds: float = 0.0,
        times: int | None = None,
    ) -> None:
        with self._lock:
            self._replies.append(Reply(method.upper(), path, status, body, delay_seconds, times))

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.unmatched.clear()
            self._replies.clear()

    def sent(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper()) and (path is None or r.path == path)
            ]

    def _take(self, recorded: Recorded) -> Reply | None:
        with self._lock:
            self.requests.append(recorded)
            for reply in self._replies:
                if reply.method == recorded.method and reply.path == recorded.path:
                    if reply.times is not None and reply.used >= reply.times:
                        continue
                    reply.used += 1
                    return reply
            self.unmatched.append(recorded)
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        recorded = Recorded(
            method=scope["method"],
            path=scope["path"],
            query=dict(parse_qsl(scope["query_string"].decode(), keep_blank_values=True)),
            headers={name.decode().lower(): value.decode() for name, value in scope["headers"]},
            body=body,
        )
        reply = self._take(recorded)
        if reply is None:
            status, payload = 501, json.dumps({"error": f"no canned reply for {recorded.method} {recorded.path}"})
        else:
            if reply.delay_seconds:
                await asyncio.sleep(reply.delay_seconds)
            status, payload = reply.status, "" if reply.body is None else json.dumps(reply.body)
        data = payload.encode()
        headers = [(b"content-type", b"application/json; charset=UTF-8"), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if recorded.method == "HEAD" else data})


@contextmanager
def recording_server() -> Iterator[tuple[RecordingServer, str]]:
    server = RecordingServer()
    with serve(server) as url:
        yield server, url
