"""The GCRA arithmetic of ``limits.bucket``: which write admits a request in which state, and when a refusal
ends. The writes themselves are tested against DynamoDB Local in test_admission.py."""

from __future__ import annotations

from privategpt.limits.bucket import (
    DAY_MS,
    MINUTE_MS,
    BucketState,
    Refusal,
    Update,
    plan,
    requests_remaining,
    tokens_at,
    tokens_remaining,
)

NOW = 1_800_000_000_000


def test_a_new_bucket_is_full_and_starts_both_clocks() -> None:
    update = plan(BucketState(), NOW, 60, 1000)
    assert isinstance(update, Update)
    request = update.request()
    assert "attribute_not_exists(#rt)" in request["ConditionExpression"]
    assert "attribute_not_exists(#tt)" in request["ConditionExpression"]
    assert request["ExpressionAttributeValues"][":rnew"] == {"N": str(NOW + 1000)}
    assert request["ExpressionAttributeValues"][":tnow"] == {"N": str(tokens_at(NOW, 1000))}
    assert request["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_requests_run_until_a_minute_is_used_then_refuse_until_one_drips_back() -> None:
    state = BucketState(rpm_tat=NOW + 59_000)  # 59 of 60 used
    update = plan(state, NOW, 60, None)
    assert isinstance(update, Update)
    assert update.request()["UpdateExpression"] == "SET #k = :kind, #rt = #rt + :ri"
    refusal = plan(BucketState(rpm_tat=NOW + 60_000), NOW, 60, None)
    assert refusal == Refusal("requests_per_minute", 1000)
    assert refusal.retry_after_seconds == 1
    assert requests_remaining(BucketState(rpm_tat=NOW + 59_000), NOW, 60).remaining == 1
    assert requests_remaining(BucketState(rpm_tat=NOW - 5), NOW, 60).remaining == 60


def test_tokens_are_refused_only_in_debt_and_wait_for_one_token() -> None:
    limit = 1000
    now_tokens = tokens_at(NOW, limit)
    assert isinstance(plan(BucketState(tpd_tat=now_tokens + 999, tpd_limit=limit), NOW, None, limit), Update)
    refusal = plan(BucketState(tpd_tat=now_tokens + 1000 + 49, tpd_limit=limit), NOW, None, limit)
    assert isinstance(refusal, Refusal) and refusal.limit == "tokens_per_day"
    assert refusal.retry_after_ms == 50 * DAY_MS // limit  # 50 tokens to refill (49 of debt and one to use)
    assert tokens_remaining(BucketState(tpd_tat=now_tokens + 400, tpd_limit=limit), NOW, limit).remaining == 600


def test_an_idle_tokens_bucket_is_caught_up_with_now() -> None:
    update = plan(BucketState(tpd_tat=5, tpd_limit=1000), NOW, None, 1000)
    assert isinstance(update, Update)
    assert "#tt = :tnow" in update.request()["UpdateExpression"]
    assert "#tt <= :tnow" in update.request()["ConditionExpression"]


def test_a_changed_limit_keeps_the_tokens_owed() -> None:
    old = 1000
    stored = tokens_at(NOW, old) + 500  # 500 used under 1000/day
    update = plan(BucketState(tpd_tat=stored, tpd_limit=old), NOW, None, 2000)
    assert isinstance(update, Update)
    request = update.request()
    assert request["ConditionExpression"] == "(#tt = :told AND #tl = :tlold)"
    new = int(request["ExpressionAttributeValues"][":tnew"]["N"])
    assert new - tokens_at(NOW, 2000) == 500  # still 500 used, now of 2000
    # 900 used of 1000 is in debt under 500
    assert isinstance(plan(BucketState(tpd_tat=tokens_at(NOW, old) + 900, tpd_limit=old), NOW, None, 500), Refusal)


def test_both_limits_refused_waits_for_the_later_one() -> None:
    limit = 1000
    state = BucketState(rpm_tat=NOW + MINUTE_MS + 3000, tpd_tat=tokens_at(NOW, limit) + limit + 10, tpd_limit=limit)
    refusal = plan(state, NOW, 60, limit)
    assert isinstance(refusal, Refusal) and refusal.limit == "tokens_per_day"
