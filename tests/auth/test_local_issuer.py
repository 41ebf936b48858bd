from __future__ import annotations

from pathlib import Path

import httpx

from privategpt.app import create_app
from privategpt.auth.local_issuer import LocalIssuer
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support.api import assert_error
from tests.support.server import serve


def _local(settings: Settings, data_dir: Path) -> Settings:
    return make_settings(
        table_name=settings.table_name, dynamodb_endpoint=settings.dynamodb_endpoint, data_dir=data_dir
    )


def test_local_tokens_work_only_with_their_own_key(settings: Settings, tmp_path: Path) -> None:
    mine, other = _local(settings, tmp_path / "a"), _local(settings, tmp_path / "b")
    own_token = LocalIssuer(mine).mint("alice", roles=["admin"])
    foreign_token = LocalIssuer(other).mint("alice")
    with serve(create_app(mine)) as url:
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {own_token}"})
        assert me.status_code == 200, me.text
        assert me.json()["roles"] == ["admin"]
        assert_error(
            httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {foreign_token}"}),
            401,
            "unauthorized",
        )
        jwks = httpx.get(f"{url}/.well-known/jwks.json").json()
        assert [key["kid"] for key in jwks["keys"]] == [LocalIssuer(mine).kid]
        assert "d" not in jwks["keys"][0]  # public half only


def test_expired_local_token_is_401(settings: Settings, tmp_path: Path) -> None:
    local = _local(settings, tmp_path)
    token = LocalIssuer(local).mint("bob", ttl_seconds=-(local.auth_leeway_seconds + 60))
    with serve(create_app(local)) as url:
        assert_error(httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized")


def test_key_is_created_once_and_reused(settings: Settings, tmp_path: Path) -> None:
    local = _local(settings, tmp_path)
    first = LocalIssuer(local).kid
    assert LocalIssuer(local).kid == first
    assert (tmp_path / "issuer" / "signing-key.pem").exists()
