"""The one error shape, request ids, body limits, and unexpected failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from privategpt.app import create_app
from privategpt.settings import Settings
from tests.support.api import User, assert_error
from tests.support.server import serve


def test_request_id_is_taken_or_made(alice: User) -> None:
    given = alice.client.get("/api/me", headers={"X-Request-ID": "trace-123"})
    assert given.headers["x-request-id"] == "trace-123"
    made = alice.client.get("/api/me")
    assert len(made.headers["x-request-id"]) == 32
    # An unsafe id (log injection) is replaced, not echoed.
    unsafe = alice.client.get("/api/me", headers={"X-Request-ID": "a b\tc"})
    assert unsafe.headers["x-request-id"] != "a b\tc"


def test_unknown_route_and_method_use_the_error_shape(alice: User) -> None:
    assert_error(alice.client.get("/api/nothing-here"), 404, "not_found")
    assert_error(alice.client.put("/api/chat/conversations"), 405, "method_not_allowed")


def test_body_over_the_limit_is_413(alice: User, settings: Settings) -> None:
    big = {"title": "x", "padding": "y" * settings.max_request_body_bytes}
    error = assert_error(alice.client.post("/api/chat/conversations", json=big), 413, "payload_too_large")
    assert error["details"] == {"limit_bytes": settings.max_request_body_bytes}

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"title": "'
        for _ in range(settings.max_request_body_bytes // 1024 + 1):
            yield b"z" * 1024
        yield b'"}'

    chunked = alice.client.post(
        "/api/chat/conversations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(chunked, 413, "payload_too_large")
    # Nothing was stored by either request.
    titles = [c["title"] for c in alice.client.get("/api/chat/conversations").json()["items"]]
    assert all(not t.startswith("z") for t in titles)


@pytest.fixture(scope="module")
def failing_api(settings: Settings) -> Iterator[str]:
    app = create_app(settings)

    @app.get("/api/explode")
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with serve(app) as url:
        yield url


def test_unexpected_error_is_a_bare_500_with_trace_in_log(failing_api: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="privategpt"):
        response = httpx.get(f"{failing_api}/api/explode", headers={"X-Request-ID": "boom-1"})
    error = assert_error(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert error["request_id"] == "boom-1"
    records = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert records and records[0].exc_info is not None
    assert getattr(records[0], "request_id", None) == "boom-1"
