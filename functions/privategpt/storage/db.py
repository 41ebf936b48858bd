"""Binding the models to a table and an endpoint from settings, and making the table where we own it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.connection import Connection

from privategpt.storage.models import ALL_MODELS, TableItem
from privategpt.storage.table import TABLE_SPEC, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from privategpt.settings import Settings

#: DynamoDB Local accepts any credentials but needs a signed request; these name no real account.
_LOCAL_ENDPOINT_CREDENTIALS = ("local", "local")


def bind(settings: Settings) -> None:
    """Point every model at the configured table (and endpoint, for DynamoDB Local)."""
    meta: Any = TableItem.Meta  # pynamodb fills in connection options it does not declare
    meta.table_name = settings.table_name
    meta.region = settings.aws_region
    meta.host = settings.dynamodb_endpoint
    meta.connect_timeout_seconds = settings.dynamodb_connect_timeout_seconds
    meta.read_timeout_seconds = settings.dynamodb_read_timeout_seconds
    meta.max_retry_attempts = settings.dynamodb_max_retries
    if settings.dynamodb_endpoint:
        meta.aws_access_key_id, meta.aws_secret_access_key = _LOCAL_ENDPOINT_CREDENTIALS
    else:
        meta.aws_access_key_id = meta.aws_secret_access_key = None
    for model in ALL_MODELS:
        model._connection = None


def connection() -> Connection:
    """A low-level connection with the models' settings, for transactions."""
    meta: Any = TableItem.Meta
    return Connection(
        region=meta.region,
        host=meta.host,
        connect_timeout_seconds=meta.connect_timeout_seconds,
        read_timeout_seconds=meta.read_timeout_seconds,
        max_retry_attempts=meta.max_retry_attempts,
        aws_access_key_id=meta.aws_access_key_id,
        aws_secret_access_key=meta.aws_secret_access_key,
    )


def create_table(settings: Settings) -> bool:
    """Create the table from ``TABLE_SPEC`` unless it exists; True when it was created."""
    client: Any = connection().client
    try:
        client.describe_table(TableName=settings.table_name)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_table(TableName=settings.table_name, **TABLE_SPEC)
    client.get_waiter("table_exists").wait(TableName=settings.table_name)
    client.update_time_to_live(
        TableName=settings.table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    return True


def ping() -> None:
    """Cheap round trip to the table, for readiness checks."""
    TableItem.describe_table()
