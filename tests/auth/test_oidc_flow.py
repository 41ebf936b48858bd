"""The local OIDC provider over real HTTP: code + PKCE ending in API calls, refresh rotation, what it refuses."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from privategpt.app import create_app
from privategpt.auth.local_issuer import LocalIssuer
from privategpt.settings import Settings
from tests.auth.oidc_client import (
    CLIENT_ID,
    REDIRECT_URI,
    WEB_ORIGIN,
    Flow,
    code_for,
    oauth_error,
    query_of,
    redeem,
    refresh,
    sign_in,
    tokens,
)
from tests.conftest import make_settings
from tests.support.api import assert_error
from tests.support.issuer import new_subject
from tests.support.server import serve


def local_settings(settings: Settings, data_dir: Path, **overrides: Any) -> Settings:
    return make_settings(
        table_name=settings.table_name,
        dynamodb_endpoint=settings.dynamodb_endpoint,
        data_dir=data_dir,
        cors_origins=[WEB_ORIGIN],
        **overrides,
    )


@pytest.fixture(scope="module")
def local(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return local_settings(settings, tmp_path_factory.mktemp("oidc"))


@pytest.fixture(scope="module")
def url(local: Settings) -> Iterator[str]:
    with serve(create_app(local)) as url:
        yield url


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_discovery_names_this_server_and_the_tokens_issuer(client: httpx.Client, url: str) -> None:
    config = client.get("/.well-known/openid-configuration").json()
    assert config["issuer"] == "privategpt-local"
    assert config["authorization_endpoint"] == f"{url}/oauth/authorize"
    assert config["token_endpoint"] == f"{url}/oauth/token"
    assert config["end_session_endpoint"] == f"{url}/oauth/logout"
    assert config["jwks_uri"] == f"{url}/.well-known/jwks.json"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["token_endpoint_auth_methods_supported"] == ["none"]
    assert config["grant_types_supported"] == ["authorization_code", "refresh_token"]
    # the base is the address the browser used (Host), e.g. localhost instead of 127.0.0.1
    port = url.rsplit(":", 1)[1]
    other = client.get("/.well-known/openid-configuration", headers={"Host": f"localhost:{port}"}).json()
    assert other["token_endpoint"] == f"http://localhost:{port}/oauth/token"


def test_sign_in_page_asks_only_for_a_user_name(client: httpx.Client) -> None:
    flow = Flow()
    page = client.get("/oauth/authorize", params=flow.params())
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert f"form-action 'self' {WEB_ORIGIN}" in csp  # the redirect after the post goes there
    html = page.text
    assert '<label for="username">' in html and 'id="username"' in html and "autofocus" in html
    visible = [tag for tag in re.findall(r"<input [^>]*>", html) if 'type="hidden"' not in tag]
    assert visible == [next(tag for tag in visible if 'name="username"' in tag)]  # the one field
    assert f'value="{flow.state}"' in html and "<script" not in html


def test_code_and_pkce_flow_ends_in_api_calls(client: httpx.Client, local: Settings) -> None:
    flow, user = Flow(), new_subject()
    code = code_for(client, flow, f"  {user} ")  # trimmed
    response = redeem(client, flow, code)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == local.local_token_ttl_seconds
    assert body["scope"] == "openid profile email"

    me = client.get("/api/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == user
    assert me.json()["dashboard"] is True and me.json()["is_admin"] is False  # local: everyone sees the dashboard

    jwks = client.get("/.well-known/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience=CLIENT_ID, issuer="privategpt-local")
    assert claims["sub"] == user and claims["nonce"] == flow.nonce and claims["preferred_username"] == user
    assert claims["exp"] > claims["iat"]


def test_the_refresh_token_is_never_a_bearer_token(client: httpx.Client) -> None:
    body = tokens(client, new_subject())
    assert_error(client.get("/api/me", headers=bearer(body["refresh_token"])), 401, "unauthorized")


def test_a_wrong_verifier_is_refused(client: httpx.Client) -> None:
    flow = Flow()
    code = code_for(client, flow, new_subject())
    oauth_error(redeem(client, flow, code, code_verifier=Flow().verifier), 400, "invalid_grant")
    oauth_error(redeem(client, flow, code, redirect_uri=f"{WEB_ORIGIN}/elsewhere"), 400, "invalid_grant")


def test_a_code_works_once_and_its_reuse_revokes_the_sign_in(client: httpx.Client) -> None:
    flow = Flow()
    code = code_for(client, flow, new_subject())
    first = redeem(client, flow, code)
    assert first.status_code == 200
    oauth_error(redeem(client, flow, code), 400, "invalid_grant")
    oauth_error(refresh(client, first.json()["refresh_token"]), 400, "invalid_grant")


def test_an_expired_code_is_refused(settings: Settings, tmp_path: Path) -> None:
    app = create_app(local_settings(settings, tmp_path, local_oidc_code_ttl_seconds=1))
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        flow = Flow()
        code = code_for(client, flow, new_subject())
        time.sleep(1.2)
        oauth_error(redeem(client, flow, code), 400, "invalid_grant")


def test_an_unknown_client_is_refused_without_a_redirect(client: httpx.Client) -> None:
    flow = Flow()
    for method in ("get", "post"):
        if method == "get":
            page = client.get("/oauth/authorize", params=flow.params(client_id="someone-else"))
        else:
            page = sign_in(client, flow, new_subject(), client_id="someone-else")
        assert page.status_code == 400 and "location" not in page.headers
        assert "unknown client" in page.text
    code = code_for(client, flow, new_subject())
    oauth_error(redeem(client, flow, code, client_id="someone-else"), 401, "invalid_client")


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.test/callback", "http://localhost:5174/auth/callback", f"{REDIRECT_URI}#frag", "javascript:x"],
)
def test_a_foreign_redirect_uri_gets_a_page_not_a_redirect(client: httpx.Client, redirect_uri: str) -> None:
    flow = Flow()
    for response in (
        client.get("/oauth/authorize", params=flow.params(redirect_uri=redirect_uri)),
        sign_in(client, flow, new_subject(), redirect_uri=redirect_uri),
    ):
        assert response.status_code == 400 and "location" not in response.headers
        assert "does not trust" in response.text


def test_the_servers_own_origin_is_a_valid_redirect(client: httpx.Client, url: str) -> None:
    flow = Flow()
    response = sign_in(client, flow, new_subject(), redirect_uri=f"{url}/auth/callback")
    assert response.status_code == 302 and response.headers["location"].startswith(f"{url}/auth/callback?code=")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
    ],
)
def test_bad_requests_go_back_to_the_client_as_errors(
    client: httpx.Client, overrides: dict[str, str | None], error: str
) -> None:
    flow = Flow()
    for response in (
        client.get("/oauth/authorize", params=flow.params(**overrides)),
        sign_in(client, flow, new_subject(), **overrides),
    ):
        assert response.status_code == 302
        query = query_of(response)
        assert query["error"] == error and query["state"] == flow.state and "code" not in query


def test_the_plain_method_never_yields_tokens(client: httpx.Client) -> None:
    flow = Flow()
    response = sign_in(client, flow, new_subject(), code_challenge=flow.verifier, code_challenge_method="plain")
    assert "code" not in query_of(response)


@pytest.mark.parametrize("name", ["", "   ", "has space", "<script>", "x" * 65, "-leading"])
def test_a_bad_user_name_shows_the_page_again(client: httpx.Client, name: str) -> None:
    response = sign_in(client, Flow(), name)
    assert response.status_code == 400 and "location" not in response.headers
    assert 'role="alert"' in response.text and 'aria-invalid="true"' in response.text
    assert "<script>" not in response.text


def test_refresh_rotates_and_a_replayed_refresh_token_revokes_the_sign_in(client: httpx.Client) -> None:
    user = new_subject()
    first = tokens(client, user)
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert client.get("/api/me", headers=bearer(renewed["access_token"])).json()["subject"] == user
    assert jwt.decode(renewed["id_token"], options={"verify_signature": False})["sub"] == user
    oauth_error(refresh(client, first["refresh_token"]), 400, "invalid_grant")  # replayed
    oauth_error(refresh(client, renewed["refresh_token"]), 400, "invalid_grant")  # its sign-in is revoked


def test_refresh_is_bound_to_its_client(client: httpx.Client) -> None:
    body = tokens(client, new_subject())
    oauth_error(refresh(client, body["refresh_token"], client_id="someone-else"), 401, "invalid_client")
    oauth_error(refresh(client, "not-a-token"), 400, "invalid_grant")


def test_token_endpoint_requests_it_does_not_understand(client: httpx.Client) -> None:
    oauth_error(
        client.post("/oauth/token", data={"grant_type": "password", "client_id": CLIENT_ID}),
        400,
        "unsupported_grant_type",
    )
    oauth_error(client.post("/oauth/token", json={"grant_type": "refresh_token"}), 400, "invalid_request")
    oauth_error(
        client.post(
            "/oauth/token",
            content=f"client_id={CLIENT_ID}&client_id={CLIENT_ID}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        400,
        "invalid_request",
    )
    oauth_error(
        client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": CLIENT_ID}),
        400,
        "invalid_request",
    )


def test_the_token_endpoint_allows_the_web_origin_only(client: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = client.options("/oauth/token", headers={"Origin": WEB_ORIGIN, **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == WEB_ORIGIN
    refused = client.options("/oauth/token", headers={"Origin": "https://evil.test", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    body = tokens(client, new_subject())
    response = refresh(client, body["refresh_token"])
    assert response.status_code == 200
    cross = client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"], "client_id": CLIENT_ID},
        headers={"Origin": WEB_ORIGIN},
    )
    assert cross.status_code == 200 and cross.headers["access-control-allow-origin"] == WEB_ORIGIN


def test_logout_redirects_only_to_an_allowed_origin_and_ends_refresh(client: httpx.Client) -> None:
    body = tokens(client, new_subject())
    out = client.get(
        "/oauth/logout",
        params={"post_logout_redirect_uri": f"{WEB_ORIGIN}/", "id_token_hint": body["id_token"], "state": "s1"},
    )
    assert out.status_code == 302 and out.headers["location"] == f"{WEB_ORIGIN}/?state=s1"
    oauth_error(refresh(client, body["refresh_token"]), 400, "invalid_grant")
    foreign = client.get("/oauth/logout", params={"post_logout_redirect_uri": "https://evil.test/"})
    assert foreign.status_code == 200 and "location" not in foreign.headers and "Signed out" in foreign.text
    assert client.get("/oauth/logout", params={"id_token_hint": "garbage"}).status_code == 200


def test_tokens_of_another_data_dir_do_not_pass(client: httpx.Client, settings: Settings, tmp_path: Path) -> None:
    foreign = LocalIssuer(local_settings(settings, tmp_path)).mint("alice")
    assert_error(client.get("/api/me", headers=bearer(foreign)), 401, "unauthorized")


def test_no_provider_routes_unless_the_provider_is_local(anonymous: httpx.Client) -> None:
    # the session's app uses a Keycloak-shaped issuer
    for path in ("/.well-known/openid-configuration", "/.well-known/jwks.json", "/oauth/authorize", "/oauth/logout"):
        assert anonymous.get(path).status_code == 404, path
    assert anonymous.post("/oauth/token", data={"grant_type": "refresh_token"}).status_code == 404
    assert anonymous.post("/oauth/authorize", data={"username": "x"}).status_code == 404
