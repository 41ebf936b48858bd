"""Usage counters: one item per user, day and model, changed only by atomic ADD.

Key: PK ``USER#<u>``, SK ``USAGE#<yyyy-mm-dd>#<provider/model>``; a date range is one query
(SK between ``USAGE#<from>`` and ``USAGE#<to>#~``). Cost is kept in integer nano-dollars so sums are exact.
"""

from __future__ import annotations

from pynamodb.expressions.update import Action

from privategpt.storage import table
from privategpt.storage.models import UsageItem
from privategpt.storage.transactions import Write


def add(
    user_id: str,
    day: str,
    model_id: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cost_nano_usd: int | None,
) -> None:
    item, actions = _addition(user_id, day, model_id, input_tokens, output_tokens, cost_nano_usd)
    item.update(actions=actions)


def add_in(
    user_id: str,
    day: str,
    model_id: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cost_nano_usd: int | None,
) -> Write:
    """The same addition as ``add``, as one write of a transaction (saved with the message it paid for)."""
    item, actions = _addition(user_id, day, model_id, input_tokens, output_tokens, cost_nano_usd)
    return lambda transaction: transaction.update(item, actions=actions)


def _addition(
    user_id: str, day: str, model_id: str, input_tokens: int, output_tokens: int, cost_nano_usd: int | None
) -> tuple[UsageItem, list[Action]]:
    item = UsageItem(table.user_pk(user_id), table.usage_sk(day, model_id))
    actions: list[Action] = [
        UsageItem.kind.set(UsageItem),
        UsageItem.day.set(day),
        UsageItem.model.set(model_id),
        UsageItem.requests.add(1),
        UsageItem.input_tokens.add(input_tokens),
        UsageItem.output_tokens.add(output_tokens),
        UsageItem.total_tokens.add(input_tokens + output_tokens),
    ]
    if cost_nano_usd is not None:
        actions.append(UsageItem.cost_nano_usd.add(cost_nano_usd))
    else:
        actions.append(UsageItem.unpriced_requests.add(1))
    return item, actions


def between(user_id: str, first_day: str, last_day: str) -> list[UsageItem]:
    condition = UsageItem.sk.between(table.usage_sk(first_day, ""), table.usage_sk(last_day, "~"))
    return list(UsageItem.query(table.user_pk(user_id), condition))
