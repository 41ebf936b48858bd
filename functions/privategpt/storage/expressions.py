"""Update-expression helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.update import Action
from pynamodb.models import Model


def assignments(model: type[Model], changes: Mapping[str, Any]) -> list[Action]:
    """SET each changed attribute, or REMOVE it when the new value is None."""
    actions: list[Action] = []
    for name, value in changes.items():
        attribute = getattr(model, name)
        actions.append(attribute.set(value) if value is not None else attribute.remove())
    return actions


def condition_failed(exc: PynamoDBException) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"
