"""Stream tokens stay out of access logs: read from a real ``privategpt dev``'s output."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import httpx

from privategpt.access_log import REDACTED, RedactStreamTokens, redact
from privategpt.dev.dynamodb_local import free_port
from tests.dev.running import running_dev


def test_redact_replaces_only_the_token_segment() -> None:
    assert redact("/stream/abc-DEF_123") == f"/stream/{REDACTED}"
    assert redact("/stream/abc?x=1") == f"/stream/{REDACTED}?x=1"
    assert redact('GET /stream/tok HTTP/1.1" 404') == f'GET /stream/{REDACTED} HTTP/1.1" 404'
    assert redact("/api/chat/conversations/01abc") == "/api/chat/conversations/01abc"


def test_filter_rewrites_uvicorns_access_record() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/stream/s3cret", "1.1", 410), None,
    )  # fmt: skip
    assert RedactStreamTokens().filter(record)
    assert record.getMessage() == f'127.0.0.1:5000 - "GET /stream/{REDACTED} HTTP/1.1" 410'


def test_dev_access_log_has_no_stream_token(tmp_path: Path, dynamodb_endpoint: str) -> None:
    port, stream_port = free_port(), free_port()
    token = secrets.token_urlsafe(32)
    with running_dev(
        tmp_path,
        port,
        "--stream-port",
        str(stream_port),
        "--no-demo",
        PGPT_DYNAMODB_ENDPOINT=dynamodb_endpoint,
        PGPT_TABLE_NAME="dev-access-log",
    ) as (_, lines):
        response = httpx.get(f"http://127.0.0.1:{stream_port}/stream/{token}", timeout=30)
        assert response.status_code == 404  # unknown token: the line is still logged
        deadline = time.monotonic() + 10
        while not any(f"/stream/{REDACTED}" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    output = "".join(lines)
    assert f'"GET /stream/{REDACTED} HTTP/1.1" 404' in output
    assert token not in output
