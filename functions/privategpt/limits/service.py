"""Per-user limits: requests per minute and tokens per day as token buckets in DynamoDB, and a monthly budget
from the usage counters.

Admission (``admit``) is one conditional UpdateItem on the user's bucket item (``limits.bucket``), plus one Query
of this month's usage when the user has a budget. Nothing held in a process decides it: what a process remembers
of a user's bucket only chooses the first form of the write, and DynamoDB's condition decides. After a call, the
tokens it used are added to the bucket: in the transaction that saves the reply (``spend_in``), or with one ADD
(``spend``). Overrides are read through a per-process cache of ``PGPT_LIMIT_OVERRIDE_CACHE_SECONDS`` (the bound on
how late an admin's change takes effect in another process).

Overshoot: requests per minute, none (every admission is one atomic conditional write). Tokens per day: a request
is admitted while the bucket is not in debt, and its tokens are known only when it ends, so the requests in
flight when the bucket runs out still finish: the bound is what those requests use, plus the refill during each
call (its tokens count from its admission: limit x call seconds / 86,400). The monthly budget is the same (the
cost of the requests in flight when it was reached).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from privategpt.clock import utcnow
from privategpt.errors import NotFound, ValidationFailed
from privategpt.limits import bucket
from privategpt.limits.bucket import BucketState, Refusal
from privategpt.limits.errors import QuotaExceeded, RateLimitExceeded
from privategpt.limits.schemas import (
    LIMIT_NAMES,
    BudgetAllowance,
    LimitName,
    LimitsOverrideIn,
    LimitsStatus,
    RateAllowance,
    UserLimits,
)
from privategpt.observability import logger
from privategpt.storage import limits as repository
from privategpt.storage import users as user_repository
from privategpt.storage.limits import BucketBusy, Override
from privategpt.storage.transactions import Write

if TYPE_CHECKING:
    from privategpt.settings import Settings

_NANO = 1_000_000_000
# what ``spend`` uses when called without settings (the Settings defaults)
_DEFAULT_MAX_ENTRIES = 10_000
_DEFAULT_ATTEMPTS = 4
_DEFAULT_BACKOFF_SECONDS = 0.02

# user id -> (override or None, monotonic time it is trusted until)
_overrides: dict[str, tuple[Override | None, float]] = {}
# user id -> (the bucket as this process last saw it, whether its tokens are counted): a guess, never a decision
_seen: dict[str, tuple[BucketState, bool]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Limits:
    requests_per_minute: int | None
    tokens_per_day: int | None
    monthly_budget_usd: float | None
    overridden: tuple[LimitName, ...] = ()
    updated_at: datetime | None = None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _override(user_id: str, settings: Settings) -> Override | None:
    now = time.monotonic()
    with _lock:
        cached = _overrides.get(user_id)
    if cached is not None and cached[1] > now:
        return cached[0]
    override = repository.get_override(user_id)
    with _lock:
        if len(_overrides) >= settings.user_cache_max_entries:
            _overrides.clear()
        _overrides[user_id] = (override, now + settings.limit_override_cache_seconds)
    return override


def _forget(user_id: str) -> None:
    with _lock:
        _overrides.pop(user_id, None)


def effective(user_id: str, settings: Settings) -> Limits:
    """The defaults from settings, with what an admin set for this user in their place."""
    override = _override(user_id, settings)
    values = override.limits if override is not None else {}
    rpm = values.get("requests_per_minute", settings.limit_requests_per_minute)
    tpd = values.get("tokens_per_day", settings.limit_tokens_per_day)
    budget = values.get("monthly_budget_usd", settings.limit_monthly_budget_usd)
    return Limits(
        requests_per_minute=int(rpm) if rpm is not None else None,
        tokens_per_day=int(tpd) if tpd is not None else None,
        monthly_budget_usd=float(budget) if budget is not None else None,
        overridden=tuple(name for name in LIMIT_NAMES if name in values),
        updated_at=override.updated_at if override is not None else None,
    )


# --- admission and spending -------------------------------------------------------------------------------


def _next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def _check_budget(user_id: str, budget_usd: float) -> None:
    now = utcnow()
    spent = repository.month_cost_nano_usd(user_id, now.strftime("%Y-%m"))
    if spent >= round(budget_usd * _NANO):
        raise QuotaExceeded(
            f"this month's budget of ${budget_usd:g} is spent",
            limit="monthly_budget_usd",
            retry_after_seconds=math.ceil((_next_month(now) - now).total_seconds()),
        )


def _refused(refusal: Refusal) -> RateLimitExceeded:
    what = "requests per minute" if refusal.limit == "requests_per_minute" else "tokens per day"
    return RateLimitExceeded(
        f"too many {what}: try again in {refusal.retry_after_seconds} s",
        limit=refusal.limit,
        retry_after_seconds=refusal.retry_after_seconds,
    )


def _remember(user_id: str, state: BucketState, counts_tokens: bool, settings: Settings | None) -> None:
    max_entries = settings.user_cache_max_entries if settings is not None else _DEFAULT_MAX_ENTRIES
    with _lock:
        if len(_seen) >= max_entries:
            _seen.clear()
        _seen[user_id] = (state, counts_tokens)


def admit(user_id: str, settings: Settings) -> None:
    """Let one model call through, or raise ``RateLimitExceeded`` / ``QuotaExceeded`` (429)."""
    limits = effective(user_id, settings)
    if limits.monthly_budget_usd is not None:
        _check_budget(user_id, limits.monthly_budget_usd)
    rpm, tpd = limits.requests_per_minute, limits.tokens_per_day
    if rpm is None and tpd is None:
        _remember(user_id, BucketState(), False, settings)
        return
    with _lock:
        seen = _seen.get(user_id)
    state, observed = (seen[0] if seen is not None else BucketState()), False
    for _ in range(settings.limit_update_max_attempts):
        planned = bucket.plan(state, _now_ms(), rpm, tpd)
        if isinstance(planned, Refusal):
            if observed:
                _remember(user_id, state, tpd is not None, settings)
                raise _refused(planned)
            # what this process remembers is no ground for a refusal: write as if the bucket were new, and
            # DynamoDB answers with the bucket as it is when that is wrong
            planned = bucket.plan(BucketState(), _now_ms(), rpm, tpd)
            assert not isinstance(planned, Refusal)
        try:
            admitted, item = repository.update_bucket(user_id, planned.request())
        except BucketBusy:
            _pause(settings.limit_conflict_backoff_seconds)
            continue
        state, observed = BucketState.from_item(item), True
        if admitted:
            _remember(user_id, state, tpd is not None, settings)
            return
    # every attempt met another write of the same user's: refuse rather than guess (no overshoot)
    raise RateLimitExceeded(
        "too many concurrent requests: try again in a second", limit="requests_per_minute", retry_after_seconds=1
    )


def _pause(longest: float) -> None:
    time.sleep(random.uniform(0, longest))  # noqa: S311 - jitter


def _counts_tokens(user_id: str, tokens: int) -> bool:
    """Whether a call's tokens need counting: not when this process admitted the user's last request with no
    tokens limit (another process, not knowing, counts them: harmless)."""
    if tokens <= 0:
        return False
    with _lock:
        seen = _seen.get(user_id)
        if seen is not None and seen[1] and seen[0].tpd_tat is not None:
            # so this process's next admission of the user guesses the bucket's form right (one write)
            _seen[user_id] = (replace(seen[0], tpd_tat=seen[0].tpd_tat + tokens), True)
    return seen is None or seen[1]


def spend(user_id: str, tokens: int, settings: Settings | None = None) -> None:
    """Count a finished call's tokens against the user's tokens per day (one ADD). Best-effort: it logs and
    never raises."""
    if not _counts_tokens(user_id, tokens):
        return
    attempts = settings.limit_update_max_attempts if settings is not None else _DEFAULT_ATTEMPTS
    backoff = settings.limit_conflict_backoff_seconds if settings is not None else _DEFAULT_BACKOFF_SECONDS
    for attempt in range(attempts):
        try:
            repository.add_tokens(user_id, tokens)
            return
        except BucketBusy:
            if attempt + 1 < attempts:
                _pause(backoff)
        except Exception as exc:
            logger.warning("tokens not counted", extra={"user_id": user_id, "tokens": tokens, "error": repr(exc)})
            return
    logger.warning("tokens not counted: the bucket stayed busy", extra={"user_id": user_id, "tokens": tokens})


def spend_in(user_id: str, tokens: int) -> Write | None:
    """``spend`` as one write of the transaction that saves the reply (no round trip of its own); None when
    there is nothing to count."""
    return repository.add_tokens_in(user_id, tokens) if _counts_tokens(user_id, tokens) else None


# --- what remains -----------------------------------------------------------------------------------------


def status(user_id: str, settings: Settings) -> LimitsStatus:
    """The user's limits and what remains of each: one GetItem (the buckets) and one Query (this month)."""
    limits = effective(user_id, settings)
    now_ms, now = _now_ms(), utcnow()
    state = BucketState()
    if limits.requests_per_minute is not None or limits.tokens_per_day is not None:
        state = BucketState.from_item(repository.read_bucket(user_id))
    spent = repository.month_cost_nano_usd(user_id, now.strftime("%Y-%m")) / _NANO
    budget = limits.monthly_budget_usd
    return LimitsStatus(
        requests_per_minute=_allowance(
            limits.requests_per_minute, lambda limit: bucket.requests_remaining(state, now_ms, limit)
        ),
        tokens_per_day=_allowance(limits.tokens_per_day, lambda limit: bucket.tokens_remaining(state, now_ms, limit)),
        monthly_budget=BudgetAllowance(
            limit_usd=budget,
            spent_usd=spent,
            remaining_usd=max(0.0, budget - spent) if budget is not None else None,
            resets_at=_next_month(now),
        ),
        overridden=list(limits.overridden),
    )


def _allowance(limit: int | None, remaining: Callable[[int], bucket.Remaining]) -> RateAllowance:
    if limit is None:
        return RateAllowance(limit=None, remaining=None, full_in_seconds=0)
    left = remaining(limit)
    return RateAllowance(limit=limit, remaining=left.remaining, full_in_seconds=math.ceil(left.full_in_ms / 1000))


# --- admins' overrides -------------------------------------------------------------------------------------


def _user_limits(user_id: str, limits: Limits) -> UserLimits:
    return UserLimits(
        user_id=user_id,
        requests_per_minute=limits.requests_per_minute,
        tokens_per_day=limits.tokens_per_day,
        monthly_budget_usd=limits.monthly_budget_usd,
        overridden=list(limits.overridden),
        updated_at=limits.updated_at,
    )


def _known(user_id: str) -> None:
    if user_repository.get(user_id) is None:
        raise NotFound("user not found")


def get_user_limits(user_id: str, settings: Settings) -> UserLimits:
    """The override an admin set for the user, with the effective limits; 404 when there is none (the
    defaults apply: ``GET /api/usage?user_id=`` shows what remains of them)."""
    _known(user_id)
    _forget(user_id)
    limits = effective(user_id, settings)
    if limits.updated_at is None:
        raise NotFound("no limits are set for this user: the defaults apply")
    return _user_limits(user_id, limits)


def set_user_limits(user_id: str, body: LimitsOverrideIn, admin_id: str, settings: Settings) -> UserLimits:
    """Replace the user's override with the fields of ``body`` (the rest default); this process applies it at
    once, others within ``PGPT_LIMIT_OVERRIDE_CACHE_SECONDS``."""
    values: dict[str, int | float | None] = {
        name: getattr(body, name) for name in LIMIT_NAMES if name in body.model_fields_set
    }
    for name, value in values.items():
        if value is not None and value > settings.limit_max_value:
            raise ValidationFailed(
                f"{name} is more than {settings.limit_max_value}",
                details={"field": name, "limit": settings.limit_max_value},
            )
    _known(user_id)
    repository.put_override(user_id, values, admin_id)
    _forget(user_id)
    return _user_limits(user_id, effective(user_id, settings))


def clear_user_limits(user_id: str) -> None:
    _known(user_id)
    repository.delete_override(user_id)
    _forget(user_id)
