"""Writes that ride along in one DynamoDB transaction (a message, its conversation's counters, its usage…).

A repository offers ``Write``s for other repositories' transactions, so a turn's writes cost one round trip.
"""

from __future__ import annotations

from collections.abc import Callable

from pynamodb.transactions import TransactWrite

Write = Callable[[TransactWrite], None]
