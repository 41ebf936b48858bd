"""Real Cognito-shaped tokens from moto's Cognito IdP in server mode, verified over its JWKS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from privategpt.app import create_app
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.conftest import make_settings
from tests.support.api import assert_error
from tests.support.server import serve

REGION = "us-east-1"
PASSWORD = "Correct-Horse-9-battery"  # a throwaway user in a throwaway emulator


@dataclass
class CognitoPool:
    endpoint: str
    pool_id: str
    client_id: str
    client: Any

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    def tokens(self, username: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
        self.client.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.test"}],
            MessageAction="SUPPRESS",
        )
        self.client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)
        result = self.client.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_NO_SRP_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return {"access": result["AccessToken"], "id": result["IdToken"]}


@pytest.fixture(scope="module")
def pool(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[CognitoPool]:
    monkeypatch_module.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch_module.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("cognito-idp", region_name=REGION, endpoint_url=endpoint)
    pool_id = client.create_user_pool(PoolName="privategpt")["UserPool"]["Id"]
    client_id = client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"],
        ReadAttributes=["email"],
    )["UserPoolClient"]["ClientId"]
    client.create_group(UserPoolId=pool_id, GroupName="admin")
    try:
        yield CognitoPool(endpoint, pool_id, client_id, client)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _cognito_settings(pool: CognitoPool, settings: Settings, **overrides: Any) -> Settings:
    return make_settings(
        table_name=settings.table_name,
        dynamodb_endpoint=settings.dynamodb_endpoint,
        auth_provider="cognito",
        auth_issuer=pool.issuer,
        auth_client_ids=[pool.client_id],
        auth_jwks_url=f"{pool.endpoint}/{pool.pool_id}/.well-known/jwks.json",
        **overrides,
    )


@pytest.fixture(scope="module")
def cognito_api(pool: CognitoPool, settings: Settings) -> Iterator[str]:
    with serve(create_app(_cognito_settings(pool, settings))) as url:
        yield url


def _me(base_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{base_url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_access_token_is_accepted_with_groups_as_roles(pool: CognitoPool, cognito_api: str) -> None:
    tokens = pool.tokens("carol", groups=("admin",))
    response = _me(cognito_api, tokens["access"])
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["issuer"] == pool.issuer
    assert me["roles"] == ["admin"]


def test_id_token_where_access_token_is_required_is_401(pool: CognitoPool, cognito_api: str) -> None:
    tokens = pool.tokens("dave")
    response = _me(cognito_api, tokens["id"])
    assert_error(response, 401, "unauthorized")
    assert "access" in response.json()["error"]["message"]


def test_token_of_another_app_client_is_401(pool: CognitoPool, cognito_api: str) -> None:
    other = pool.client.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"]
    )["UserPoolClient"]["ClientId"]
    pool.client.admin_create_user(UserPoolId=pool.pool_id, Username="erin", MessageAction="SUPPRESS")
    pool.client.admin_set_user_password(UserPoolId=pool.pool_id, Username="erin", Password=PASSWORD, Permanent=True)
    result = pool.client.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=other,
        AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "erin", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert_error(_me(cognito_api, result["AccessToken"]), 401, "unauthorized")


def test_id_tokens_when_configured_for_them(pool: CognitoPool, settings: Settings) -> None:
    tokens = pool.tokens("frank")
    with serve(create_app(_cognito_settings(pool, settings, auth_cognito_token_use="id"))) as url:
        response = _me(url, tokens["id"])
        assert response.status_code == 200, response.text
        assert response.json()["email"] == "frank@example.test"
        assert_error(_me(url, tokens["access"]), 401, "unauthorized")
