"""Limits over HTTP: the defaults, an admin's overrides, the 429s with Retry-After, and what remains."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import httpx
import pytest
from httpx_sse import connect_sse

from privategpt.settings import Settings
from tests.limits.conftest import quick, set_limits
from tests.support.api import User, assert_error


def test_defaults_and_what_remains(alice: User, settings: Settings) -> None:
    status = alice.client.get("/api/limits").json()
    assert status["requests_per_minute"] == {
        "limit": settings.limit_requests_per_minute,
        "remaining": settings.limit_requests_per_minute,
        "full_in_seconds": 0,
    }
    assert status["tokens_per_day"]["remaining"] == settings.limit_tokens_per_day
    assert status["monthly_budget"]["limit_usd"] is None and status["monthly_budget"]["spent_usd"] == 0
    assert status["overridden"] == []

    rpm, tokens = settings.limit_requests_per_minute, settings.limit_tokens_per_day
    assert rpm is not None and tokens is not None
    started = time.monotonic()
    response = quick(alice)
    assert response.status_code == 200, response.text
    used = response.json()["usage"]["total_tokens"]
    after = alice.client.get("/api/usage").json()["limits"]
    refilled = math.ceil((time.monotonic() - started) * rpm / 60)  # the first call may wait for model discovery
    remaining = after["requests_per_minute"]["remaining"]
    assert rpm - 1 <= remaining < rpm - 1 + refilled
    refilled_tokens = math.ceil((time.monotonic() - started) * tokens / 86_400)  # counted from the admission
    assert tokens - used <= after["tokens_per_day"]["remaining"] <= tokens - used + refilled_tokens
    assert after["monthly_budget"]["spent_usd"] == pytest.approx((12 * 0.15 + 7 * 0.6) / 1e6)
    next_month = datetime.fromisoformat(after["monthly_budget"]["resets_at"])
    assert next_month.day == 1 and next_month > datetime.now(UTC)


def test_only_admins_set_limits_and_only_for_known_users(alice: User, bob: User, admin: User) -> None:
    assert_error(alice.client.put(f"/api/admin/users/{bob.user_id}/limits", json={}), 403, "forbidden")
    assert_error(alice.client.get(f"/api/admin/users/{bob.user_id}/limits"), 403, "forbidden")
    assert_error(alice.client.delete(f"/api/admin/users/{bob.user_id}/limits"), 403, "forbidden")
    assert_error(admin.client.get("/api/admin/users/nobody-at-all/limits"), 404, "not_found")
    assert_error(admin.client.put("/api/admin/users/nobody-at-all/limits", json={}), 404, "not_found")
    for bad in ({"requests_per_minute": 0}, {"tokens_per_day": "5"}, {"monthly_budget_usd": -1}, {"other": 1}):
        assert_error(admin.client.put(f"/api/admin/users/{bob.user_id}/limits", json=bad), 422, "validation_error")
    too_big = {"tokens_per_day": 10**13}
    assert_error(admin.client.put(f"/api/admin/users/{bob.user_id}/limits", json=too_big), 422, "validation_error")


def test_override_replaces_defaults_field_by_field(bob: User, admin: User, settings: Settings) -> None:
    body = set_limits(admin, bob, requests_per_minute=5.0, tokens_per_day=None)
    assert body["requests_per_minute"] == 5 and body["tokens_per_day"] is None
    assert body["monthly_budget_usd"] == settings.limit_monthly_budget_usd  # left out: the default
    assert body["overridden"] == ["requests_per_minute", "tokens_per_day"] and body["updated_at"]
    assert admin.client.get(f"/api/admin/users/{bob.user_id}/limits").json() == body
    status = bob.client.get("/api/limits").json()
    assert status["requests_per_minute"]["limit"] == 5
    assert status["tokens_per_day"] == {"limit": None, "remaining": None, "full_in_seconds": 0}
    assert admin.client.delete(f"/api/admin/users/{bob.user_id}/limits").status_code == 204
    assert_error(admin.client.get(f"/api/admin/users/{bob.user_id}/limits"), 404, "not_found")  # the defaults
    back = bob.client.get("/api/limits").json()
    assert back["requests_per_minute"]["limit"] == settings.limit_requests_per_minute and back["overridden"] == []
    assert set_limits(admin, bob)["overridden"] == []  # an override of nothing: every default, and it exists
    assert admin.client.get(f"/api/admin/users/{bob.user_id}/limits").status_code == 200


def test_requests_per_minute_refuse_with_retry_after(alice: User, admin: User) -> None:
    set_limits(admin, alice, requests_per_minute=3)
    for _ in range(3):
        assert quick(alice).status_code == 200
    refused = quick(alice)
    error = assert_error(refused, 429, "rate_limit_exceeded")
    assert error["details"]["limit"] == "requests_per_minute"
    retry = int(refused.headers["retry-after"])
    assert 1 <= retry <= 20 and error["details"]["retry_after_seconds"] == retry  # one per 20 s drips back
    assert alice.client.get("/api/limits").json()["requests_per_minute"]["remaining"] == 0
    # the same limit guards sending in a conversation and phase 1 of a stream
    cid = alice.client.post("/api/chat/conversations", json={}).json()["id"]
    send = {"content": "hi", "model": "openai/gpt-4o-mini"}
    assert_error(alice.client.post(f"/api/chat/conversations/{cid}/messages", json=send), 429, "rate_limit_exceeded")
    assert_error(
        alice.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=send), 429, "rate_limit_exceeded"
    )


def test_tokens_per_day_refuse_once_in_debt(alice: User, admin: User) -> None:
    set_limits(admin, alice, tokens_per_day=30)
    first = quick(alice)
    assert first.status_code == 200
    used = first.json()["usage"]["total_tokens"]  # 19: 12 in, 7 out
    assert 15 < used < 30
    assert quick(alice).status_code == 200  # 11 tokens left: admitted, and it goes into debt
    refused = quick(alice)
    error = assert_error(refused, 429, "rate_limit_exceeded")
    assert error["details"]["limit"] == "tokens_per_day"
    owed = 2 * used - 30 + 1  # the debt and one token to use
    assert int(refused.headers["retry-after"]) == pytest.approx(owed * 86_400 / 30, abs=2)
    assert alice.client.get("/api/limits").json()["tokens_per_day"]["remaining"] == 0
    # raising the limit lets the user on at once (this process drops its cached override)
    set_limits(admin, alice, tokens_per_day=1000)
    assert quick(alice).status_code == 200
    assert alice.client.get("/api/limits").json()["tokens_per_day"]["remaining"] == 1000 - 3 * used


def test_a_spent_budget_is_insufficient_quota_until_the_month_turns(alice: User, admin: User) -> None:
    set_limits(admin, alice, monthly_budget_usd=0)
    error = assert_error(quick(alice), 429, "insufficient_quota")
    assert error["details"]["limit"] == "monthly_budget_usd"
    now = datetime.now(UTC)
    turn = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    assert error["details"]["retry_after_seconds"] == pytest.approx((turn - now).total_seconds(), abs=5)

    cost = (12 * 0.15 + 7 * 0.6) / 1e6
    set_limits(admin, alice, monthly_budget_usd=1.5 * cost)
    assert quick(alice).status_code == 200
    assert quick(alice).status_code == 200  # under budget when admitted: it may finish
    assert_error(quick(alice), 429, "insufficient_quota")
    assert quick(alice, model="ollama/llama3.2").status_code == 429  # every model call, priced or not
    budget = alice.client.get("/api/limits").json()["monthly_budget"]
    assert budget["spent_usd"] == pytest.approx(2 * cost) and budget["remaining_usd"] == 0


def test_a_stream_counts_once(alice: User, admin: User, stream_base: str) -> None:
    set_limits(admin, alice, requests_per_minute=2, tokens_per_day=1000)
    cid = alice.client.post("/api/chat/conversations", json={}).json()["id"]
    body = {"content": "stream me", "model": "ollama/llama3.2"}
    ticket = alice.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body)
    assert ticket.status_code == 200, ticket.text
    url = ticket.json()["stream_url"]
    url = url if url.startswith("http") else stream_base + url
    with httpx.Client(timeout=30) as client, connect_sse(client, "GET", url) as source:
        events = [event.event for event in source.iter_sse()]
    assert events[-1] == "done"
    status = alice.client.get("/api/limits").json()
    assert status["requests_per_minute"]["remaining"] == 1  # phase 2 did not count
    assert status["tokens_per_day"]["remaining"] < 1000  # but its tokens did
    second = alice.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body)
    assert second.status_code == 200, second.text
    assert_error(
        alice.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json=body), 429, "rate_limit_exceeded"
    )
