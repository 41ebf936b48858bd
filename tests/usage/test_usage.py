"""Usage recorded from real calls, aggregated per user, model and day, read back over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from privategpt.llm.types import Capabilities, ModelInfo, Usage
from privategpt.settings import Settings
from privategpt.usage import service as usage
from tests.support.api import User, assert_error


def test_calls_are_counted_and_priced(alice: User) -> None:
    for model in ("openai/gpt-4o-mini", "openai/gpt-4o-mini", "ollama/llama3.2"):
        body = {"model": model, "messages": [{"role": "user", "content": "count me"}]}
        response = alice.client.post("/api/chat/quick", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["usage"]["estimated"] is False

    report = alice.client.get("/api/usage").json()
    today = date.today().isoformat()
    mini = report["models"]["openai/gpt-4o-mini"]
    # Each call: input = 2 words + 10, output = 6 chunks ("Hello from openai! You said: count me").
    assert (mini["requests"], mini["input_tokens"], mini["output_tokens"]) == (2, 24, 14)
    assert mini["cost_usd"] == pytest.approx((24 * 0.15 + 14 * 0.6) / 1e6)
    assert mini["unpriced_requests"] == 0
    llama = report["models"]["ollama/llama3.2"]
    assert llama["cost_usd"] == 0 and llama["unpriced_requests"] == 1
    assert {line["day"] for line in report["days"]} == {today}
    assert report["totals"]["requests"] == 3
    assert report["user_id"] == alice.user_id


def test_counters_are_atomic_under_concurrency(alice: User) -> None:
    model = ModelInfo(
        "openai", "gpt-4o-mini", 128000, 16384, Capabilities(), input_price_per_mtok=1.0, output_price_per_mtok=2.0
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: usage.record(alice.user_id, model, Usage(5, 7)), range(40)))
    totals = alice.client.get("/api/usage").json()["models"]["openai/gpt-4o-mini"]
    assert (totals["requests"], totals["input_tokens"], totals["output_tokens"]) == (40, 200, 280)
    assert totals["cost_usd"] == pytest.approx(40 * (5 * 1.0 + 7 * 2.0) / 1e6)


def test_range_and_access_rules(alice: User, bob: User, admin: User, settings: Settings) -> None:
    today = date.today()
    empty = alice.client.get("/api/usage", params={"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert empty["days"] == [] and empty["totals"]["requests"] == 0
    assert_error(
        alice.client.get(
            "/api/usage", params={"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
        ),
        422,
        "validation_error",
    )
    too_long = (today - timedelta(days=settings.usage_max_days)).isoformat()
    assert_error(alice.client.get("/api/usage", params={"from": too_long}), 422, "validation_error")
    assert_error(alice.client.get("/api/usage", params={"from": "yesterday"}), 422, "validation_error")
    assert_error(bob.client.get("/api/usage", params={"user_id": alice.user_id}), 403, "forbidden")
    as_admin = admin.client.get("/api/usage", params={"user_id": alice.user_id})
    assert as_admin.status_code == 200 and as_admin.json()["user_id"] == alice.user_id


def test_days_must_be_iso_dates(alice: User) -> None:
    for params in ({"to": "0"}, {"from": "1700000000"}, {"to": "2026-1-5"}, {"from": "2026-02-30"}):
        assert_error(alice.client.get("/api/usage", params=params), 422, "validation_error")
    assert alice.client.get("/api/usage", params={"from": "2026-01-01", "to": "2026-01-31"}).status_code == 200
