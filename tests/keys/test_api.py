"""API keys over HTTP: made, listed, used as bearer tokens in place of a JWT, revoked, expired, isolated."""

from __future__ import annotations

import time
from typing import Any

import httpx

from privategpt.keys import service
from privategpt.settings import Settings
from privategpt.storage import api_keys
from tests.support.api import User, assert_error


def _create(user: User, **body: Any) -> dict[str, Any]:
    response = user.client.post("/api/keys", json={"name": "laptop", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _as_key(anonymous: httpx.Client, key: str, path: str = "/api/me") -> httpx.Response:
    return anonymous.get(path, headers={"Authorization": f"Bearer {key}"})


def test_a_key_is_shown_once_stored_as_a_hash_and_acts_as_its_owner(
    alice: User, anonymous: httpx.Client, settings: Settings
) -> None:
    created = _create(alice, expires_in_days=30)
    key = created["key"]
    assert key.startswith("pgpt-") and len(key) > 40
    assert created["prefix"] == key[:12] and created["expires_at"] is not None
    me = _as_key(anonymous, key)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == alice.user_id
    listed = alice.client.get("/api/keys").json()["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    assert "key" not in listed[0] and listed[0]["last_used_at"] is not None
    stored = api_keys.list_keys(alice.user_id)[0]
    assert stored.key_hash == service.key_hash(key) and key not in stored.attribute_values.values()


def test_unknown_malformed_or_revoked_keys_are_401(alice: User, anonymous: httpx.Client) -> None:
    key = _create(alice)["key"]
    for bad in ["pgpt-", "pgpt-" + "x" * 43, key + "x", key[:-1]]:
        assert_error(_as_key(anonymous, bad), 401, "unauthorized")
    assert _as_key(anonymous, key).status_code == 200  # now checked and cached by this process
    key_id = alice.client.get("/api/keys").json()["items"][0]["id"]
    assert alice.client.delete(f"/api/keys/{key_id}").status_code == 204
    # revocation wins at once in this process (the cache entry goes with it)
    assert_error(_as_key(anonymous, key), 401, "unauthorized")
    assert alice.client.get("/api/keys").json()["items"] == []
    assert_error(alice.client.delete(f"/api/keys/{key_id}"), 404, "not_found")


def test_revocation_reaches_another_process_within_the_cache_time(
    alice: User, anonymous: httpx.Client, settings: Settings
) -> None:
    key = _create(alice)["key"]
    assert _as_key(anonymous, key).status_code == 200
    # as another instance would: the items are gone, this process's cache entry expires after the setting
    api_keys.revoke(alice.user_id, alice.client.get("/api/keys").json()["items"][0]["id"])
    time.sleep(settings.api_key_cache_seconds + 0.1)
    assert_error(_as_key(anonymous, key), 401, "unauthorized")


def test_an_expired_key_is_refused_before_dynamodb_ttl_removes_it(alice: User, anonymous: httpx.Client) -> None:
    created = _create(alice, expires_in_days=1)
    item = api_keys.lookup(service.key_hash(created["key"]))
    assert item is not None
    item.update(actions=[type(item).expires_at.set(int(time.time()) - 1)])
    service._checked.clear()
    assert_error(_as_key(anonymous, created["key"]), 401, "unauthorized")


def test_keys_are_per_user_and_never_carry_the_admin_role(
    alice: User, bob: User, admin: User, anonymous: httpx.Client
) -> None:
    alices = _create(alice)
    assert bob.client.get("/api/keys").json()["items"] == []
    assert_error(bob.client.delete(f"/api/keys/{alices['id']}"), 404, "not_found")
    assert _as_key(anonymous, alices["key"]).status_code == 200  # untouched by bob's attempt
    admins = _create(admin)["key"]
    me = _as_key(anonymous, admins).json()
    assert me["id"] == admin.user_id and "admin" not in me["roles"] and me["is_admin"] is False


def test_bad_input_and_the_per_user_limit(alice: User, settings: Settings) -> None:
    assert_error(alice.client.post("/api/keys", json={}), 422, "validation_error")
    assert_error(alice.client.post("/api/keys", json={"name": "   "}), 422, "validation_error")
    assert_error(alice.client.post("/api/keys", json={"name": "x" * 500}), 422, "validation_error")
    too_long = settings.api_key_max_days + 1
    assert_error(
        alice.client.post("/api/keys", json={"name": "k", "expires_in_days": too_long}), 422, "validation_error"
    )
    assert_error(alice.client.post("/api/keys", json={"name": "k", "expires_in_days": 0}), 422, "validation_error")
    for path in ["nope", "01aaaaaaaaaaaaaaaaaaaaaaaa", "x" * 2000]:
        assert_error(alice.client.delete(f"/api/keys/{path}"), 404, "not_found")
    for i in range(settings.api_key_max_per_user):
        _create(alice, name=f"k{i}")
    assert_error(alice.client.post("/api/keys", json={"name": "one more"}), 409, "conflict")
    assert len(alice.client.get("/api/keys").json()["items"]) == settings.api_key_max_per_user


def test_a_whole_number_written_as_a_float_is_an_integer_but_a_string_is_not(alice: User) -> None:
    assert alice.client.post("/api/keys", json={"name": "f", "expires_in_days": 30.0}).status_code == 201
    bad = alice.client.post("/api/keys", json={"name": "s", "expires_in_days": "30"})
    assert_error(bad, 422, "validation_error")
