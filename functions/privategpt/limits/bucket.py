"""The two rate buckets as GCRA (a token bucket kept as one "theoretical arrival time", TAT) on one DynamoDB item,
and the one conditional UpdateItem that admits a request.

Requests per minute (limit R): the TAT is epoch milliseconds; each request moves it on by I = 60,000 / R ms from
max(TAT, now). A request is admitted while TAT <= now + 60,000 - I, so at most R pass in any burst and then one
per I. Tokens per day (limit L): the TAT is counted in tokens, epoch ms x L / 86,400,000 (so a reply's tokens are
a plain ADD, ``storage.limits.add_tokens``); a request is admitted while the bucket is not in debt
(TAT < now + L, at least one token left), and the tokens it used are added after it.

DynamoDB cannot take a maximum, so each bucket has forms: *idle* (TAT <= now: set it to now + ...), *running*
(TAT > now: add to it), and *rescale* (the stored tokens bucket was counted under another limit). Which form
applies is guessed from the last state this process saw; the condition makes the guess safe, and a failed
condition returns the item as it is, from which the next attempt is planned exactly (``plan``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MINUTE_MS = 60_000
DAY_MS = 86_400_000
KIND = "limits_bucket"

_NAMES = {"#k": "kind", "#rt": "rpm_tat", "#tt": "tpd_tat", "#tl": "tpd_limit"}


@dataclass(frozen=True)
class BucketState:
    """The bucket item's numbers (None: not there)."""

    rpm_tat: int | None = None
    tpd_tat: int | None = None
    tpd_limit: int | None = None

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> BucketState:
        """From a low-level DynamoDB item (``{"rpm_tat": {"N": "..."}}``); None: no item."""

        def number(name: str) -> int | None:
            value = (item or {}).get(name)
            return math.ceil(float(value["N"])) if isinstance(value, Mapping) and "N" in value else None

        return cls(number("rpm_tat"), number("tpd_tat"), number("tpd_limit"))


@dataclass(frozen=True)
class Refusal:
    limit: str  # "requests_per_minute" | "tokens_per_day"
    retry_after_ms: int

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after_ms / 1000))


@dataclass
class Update:
    """One UpdateItem: its condition, its update expression and the values both use."""

    conditions: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=lambda: ["#k = :kind"])
    values: dict[str, Any] = field(default_factory=lambda: {":kind": {"S": KIND}})

    def value(self, name: str, number: int) -> None:
        self.values[name] = {"N": str(number)}

    def request(self) -> dict[str, Any]:
        """The UpdateItem arguments (without table and key)."""
        used = " ".join([*self.conditions, *self.sets])
        names = {alias: name for alias, name in _NAMES.items() if alias in used}
        request: dict[str, Any] = {
            "UpdateExpression": "SET " + ", ".join(self.sets),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": self.values,
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if self.conditions:
            request["ConditionExpression"] = " AND ".join(self.conditions)
        return request


def rpm_interval_ms(limit: int) -> int:
    return max(1, math.ceil(MINUTE_MS / limit))


def tokens_at(now_ms: int, limit: int) -> int:
    """Now on the tokens bucket's scale."""
    return now_ms * limit // DAY_MS


def tokens_ms(tokens: int, limit: int) -> int:
    """How long ``tokens`` take to refill at ``limit`` per day."""
    return math.ceil(tokens * DAY_MS / limit)


def tokens_tat(state: BucketState, now_ms: int, limit: int) -> int | None:
    """The tokens TAT on the scale of ``limit``. Counted under another limit (an admin changed it), the tokens
    still owed stay owed: 900 used of 1,000 a day is 900 used of a new 500 (in debt). Tokens counted while there
    was no limit do not count."""
    if state.tpd_tat is None or state.tpd_limit is None:
        return None
    if state.tpd_limit == limit:
        return state.tpd_tat
    owed = max(0, state.tpd_tat - tokens_at(now_ms, state.tpd_limit))
    return tokens_at(now_ms, limit) + owed


def plan(state: BucketState, now_ms: int, rpm: int | None, tpd: int | None) -> Update | Refusal:
    """The UpdateItem that admits one request if the item is in ``state``, or why it must be refused."""
    update = Update()
    refusals: list[Refusal] = []
    if rpm is not None:
        _plan_requests(update, refusals, state, now_ms, rpm)
    if tpd is not None:
        _plan_tokens(update, refusals, state, now_ms, tpd)
    if refusals:
        return max(refusals, key=lambda refusal: refusal.retry_after_ms)  # both must have room again
    return update


def _plan_requests(update: Update, refusals: list[Refusal], state: BucketState, now: int, limit: int) -> None:
    interval = rpm_interval_ms(limit)
    latest = now + MINUTE_MS - interval  # the latest TAT that still admits one more
    tat = state.rpm_tat
    update.value(":now", now)
    if tat is None or tat <= now:  # idle: full bucket
        update.conditions.append("(attribute_not_exists(#rt) OR #rt <= :now)")
        update.sets.append("#rt = :rnew")
        update.value(":rnew", now + interval)
    elif tat <= latest:  # running
        update.conditions.append("(#rt > :now AND #rt <= :rmax)")
        update.sets.append("#rt = #rt + :ri")
        update.value(":rmax", latest)
        update.value(":ri", interval)
    else:
        refusals.append(Refusal("requests_per_minute", tat - latest))


def _plan_tokens(update: Update, refusals: list[Refusal], state: BucketState, now: int, limit: int) -> None:
    scaled_now = tokens_at(now, limit)
    update.value(":tl", limit)
    if state.tpd_tat is None:  # never counted
        update.value(":tnow", scaled_now)
        update.conditions.append("attribute_not_exists(#tt)")
        update.sets.extend(["#tt = :tnow", "#tl = :tl"])
        return
    if state.tpd_limit == limit:
        tat = state.tpd_tat
        update.value(":tnow", scaled_now)
        if tat <= scaled_now:  # idle: catch the TAT up with now, so the replies' ADDs count from now
            update.conditions.append("(#tl = :tl AND #tt <= :tnow)")
            update.sets.append("#tt = :tnow")
        elif tat < scaled_now + limit:  # running: not in debt; nothing to change
            update.conditions.append("(#tl = :tl AND #tt > :tnow AND #tt < :tmax)")
            update.value(":tmax", scaled_now + limit)
        else:
            refusals.append(Refusal("tokens_per_day", tokens_ms(tat - limit - scaled_now + 1, limit)))
        return
    # counted under another limit (an admin changed it), or while there was none: convert, exactly as stored
    rescaled = tokens_tat(state, now, limit)
    tat = max(rescaled if rescaled is not None else scaled_now, scaled_now)
    if tat >= scaled_now + limit:
        refusals.append(Refusal("tokens_per_day", tokens_ms(tat - limit - scaled_now + 1, limit)))
        return
    update.value(":told", state.tpd_tat)
    if state.tpd_limit is None:
        update.conditions.append("(#tt = :told AND attribute_not_exists(#tl))")
    else:
        update.conditions.append("(#tt = :told AND #tl = :tlold)")
        update.value(":tlold", state.tpd_limit)
    update.sets.extend(["#tt = :tnew", "#tl = :tl"])
    update.value(":tnew", tat)


@dataclass(frozen=True)
class Remaining:
    remaining: int
    full_in_ms: int


def requests_remaining(state: BucketState, now_ms: int, limit: int) -> Remaining:
    interval = rpm_interval_ms(limit)
    tat = max(state.rpm_tat or now_ms, now_ms)
    remaining = (now_ms + MINUTE_MS - tat) // interval
    return Remaining(min(limit, max(0, remaining)), tat - now_ms)


def tokens_remaining(state: BucketState, now_ms: int, limit: int) -> Remaining:
    scaled_now = tokens_at(now_ms, limit)
    tat = max(tokens_tat(state, now_ms, limit) or scaled_now, scaled_now)
    return Remaining(min(limit, max(0, scaled_now + limit - tat)), tokens_ms(tat - scaled_now, limit))
