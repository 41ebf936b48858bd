"""Per-user limits: the rate buckets item (one conditional UpdateItem per admitted request, one ADD per reply),
an admin's override, and this month's cost from the usage counters.

Keys: PK ``USER#<u>``, SK ``LIMITS#BUCKET`` and ``LIMITS#OVERRIDE``. The bucket is written with low-level
UpdateItem calls through the process's one connection: pynamodb's ``update`` cannot ask for the item as it was
when a condition fails (``ReturnValuesOnConditionCheckFailure``), and that is what makes a refusal or a retry
cost no extra read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.expressions.update import Action

from privategpt.clock import utcnow
from privategpt.storage import db, table
from privategpt.storage.models import LimitsBucketItem, LimitsOverrideItem
from privategpt.storage.transactions import Write
from privategpt.storage.usage import between

_KIND_NAMES = {"#k": "kind", "#tt": "tpd_tat"}
_CONFLICT = "TransactionConflictException"


class BucketBusy(Exception):
    """The bucket is in a reply's transaction that has not finished (DynamoDB refuses other writes to it
    meanwhile): nothing was changed, and the write may simply be tried again."""


def _code(exc: ClientError) -> str | None:
    code = exc.response.get("Error", {}).get("Code")
    return code if isinstance(code, str) else None


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {table.PK: {"S": table.user_pk(user_id)}, table.SK: {"S": sk}}


def update_bucket(user_id: str, request: Mapping[str, Any]) -> tuple[bool, Mapping[str, Any] | None]:
    """Run one conditional UpdateItem on the user's bucket: (True, the item after) or (False, the item as it
    was when the condition failed; None when there is none)."""
    connection = db.connection()
    arguments = {
        "TableName": LimitsBucketItem.Meta.table_name,
        "Key": _key(user_id, table.LIMITS_BUCKET_SK),
        **request,
    }
    try:
        response = connection.dispatch("UpdateItem", arguments)
    except ClientError as exc:
        if _code(exc) == _CONFLICT:
            raise BucketBusy from exc
        if _code(exc) != "ConditionalCheckFailedException":
            raise
        # pynamodb re-raises botocore's error without the item; the original (its cause) has it
        original = exc.__cause__ if isinstance(exc.__cause__, ClientError) else exc
        item = original.response.get("Item")
        return False, item if isinstance(item, Mapping) else None
    attributes = response.get("Attributes")
    return True, attributes if isinstance(attributes, Mapping) else None


def add_tokens(user_id: str, tokens: int) -> None:
    """Add a call's tokens to the tokens bucket: one unconditional ADD (the admission already caught the
    bucket up with its time, see ``limits.bucket``)."""
    try:
        db.connection().dispatch(
            "UpdateItem",
            {
                "TableName": LimitsBucketItem.Meta.table_name,
                "Key": _key(user_id, table.LIMITS_BUCKET_SK),
                "UpdateExpression": "SET #k = :kind ADD #tt :tokens",
                "ExpressionAttributeNames": _KIND_NAMES,
                "ExpressionAttributeValues": {":kind": {"S": "limits_bucket"}, ":tokens": {"N": str(tokens)}},
            },
        )
    except ClientError as exc:
        if _code(exc) == _CONFLICT:
            raise BucketBusy from exc
        raise


def add_tokens_in(user_id: str, tokens: int) -> Write:
    """The same ADD, as one write of the transaction that saves the reply that used the tokens."""
    item = LimitsBucketItem(table.user_pk(user_id), table.LIMITS_BUCKET_SK)
    actions: list[Action] = [LimitsBucketItem.kind.set(LimitsBucketItem), LimitsBucketItem.tpd_tat.add(tokens)]
    return lambda transaction: transaction.update(item, actions=actions)


def read_bucket(user_id: str) -> Mapping[str, Any] | None:
    response = db.connection().dispatch(
        "GetItem",
        {
            "TableName": LimitsBucketItem.Meta.table_name,
            "Key": _key(user_id, table.LIMITS_BUCKET_SK),
            "ConsistentRead": True,
        },
    )
    item = response.get("Item")
    return item if isinstance(item, Mapping) else None


@dataclass(frozen=True)
class Override:
    limits: dict[str, int | float | None]  # only the fields the admin set
    updated_at: datetime
    updated_by: str


def get_override(user_id: str) -> Override | None:
    try:
        item = LimitsOverrideItem.get(table.user_pk(user_id), table.LIMITS_OVERRIDE_SK, consistent_read=True)
    except LimitsOverrideItem.DoesNotExist:
        return None
    return Override(json.loads(item.limits), item.updated_at, item.updated_by)


def put_override(user_id: str, limits: Mapping[str, int | float | None], admin_id: str) -> Override:
    override = Override(dict(limits), utcnow(), admin_id)
    LimitsOverrideItem(
        table.user_pk(user_id),
        table.LIMITS_OVERRIDE_SK,
        limits=json.dumps(override.limits, sort_keys=True),
        updated_at=override.updated_at,
        updated_by=admin_id,
    ).save()
    return override


def delete_override(user_id: str) -> None:
    LimitsOverrideItem(table.user_pk(user_id), table.LIMITS_OVERRIDE_SK).delete()


def month_cost_nano_usd(user_id: str, month: str) -> int:
    """What the user spent in ``month`` (``YYYY-MM``), in nano-dollars: one Query over its usage counters."""
    return sum(int(item.cost_nano_usd) for item in between(user_id, f"{month}-01", f"{month}-31"))
