"""``GET /api/me``: what the web app may show the caller (``is_admin``, ``dashboard``)."""

from __future__ import annotations

from pathlib import Path

import httpx

from privategpt.app import create_app
from privategpt.auth.local_issuer import LocalIssuer
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support.api import User, new_user
from tests.support.issuer import TestIssuer
from tests.support.server import serve


def test_an_admin_sees_the_dashboard(admin: User) -> None:
    me = admin.client.get("/api/me").json()
    assert me["is_admin"] is True and me["dashboard"] is True


def test_a_user_does_not_under_a_remote_provider(alice: User) -> None:
    me = alice.client.get("/api/me").json()
    assert me["is_admin"] is False and me["dashboard"] is False


def test_the_admin_role_is_the_setting(settings: Settings, issuer: TestIssuer) -> None:
    custom = settings.model_copy(update={"auth_admin_role": "operators"})
    with serve(create_app(custom)) as url:
        operator = new_user(issuer, url, roles=["operators"])
        admin = new_user(issuer, url, roles=["admin"])
        try:
            assert operator.client.get("/api/me").json()["is_admin"] is True
            assert admin.client.get("/api/me").json()["dashboard"] is False
        finally:
            operator.client.close()
            admin.client.close()


def test_everyone_sees_the_dashboard_under_the_local_provider(settings: Settings, tmp_path: Path) -> None:
    local = make_settings(
        table_name=settings.table_name, dynamodb_endpoint=settings.dynamodb_endpoint, data_dir=tmp_path
    )
    token = LocalIssuer(local).mint("dev-user")
    with serve(create_app(local)) as url:
        me = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["is_admin"] is False and me["dashboard"] is True
