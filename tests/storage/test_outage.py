"""When DynamoDB is down: 503 with Retry-After in the one error shape, within the bound the settings set, on
the API and on the stream route alike; the service recovers with nothing lost once DynamoDB is back.

The outage test runs its own DynamoDB Local (the session's is shared by every other test) and stops it with
SIGSTOP: it keeps accepting connections and never answers, which is what a hung or partitioned DynamoDB
looks like and the hardest case for timeouts.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from privategpt.app import create_app, create_stream_app
from privategpt.dev.dynamodb_local import DynamoDBLocal
from privategpt.middleware import RequestContextMiddleware
from privategpt.settings import Settings
from privategpt.storage import db, outage, table
from privategpt.storage.expressions import condition_failed
from privategpt.storage.models import UserItem
from tests.support.api import assert_error
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve

# --- condition_failed never raises ------------------------------------------------------------------


class _Cause(Exception):
    def __init__(self, response: object) -> None:
        super().__init__("cause")
        self.response = response


class _RaisingCause(Exception):
    @property
    def cause(self) -> object:
        raise RuntimeError("no cause for you")


class _LyingMapping(Mapping[str, Any]):
    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("lies")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("lies")

    def __len__(self) -> int:
        return 1


def _client_error(code: str, status: int = 400, **extra: Any) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}, **extra}
    return ClientError(response, "UpdateItem")


def _odd_client_error() -> ClientError:
    error = _client_error("Whatever")
    error.response = {"Error": "text"}  # type: ignore[typeddict-item]
    return error


ODD_EXCEPTIONS: dict[str, BaseException] = {
    "read timeout (response=None)": UpdateError("x", ReadTimeoutError(endpoint_url="http://127.0.0.1:1")),
    "connect timeout": UpdateError("x", ConnectTimeoutError(endpoint_url="http://127.0.0.1:1")),
    "no cause": UpdateError("x"),
    "an outage": UpdateError("x", outage.DynamoDBUnavailable(operation="UpdateItem", reason="read timeout")),
    "response is text": UpdateError("x", _Cause("oops")),
    "Error is None": UpdateError("x", _Cause({"Error": None})),
    "another code": UpdateError("x", _client_error("ValidationException")),
    "a plain exception": ValueError("plain"),
    "cause raises": _RaisingCause(),
    "response lies": UpdateError("x", _Cause(_LyingMapping())),
    "reasons are not a list": TransactWriteError("x", _client_error("TransactionCanceledException")),
}


@pytest.mark.parametrize("exc", ODD_EXCEPTIONS.values(), ids=ODD_EXCEPTIONS.keys())
def test_condition_failed_is_false_and_never_raises(exc: BaseException) -> None:
    assert condition_failed(exc) is False


def test_condition_failed_recognises_conditions() -> None:
    assert condition_failed(UpdateError("x", _client_error("ConditionalCheckFailedException")))
    cancelled = _client_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "None"}, {"Code": "ConditionalCheckFailed"}]
    )
    assert condition_failed(TransactWriteError("x", cancelled))
    conflict = _client_error("TransactionCanceledException", CancellationReasons=[{"Code": "TransactionConflict"}])
    assert not condition_failed(TransactWriteError("x", conflict))


def test_condition_failed_on_a_real_failed_condition(settings: Settings) -> None:
    item = UserItem(table.user_pk(f"cond-{uuid.uuid4().hex}"), table.PROFILE_SK)
    with pytest.raises(UpdateError) as raised:
        item.update(actions=[UserItem.name.set("x")], condition=UserItem.pk.exists())
    assert condition_failed(raised.value)


# --- what counts as an outage -------------------------------------------------------------------------

OUTAGES: dict[str, tuple[BaseException, str]] = {
    "read timeout": (ReadTimeoutError(endpoint_url="http://h"), "read timeout"),
    "connect timeout": (ConnectTimeoutError(endpoint_url="http://h"), "connect timeout"),
    "refused": (EndpointConnectionError(endpoint_url="http://h"), "connection failed"),
    "closed": (ConnectionClosedError(endpoint_url="http://h"), "connection closed"),
    "provisioned throughput": (
        _client_error("ProvisionedThroughputExceededException"),
        "throttled (ProvisionedThroughputExceededException)",
    ),
    "throttling": (_client_error("ThrottlingException"), "throttled (ThrottlingException)"),
    "request limit": (_client_error("RequestLimitExceeded"), "throttled (RequestLimitExceeded)"),
    "500": (_client_error("InternalServerError", 500), "server error (InternalServerError)"),
    "503": (_client_error("ServiceUnavailable", 503), "server error (ServiceUnavailable)"),
    "throttled transaction": (
        _client_error(
            "TransactionCanceledException", CancellationReasons=[{"Code": "None"}, {"Code": "ThrottlingError"}]
        ),
        "throttled (transaction cancelled)",
    ),
}
NOT_OUTAGES: dict[str, BaseException] = {
    "condition": _client_error("ConditionalCheckFailedException"),
    "validation": _client_error("ValidationException"),
    "cancelled by a condition": _client_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "ConditionalCheckFailed"}]
    ),
    "no credentials": NoCredentialsError(),
    "not botocore": ValueError("x"),
    "odd response": _odd_client_error(),
}


@pytest.mark.parametrize(("exc", "why"), OUTAGES.values(), ids=OUTAGES.keys())
def test_outages_are_recognised_without_the_endpoint(exc: BaseException, why: str) -> None:
    found = outage.classify("Query", exc)
    assert found is not None and (found.operation, found.reason) == ("Query", why)
    assert str(found) == f"DynamoDB Query failed: {why}" and "http" not in str(found)


@pytest.mark.parametrize("exc", NOT_OUTAGES.values(), ids=NOT_OUTAGES.keys())
def test_other_failures_are_not_outages(exc: BaseException) -> None:
    assert outage.classify("Query", exc) is None


def test_an_outage_is_found_however_it_is_wrapped() -> None:
    unavailable = outage.DynamoDBUnavailable(operation="Query", reason="read timeout")
    wrapped = PutError("put failed", unavailable)
    try:
        raise RuntimeError("later") from wrapped
    except RuntimeError as exc:
        assert outage.find(exc) is unavailable
    looped = ValueError("loop")
    looped.__cause__ = looped
    assert outage.find(looped) is None
    assert outage.find(PutError("put failed", ValueError("x"))) is None


# --- a DynamoDB that throttles or fails -------------------------------------------------------------------


def _failing_dynamodb(status: int, code: str) -> Starlette:
    async def answer(request: Request) -> JSONResponse:
        body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "no"}
        return JSONResponse(body, status_code=status, media_type="application/x-amz-json-1.0")

    return Starlette(routes=[Route("/", answer, methods=["POST"])])


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "ProvisionedThroughputExceededException", 503),
        (400, "ThrottlingException", 503),
        (500, "InternalServerError", 503),
        (400, "ValidationException", 500),  # our bug, not an outage: stays a 500
    ],
)
def test_throttling_and_server_errors_are_503(
    settings: Settings,
    issuer: TestIssuer,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: str,
    expected: int,
) -> None:
    with serve(_failing_dynamodb(status, code)) as endpoint:
        failing = settings.model_copy(
            update={"dynamodb_endpoint": endpoint, "dynamodb_max_retries": 0, "dynamodb_retry_after_seconds": 9}
        )
        with serve(create_app(failing)) as api, caplog.at_level(logging.INFO):
            headers = {"Authorization": f"Bearer {issuer.token(new_subject())}"}
            response = httpx.get(f"{api}/api/me", headers=headers, timeout=30)
    if expected == 503:
        error = assert_error(response, 503, "service_unavailable")
        assert response.headers["retry-after"] == "9" and error["details"] == {"retry_after_seconds": 9}
        logged = [r for r in caplog.records if r.getMessage() == "dynamodb unavailable"]
        assert [getattr(r, "operation", None) for r in logged] == ["UpdateItem"]  # the user upsert
        assert code in str(getattr(logged[0], "reason", ""))
    else:
        assert_error(response, 500, "internal_error")
    assert not any(endpoint in _logged(record) for record in caplog.records)


def _logged(record: logging.LogRecord) -> str:
    return record.getMessage() + repr(record.__dict__)


def test_the_middleware_guard_answers_an_outage_with_503_not_500() -> None:
    """An outage that escapes the app's handlers (raised below them) still gets the 503, not the 500 guard."""

    async def failing_app(scope: Any, receive: Any, send: Any) -> None:
        raise UpdateError("x", outage.DynamoDBUnavailable(operation="UpdateItem", reason="read timeout"))

    guarded = RequestContextMiddleware(failing_app, max_body_bytes=1024, retry_after_seconds=4)
    with serve(guarded) as url:
        response = httpx.get(f"{url}/anything", timeout=30)
    error = assert_error(response, 503, "service_unavailable")
    assert response.headers["retry-after"] == "4" and error["details"] == {"retry_after_seconds": 4}


# --- DynamoDB Local stopped mid-session ---------------------------------------------------------------


class PausableDynamoDB(DynamoDBLocal):
    def _signal(self, signum: signal.Signals) -> None:
        assert self._process is not None
        os.kill(self._process.pid, signum)

    def pause(self) -> None:
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self.resume()  # a stopped JVM would sit on SIGTERM until killed
        super().stop()


@pytest.fixture(scope="module")
def own_dynamodb() -> Iterator[PausableDynamoDB]:
    instance = PausableDynamoDB()
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def _timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _stream_url(stream: str, ticket: dict[str, Any]) -> str:
    url: str = ticket["stream_url"]
    return url if url.startswith("http") else stream + url


def _messages(client: httpx.Client, cid: str) -> list[tuple[str, str, str]]:
    body = client.get(f"/api/chat/conversations/{cid}", params={"limit": 50}).json()
    return [(m["id"], m["role"], m["content"]) for m in body["messages"]]


DYNAMODB_OPERATIONS = {"GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "DescribeTable"}


def test_dynamodb_stopped_mid_session(
    settings: Settings,
    own_dynamodb: PausableDynamoDB,
    issuer: TestIssuer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fragile = settings.model_copy(
        update={
            "dynamodb_endpoint": own_dynamodb.endpoint,
            "table_name": f"outage-{uuid.uuid4().hex[:8]}",
            "dynamodb_connect_timeout_seconds": 0.5,
            "dynamodb_read_timeout_seconds": 1.0,
            "dynamodb_max_retries": 1,
            "dynamodb_retry_after_seconds": 7,
            "llm_discovery_timeout_seconds": 60.0,  # SDK imports are slow on a busy machine
        }
    )
    bound = db.ClientSettings.of(fragile).worst_case_seconds()
    assert bound < 3.1  # 2 attempts x (0.5 s + 1 s) + backoff
    patient = fragile.model_copy(update={"dynamodb_read_timeout_seconds": 30.0})  # table creation is slow
    db.bind(patient)
    db.create_table(patient)
    token = issuer.token(new_subject())
    with (
        serve(create_app(fragile)) as api,
        serve(create_stream_app(fragile)) as stream,
        httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token}"}, timeout=60) as alice,
        httpx.Client(timeout=60) as anonymous,
    ):
        # Before: a conversation with a turn in it, another with a stream waiting, a prompt.
        model = {"model": "ollama/llama3.2"}
        first = alice.post("/api/chat/conversations", json={"title": "before"}).json()["id"]
        assert alice.post(f"/api/chat/conversations/{first}/messages", json={"content": "one", **model}).is_success
        second = alice.post("/api/chat/conversations", json={"title": "waiting"}).json()["id"]
        prepare = f"/api/chat/conversations/{second}/prepare-stream"
        during = alice.post(prepare, json={"content": "during", **model}).json()
        prompt = alice.post("/api/prompts", json={"name": "kept", "content": "be brief"}).json()
        before = {cid: _messages(alice, cid) for cid in (first, second)}
        conversations_before = alice.get("/api/chat/conversations").json()["items"]

        own_dynamodb.pause()
        try:
            calls: dict[str, Callable[[], httpx.Response]] = {
                "list": lambda: alice.get("/api/chat/conversations"),
                "read": lambda: alice.get(f"/api/chat/conversations/{first}"),
                "send": lambda: alice.post(f"/api/chat/conversations/{first}/messages", json={"content": "x", **model}),
                "prompt": lambda: alice.post("/api/prompts", json={"name": "lost?", "content": "c"}),
                "me": lambda: alice.get("/api/me"),
                "ready": lambda: anonymous.get(f"{api}/api/health/ready"),
                "stream": lambda: anonymous.get(_stream_url(stream, during)),
            }
            with caplog.at_level(logging.INFO), ThreadPoolExecutor(len(calls)) as pool:
                results = dict(zip(calls, pool.map(_timed, calls.values()), strict=True))
                live, live_seconds = _timed(lambda: anonymous.get(f"{api}/api/health"))
        finally:
            own_dynamodb.resume()

        assert live.status_code == 200 and live_seconds < 1.0  # liveness does not wait for the database
        for name, (response, seconds) in results.items():
            error = assert_error(response, 503, "service_unavailable")
            assert response.headers["retry-after"] == "7" and error["details"] == {"retry_after_seconds": 7}, name
            assert seconds < bound + 2.5, (name, seconds)  # the bound, plus room for a busy machine
        operations = {getattr(r, "operation", None) for r in caplog.records if r.getMessage() == "dynamodb unavailable"}
        assert {"Query", "GetItem"} <= operations <= DYNAMODB_OPERATIONS, operations  # named, never a URL
        assert not any(own_dynamodb.endpoint in _logged(record) for record in caplog.records)

        # After: ready again, everything stored before is still there, and the service works.
        deadline = time.monotonic() + 30
        while anonymous.get(f"{api}/api/health/ready").status_code != 200:
            assert time.monotonic() < deadline, "DynamoDB did not come back"
            time.sleep(0.2)
        for cid, messages in before.items():
            assert _messages(alice, cid) == messages
        listed = {c["id"] for c in alice.get("/api/chat/conversations").json()["items"]}
        assert listed == {c["id"] for c in conversations_before}
        assert prompt["id"] in {p["id"] for p in alice.get("/api/prompts").json()["items"]}
        sent = alice.post(f"/api/chat/conversations/{first}/messages", json={"content": "two", **model})
        assert sent.status_code == 200, sent.text
        assert alice.get(f"/api/chat/conversations/{first}").json()["message_count"] == 4
        # The token tried during the outage may or may not have been spent by the write DynamoDB did on
        # waking; either way the answer is a clean one, and a new token streams.
        retried = anonymous.get(_stream_url(stream, during))
        assert retried.status_code in (200, 410), retried.text
        after = alice.post(prepare, json={"content": "after", **model}).json()
        assert "event: done" in anonymous.get(_stream_url(stream, after)).text
