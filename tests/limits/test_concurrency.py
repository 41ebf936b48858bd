"""Many parallel requests for one user, from threads and from several processes (as from several Lambda
instances) against the same DynamoDB Local table: no limit is overshot by more than the documented bound.

Requests per minute: none (each admission is one atomic conditional write). Tokens per day: the requests in
flight when the bucket ran out, each with the tokens it used.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from privategpt.limits import service
from privategpt.limits.errors import RateLimitExceeded
from privategpt.settings import Settings
from privategpt.storage import db
from tests.limits.conftest import quick, set_limits
from tests.support.api import User, assert_error

PROCESSES = 4
THREADS = 8


def _admit_many(endpoint: str, table: str, user_id: str, limit: int, tries: int) -> tuple[float, list[float]]:
    """In a process of its own: ``tries`` admissions from ``THREADS`` threads. Returns when the first began and
    when each admitted one ended (every admission's own "now" lies between the two)."""
    settings = Settings(
        _env_file=None,
        dynamodb_endpoint=endpoint,
        table_name=table,
        limit_requests_per_minute=limit,
        limit_tokens_per_day=None,
    )
    db.bind(settings)
    admitted: list[float] = []
    began: list[float] = []
    lock = threading.Lock()

    def one(_: int) -> None:
        with lock:
            began.append(time.time())
        try:
            service.admit(user_id, settings)
        except RateLimitExceeded:
            return
        with lock:
            admitted.append(time.time())

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one, range(tries)))
    return min(began), admitted


def test_several_processes_admit_no_more_than_the_limit(settings: Settings) -> None:
    limit, tries = 40, 30  # 4 processes x 30 tries for 40 a minute: one more every 1.5 s
    assert settings.dynamodb_endpoint is not None
    user_id = f"burst-{time.time_ns()}"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context) as pool:
        runs = [
            pool.submit(_admit_many, settings.dynamodb_endpoint, settings.table_name, user_id, limit, tries)
            for _ in range(PROCESSES)
        ]
        results = [run.result(timeout=120) for run in runs]
    first = min(began for began, _ in results)
    times = sorted(t for _, admitted in results for t in admitted)
    span = times[-1] - first
    dripped = int(span / (60 / limit))  # GCRA: a burst of the limit, then one each 1.5 s
    assert limit <= len(times) <= limit + dripped, (len(times), span)


def test_parallel_http_requests_admit_no_more_than_the_limit(alice: User, admin: User) -> None:
    limit = 12
    set_limits(admin, alice, requests_per_minute=limit, tokens_per_day=None)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: quick(alice, model="ollama/llama3.2").status_code, range(40)))
    span = time.monotonic() - started
    assert set(statuses) <= {200, 429}
    assert limit <= statuses.count(200) <= limit + int(span / (60 / limit)) + 1, (statuses.count(200), span)


def test_tokens_per_day_overshoot_is_bounded_by_the_requests_in_flight(alice: User, admin: User) -> None:
    limit, workers = 100, 8
    set_limits(admin, alice, tokens_per_day=limit, requests_per_minute=None)
    largest = 0
    lock = threading.Lock()

    def user_loop(_: int) -> None:
        nonlocal largest
        for _ in range(20):  # each worker has one request in flight at a time, until refused
            response = quick(alice)
            if response.status_code == 429:
                assert response.json()["error"]["details"]["limit"] == "tokens_per_day"
                return
            assert response.status_code == 200, response.text
            with lock:
                largest = max(largest, response.json()["usage"]["total_tokens"])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(user_loop, range(workers)))
    used = alice.client.get("/api/usage").json()["totals"]["total_tokens"]
    # refused only in debt, so the limit was reached; at most one request per worker was in flight then
    assert limit <= used <= limit + workers * largest, (used, largest)
    assert_error(quick(alice), 429, "rate_limit_exceeded")
