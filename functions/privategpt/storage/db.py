"""Binding the models to a table and an endpoint from settings, one DynamoDB client per process, and
making the table where we own it.

Building a botocore client costs 45 ms or more of CPU (most of it parsing the service model), so the process has
exactly one: ``bind`` describes it, the first call that needs it builds it (under a lock: the repositories
run in the event loop's worker threads), and every model class and every transaction (``connection()``)
shares it. pynamodb would otherwise give each model class its own connection and client. A later ``bind``
with different connection settings starts afresh; one with the same settings keeps the client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.connection import Connection, TableConnection

from privategpt.storage import outage
from privategpt.storage.models import ALL_MODELS, TableItem
from privategpt.storage.table import TABLE_SPEC, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from privategpt.settings import Settings

#: DynamoDB Local accepts any credentials but needs a signed request; these name no real account.
_LOCAL_ENDPOINT_CREDENTIALS = ("local", "local")


@dataclass(frozen=True)
class ClientSettings:
    """Everything the botocore client is built from (the table name is not: it is per request)."""

    region: str
    host: str | None
    connect_timeout_seconds: float
    read_timeout_seconds: float
    max_retries: int
    max_pool_connections: int

    @classmethod
    def of(cls, settings: Settings) -> ClientSettings:
        return cls(
            region=settings.aws_region,
            host=settings.dynamodb_endpoint,
            connect_timeout_seconds=settings.dynamodb_connect_timeout_seconds,
            read_timeout_seconds=settings.dynamodb_read_timeout_seconds,
            max_retries=settings.dynamodb_max_retries,
            max_pool_connections=settings.dynamodb_max_pool_connections,
        )

    def worst_case_seconds(self) -> float:
        """The longest one call can take while DynamoDB hangs or cannot be reached: each attempt waits out at
        most both timeouts, and botocore's backoff before retry i (0-based) is at most 25 ms * 2**i for these
        errors (throttling backs off longer, 1 s * 2**i)."""
        attempts = 1 + self.max_retries
        backoff = sum(0.025 * 2**i for i in range(self.max_retries))
        return float(attempts * (self.connect_timeout_seconds + self.read_timeout_seconds) + backoff)


class SharedConnection(Connection):
    """pynamodb's connection with one lazily built, lock-guarded client and outages named by operation."""

    def __init__(self, client_settings: ClientSettings) -> None:
        credentials = _LOCAL_ENDPOINT_CREDENTIALS if client_settings.host else (None, None)
        super().__init__(
            region=client_settings.region,
            host=client_settings.host,
            connect_timeout_seconds=client_settings.connect_timeout_seconds,
            read_timeout_seconds=client_settings.read_timeout_seconds,
            max_retry_attempts=client_settings.max_retries,
            # Said outright, not left to pynamodb's global default (which a settings file can change):
            # botocore's standard mode, 1 + max_retries attempts in all.
            retry_configuration={"mode": "standard", "total_max_attempts": 1 + client_settings.max_retries},
            max_pool_connections=client_settings.max_pool_connections,
            aws_access_key_id=credentials[0],
            aws_secret_access_key=credentials[1],
        )
        self.client_settings = client_settings
        self._client_lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The one botocore client, built on first use. pynamodb rebuilds a client that has no credentials
        (IMDS may have been slow); that check stays, now under the lock."""
        client = self._client
        if client is not None and (client._request_signer is None or client._request_signer._credentials):
            return client
        with self._client_lock:
            return super().client

    def dispatch(self, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            return super().dispatch(operation_name, operation_kwargs)
        except (BotoCoreError, ClientError) as exc:
            unavailable = outage.classify(operation_name, exc)
            if unavailable is None:
                raise
            raise unavailable from exc


@dataclass
class _Bound:
    connection: SharedConnection
    table: TableConnection


_lock = threading.Lock()
_bound: _Bound | None = None


def bind(settings: Settings) -> None:
    """Point every model at the configured table and endpoint, all through one shared connection."""
    global _bound
    client_settings = ClientSettings.of(settings)
    meta: Any = TableItem.Meta  # pynamodb reads these when it builds a connection itself; keep them true
    meta.table_name = settings.table_name
    meta.region = client_settings.region
    meta.host = client_settings.host
    meta.connect_timeout_seconds = client_settings.connect_timeout_seconds
    meta.read_timeout_seconds = client_settings.read_timeout_seconds
    meta.max_retry_attempts = client_settings.max_retries
    meta.max_pool_connections = client_settings.max_pool_connections
    meta.aws_access_key_id, meta.aws_secret_access_key = (
        _LOCAL_ENDPOINT_CREDENTIALS if client_settings.host else (None, None)
    )
    with _lock:
        shared = _bound.connection if _bound and _bound.connection.client_settings == client_settings else None
        shared = shared or SharedConnection(client_settings)
        # pynamodb builds the table's connection (key schema, indexes) from the model; we swap in ours.
        # Building it makes no client: pynamodb's Connection makes its client on first use.
        for model in ALL_MODELS:
            model._connection = None
        table = TableItem._get_connection()
        if settings.table_name not in shared._tables:
            shared.add_meta_table(table.get_meta_table())
        table.connection = shared
        for model in ALL_MODELS:
            model._connection = table
        _bound = _Bound(shared, table)


def connection() -> SharedConnection:
    """The process's one connection (for transactions); the models use the same one."""
    bound = _bound
    if bound is None:
        raise RuntimeError("storage.db.bind(settings) has not been called")
    return bound.connection


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
