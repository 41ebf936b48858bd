"""Update-expression helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.models import Model


def assignments(model: type[Model], changes: Mapping[str, Any]) -> list[Action]:
    """SET each changed attribute, or REMOVE it when the new value is None."""
    actions: list[Action] = []
    for name, value in changes.items():
        attribute = getattr(model, name)
        actions.append(attribute.set(value) if value is not None else attribute.remove())
    return actions


def condition_failed(exc: BaseException) -> bool:
    """Whether DynamoDB refused a write because its condition did not hold (for a transaction: because one
    of its items' conditions did not). Never raises, whatever ``exc`` carries: a timeout's cause has
    ``response=None``, an outage none at all, and pynamodb's own ``cause_response_code`` trips on the first."""
    try:
        response = getattr(getattr(exc, "cause", None), "response", None)
        error = response.get("Error") if isinstance(response, Mapping) else None
        if isinstance(error, Mapping) and error.get("Code") == "ConditionalCheckFailedException":
            return True
    except Exception:  # a property that raises, a mapping that lies: not a condition failure
        return False
    return "ConditionalCheckFailed" in _cancellation_codes(exc)


def transaction_conflict(exc: BaseException) -> bool:
    """Whether a transaction was cancelled because another write to one of its items was in flight (it
    changed nothing and may simply be tried again). Never raises."""
    return "TransactionConflict" in _cancellation_codes(exc)


def _cancellation_codes(exc: BaseException) -> set[str]:
    """Why a transaction was cancelled, one code per refusing item: from pynamodb's verbose error (which
    keeps them apart from the response it rebuilds) or from botocore's response."""
    try:
        cause = getattr(exc, "cause", None)
        reasons = getattr(cause, "cancellation_reasons", None) or []
        codes = {getattr(reason, "code", None) for reason in reasons}
        response = getattr(cause, "response", None)
        raw = response.get("CancellationReasons") if isinstance(response, Mapping) else None
        if isinstance(raw, list):
            codes |= {reason.get("Code") for reason in raw if isinstance(reason, Mapping)}
        return {code for code in codes if isinstance(code, str)}
    except Exception:
        return set()
