"""Admission against DynamoDB Local, call by call: one conditional UpdateItem per check, a refusal included, and
the bucket read back from a failed condition rather than trusted from memory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from privategpt.limits import service
from privategpt.limits.bucket import BucketState
from privategpt.limits.errors import RateLimitExceeded
from privategpt.settings import Settings
from privategpt.storage import db
from privategpt.storage import limits as repository


@pytest.fixture
def calls() -> Iterator[list[str]]:
    seen: list[str] = []

    def hook(model: Any, **_: Any) -> None:
        seen.append(model.name)

    events = db.connection().client.meta.events
    events.register("before-call.dynamodb", hook)
    yield seen
    events.unregister("before-call.dynamodb", hook)


def limited(settings: Settings, **limits: Any) -> Settings:
    return settings.model_copy(update={f"limit_{name}": value for name, value in limits.items()})


def fresh_user() -> str:
    return f"adm-{uuid.uuid4().hex[:12]}"


def forget_process_memory(user_id: str) -> None:
    """As if the next request reached another Lambda instance."""
    service._seen.pop(user_id, None)


def test_each_check_is_one_write_and_a_refusal_too(settings: Settings, calls: list[str]) -> None:
    config = limited(settings, requests_per_minute=3, tokens_per_day=None)
    user = fresh_user()
    service.effective(user, config)  # the override (none) read and cached
    calls.clear()
    for _ in range(3):
        service.admit(user, config)
    assert calls == ["UpdateItem"] * 3
    calls.clear()
    with pytest.raises(RateLimitExceeded) as refused:
        service.admit(user, config)
    assert calls == ["UpdateItem"]  # the failed condition returned the bucket: no read
    assert refused.value.limit == "requests_per_minute" and 1 <= refused.value.retry_after_seconds <= 20


def test_another_instance_with_no_memory_decides_from_the_table(settings: Settings, calls: list[str]) -> None:
    config = limited(settings, requests_per_minute=2, tokens_per_day=None)
    user = fresh_user()
    service.admit(user, config)
    service.admit(user, config)
    forget_process_memory(user)
    calls.clear()
    with pytest.raises(RateLimitExceeded):
        service.admit(user, config)
    assert calls == ["UpdateItem"]  # written as if new, refused by the condition, told the bucket as it is
    assert BucketState.from_item(repository.read_bucket(user)).rpm_tat is not None


def test_tokens_counted_here_keep_the_next_check_at_one_write(settings: Settings, calls: list[str]) -> None:
    config = limited(settings, requests_per_minute=None, tokens_per_day=1000)
    user = fresh_user()
    service.admit(user, config)
    service.spend(user, 400, config)
    calls.clear()
    service.admit(user, config)
    assert calls == ["UpdateItem"]
    # this instance last saw the bucket idle, another has counted tokens since: the first guess is wrong, its
    # condition fails and returns the bucket, the second write is right
    repository.add_tokens(user, 500)
    service._seen[user] = (BucketState(tpd_tat=0, tpd_limit=1000), True)
    calls.clear()
    service.admit(user, config)
    assert calls == ["UpdateItem", "UpdateItem"]
    repository.add_tokens(user, 200)  # 1,100 of 1,000: in debt
    with pytest.raises(RateLimitExceeded) as refused:
        service.admit(user, config)
    assert refused.value.limit == "tokens_per_day"
    assert refused.value.retry_after_seconds == pytest.approx(101 * 86.4, abs=2)  # 100 of debt and one to use


def test_a_lowered_limit_keeps_the_tokens_used(settings: Settings) -> None:
    user = fresh_user()
    service.admit(user, limited(settings, requests_per_minute=None, tokens_per_day=1000))
    service.spend(user, 900)
    forget_process_memory(user)
    with pytest.raises(RateLimitExceeded):
        service.admit(user, limited(settings, requests_per_minute=None, tokens_per_day=500))
    service.admit(user, limited(settings, requests_per_minute=None, tokens_per_day=2000))
    state = BucketState.from_item(repository.read_bucket(user))
    assert state.tpd_limit == 2000
    status = service.status(user, limited(settings, requests_per_minute=None, tokens_per_day=2000))
    assert status.tokens_per_day.remaining in (1100, 1101)  # 900 used of 2,000 (and a token's rounding)


def test_no_limits_no_writes(settings: Settings, calls: list[str]) -> None:
    config = limited(settings, requests_per_minute=None, tokens_per_day=None)
    user = fresh_user()
    service.effective(user, config)
    calls.clear()
    service.admit(user, config)
    service.spend(user, 50, config)  # this process admitted it without a tokens limit: nothing to count
    assert calls == []
