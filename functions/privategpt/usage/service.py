"""Recording what each call cost, and reporting it per model and day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from privategpt.auth.principal import Principal
from privategpt.clock import utcnow
from privategpt.errors import Forbidden, ValidationFailed
from privategpt.limits import service as limits
from privategpt.llm.types import ModelInfo, Usage
from privategpt.llm.usage import cost_nano_usd
from privategpt.settings import Settings
from privategpt.storage import usage as repository
from privategpt.storage.transactions import Write
from privategpt.usage.schemas import UsageLine, UsageReport, UsageTotals


def record(user_id: str, model: ModelInfo, usage: Usage) -> None:
    """Add one call's usage to the user's counters for today and this model (atomic ADDs)."""
    repository.add(user_id, utcnow().date().isoformat(), model.id, **_amounts(model, usage))


def record_in(user_id: str, model: ModelInfo, usage: Usage) -> Write:
    """The same, as one write of the transaction that saves the reply it paid for."""
    return repository.add_in(user_id, utcnow().date().isoformat(), model.id, **_amounts(model, usage))


def _amounts(model: ModelInfo, usage: Usage) -> dict[str, Any]:
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cost_nano_usd": cost_nano_usd(model, usage),
    }


def _totals(lines: list[UsageLine]) -> UsageTotals:
    return UsageTotals(
        requests=sum(line.requests for line in lines),
        input_tokens=sum(line.input_tokens for line in lines),
        output_tokens=sum(line.output_tokens for line in lines),
        total_tokens=sum(line.total_tokens for line in lines),
        cost_usd=sum(line.cost_usd for line in lines),
        unpriced_requests=sum(line.unpriced_requests for line in lines),
    )


def report(
    principal: Principal, first: date | None, last: date | None, user_id: str | None, settings: Settings
) -> UsageReport:
    if user_id is not None and user_id != principal.user_id and not principal.has_role(settings.auth_admin_role):
        raise Forbidden("only admins read another user's usage")
    last = last or utcnow().date()
    first = first or last - timedelta(days=settings.usage_default_days - 1)
    if first > last:
        raise ValidationFailed("from is after to", details={"from": first.isoformat(), "to": last.isoformat()})
    if (last - first).days + 1 > settings.usage_max_days:
        raise ValidationFailed(
            f"the range may span at most {settings.usage_max_days} days", details={"limit": settings.usage_max_days}
        )
    target = user_id or principal.user_id
    lines = [
        UsageLine(
            day=item.day,
            model=item.model,
            requests=int(item.requests),
            input_tokens=int(item.input_tokens),
            output_tokens=int(item.output_tokens),
            total_tokens=int(item.total_tokens),
            cost_usd=int(item.cost_nano_usd) / 1e9,
            unpriced_requests=int(item.unpriced_requests),
        )
        for item in repository.between(target, first.isoformat(), last.isoformat())
    ]
    by_model: dict[str, list[UsageLine]] = defaultdict(list)
    for line in lines:
        by_model[line.model].append(line)
    return UsageReport(
        user_id=target,
        **{"from": first, "to": last},
        days=lines,
        models={model: _totals(group) for model, group in sorted(by_model.items())},
        totals=_totals(lines),
        limits=limits.status(target, settings),
    )
