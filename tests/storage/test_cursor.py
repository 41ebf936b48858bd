from __future__ import annotations

import base64
import json

import pytest

from privategpt.errors import BadRequest
from privategpt.storage import cursor

FIELDS = ("SK", "GSI1SK")


def test_round_trip_fills_partition_from_caller() -> None:
    lek = {
        "PK": {"S": "USER#a"},
        "SK": {"S": "CONV#1"},
        "GSI1PK": {"S": "USER#a#CONV"},
        "GSI1SK": {"S": "2026#1"},
    }
    token = cursor.encode(lek, FIELDS)
    assert token is not None and "USER#a" not in token
    rebuilt = cursor.decode(token, FIELDS, ("CONV#", ""), {"PK": "USER#b", "GSI1PK": "USER#b#CONV"})
    assert rebuilt == {**lek, "PK": {"S": "USER#b"}, "GSI1PK": {"S": "USER#b#CONV"}}


LEK = {"SK": {"S": "CONV#1"}, "GSI1SK": {"S": "2026#1"}}
FIXED = {"PK": "USER#a", "GSI1PK": "USER#a#CONV"}


def test_scoped_cursor_round_trips_for_its_scope_only() -> None:
    token = cursor.encode(LEK, FIELDS, scope="USER#a#CONV")
    assert cursor.decode(token, FIELDS, ("CONV#", ""), FIXED, scope="USER#a#CONV") == {
        **LEK,
        "PK": {"S": "USER#a"},
        "GSI1PK": {"S": "USER#a#CONV"},
    }
    with pytest.raises(BadRequest):
        cursor.decode(token, FIELDS, ("CONV#", ""), FIXED, scope="USER#b#CONV")


def test_edited_position_is_a_bad_request() -> None:
    token = cursor.encode(LEK, FIELDS, scope="s")
    assert token is not None
    position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    position[1] = "2030#9"  # move the position, keep the check
    edited = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")
    with pytest.raises(BadRequest):
        cursor.decode(edited, FIELDS, ("CONV#", ""), FIXED, scope="s")


def test_none_in_none_out() -> None:
    assert cursor.encode(None, FIELDS) is None
    assert cursor.decode(None, FIELDS, ("", ""), {}) is None


@pytest.mark.parametrize(
    "token",
    ["", "!!!", "e30", "WyJDT05WIzEiXQ", "WyJQUk9NUFQjMSIsIngiXQ", "WzEsMl0", "x" * 2000],
    ids=["empty", "not-base64", "object", "too-short", "wrong-prefix", "numbers", "too-long"],
)
def test_doctored_cursors_are_bad_requests(token: str) -> None:
    with pytest.raises(BadRequest):
        cursor.decode(token, FIELDS, ("CONV#", ""), {"PK": "USER#a", "GSI1PK": "USER#a#CONV"})
