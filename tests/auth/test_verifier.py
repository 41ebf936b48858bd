"""The attack list, each over HTTP against /api/me: every forged or misaddressed token is a 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from privategpt.app import create_app
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.support.api import assert_error
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def expired(issuer: TestIssuer) -> str:
    now = int(time.time())
    return issuer.sign(issuer.claims(new_subject(), iat=now - 7200, nbf=now - 7200, exp=now - 3600))


def not_yet_valid(issuer: TestIssuer) -> str:
    return issuer.sign(issuer.claims(new_subject(), nbf=int(time.time()) + 3600))


def issued_in_future(issuer: TestIssuer) -> str:
    return issuer.sign(issuer.claims(new_subject(), iat=int(time.time()) + 3600))


def wrong_issuer(issuer: TestIssuer) -> str:
    return issuer.sign(issuer.claims(new_subject(), iss=issuer.url + "-evil"))


def wrong_audience(issuer: TestIssuer) -> str:
    return issuer.sign(issuer.claims(new_subject(), aud="another-app", azp="another-app"))


def alg_none(issuer: TestIssuer) -> str:
    return _unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, issuer.claims(new_subject())) + "."


def hs256_with_public_key(issuer: TestIssuer) -> str:
    # Algorithm confusion: HMAC keyed with the RSA public key that the JWKS publishes.
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, issuer.claims(new_subject()))
    mac = hmac.new(issuer.public_pem("rsa-1"), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def unknown_kid(issuer: TestIssuer) -> str:
    if "ghost" not in issuer.keys:
        issuer.add_key("ghost", "RS256", publish=False)
    return issuer.sign(issuer.claims(new_subject()), kid="ghost")


def tampered_payload(issuer: TestIssuer) -> str:
    header, _, signature = issuer.token(new_subject()).split(".")
    forged = _b64(json.dumps(issuer.claims("someone-else", realm_access={"roles": ["admin"]})).encode())
    return f"{header}.{forged}.{signature}"


def missing_sub(issuer: TestIssuer) -> str:
    claims = issuer.claims(new_subject())
    del claims["sub"]
    return issuer.sign(claims)


def empty_sub(issuer: TestIssuer) -> str:
    return issuer.sign(issuer.claims(""))


def missing_exp(issuer: TestIssuer) -> str:
    claims = issuer.claims(new_subject())
    del claims["exp"]
    return issuer.sign(claims)


def rs256_header_on_ec_key(issuer: TestIssuer) -> str:
    _header, payload, signature = issuer.token(new_subject(), kid="ec-1").split(".")
    swapped = _b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "ec-1"}).encode())
    return f"{swapped}.{payload}.{signature}"


def garbage(issuer: TestIssuer) -> str:
    return "not.a.jwt"


ATTACKS: list[Callable[[TestIssuer], str]] = [
    expired,
    not_yet_valid,
    issued_in_future,
    wrong_issuer,
    wrong_audience,
    alg_none,
    hs256_with_public_key,
    unknown_kid,
    tampered_payload,
    missing_sub,
    empty_sub,
    missing_exp,
    rs256_header_on_ec_key,
    garbage,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda f: f.__name__)
def test_forged_or_misaddressed_tokens_are_401(
    attack: Callable[[TestIssuer], str], issuer: TestIssuer, anonymous: httpx.Client
) -> None:
    response = anonymous.get("/api/me", headers={"Authorization": f"Bearer {attack(issuer)}"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer x y", "Basic dXNlcjpwYXNz", "Token abc"], ids=repr)
def test_missing_or_malformed_authorization_is_401(header: str | None, anonymous: httpx.Client) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = anonymous.get("/api/me", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_valid_rs256_and_es256_tokens_pass(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    for kid in ("rsa-1", "ec-1"):
        subject = new_subject()
        response = anonymous.get("/api/me", headers={"Authorization": f"Bearer {issuer.token(subject, kid=kid)}"})
        assert response.status_code == 200, response.text
        assert response.json()["subject"] == subject


def test_small_clock_skew_is_tolerated(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    now = int(time.time())
    token = issuer.sign(issuer.claims(new_subject(), nbf=now + 5, iat=now + 5))
    assert anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_audience_by_azp_or_aud_list(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    by_azp = issuer.sign(issuer.claims(new_subject(), aud="account"))
    by_list = issuer.sign(issuer.claims(new_subject(), aud=["account", "privategpt-web"], azp="other"))
    for token in (by_azp, by_list):
        assert anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_keycloak_roles_from_realm_and_client(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    token = issuer.sign(
        issuer.claims(
            new_subject(),
            realm_access={"roles": ["admin", "offline_access"]},
            resource_access={"privategpt-web": {"roles": ["editor"]}, "other-app": {"roles": ["root"]}},
        )
    )
    me = anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["roles"] == ["admin", "editor", "offline_access"]


def test_rotated_key_is_fetched_once_and_unknown_kids_do_not_flood(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    # The verifier has fetched the JWKS by now (earlier requests); a new key appears at the issuer.
    assert (
        anonymous.get("/api/me", headers={"Authorization": f"Bearer {issuer.token(new_subject())}"}).status_code == 200
    )
    issuer.add_key("rsa-2", "RS256")
    before = issuer.jwks_fetches
    token = issuer.token(new_subject(), kid="rsa-2")
    assert anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code in (200, 401)
    # Whatever the first answer (it depends on when the last refresh happened), made-up kids cost no fetches.
    fetches = issuer.jwks_fetches
    for i in range(5):
        issuer.add_key(f"flood-{i}", "RS256", publish=False)
        flood = issuer.sign(issuer.claims(new_subject()), kid=f"flood-{i}")
        assert_error(anonymous.get("/api/me", headers={"Authorization": f"Bearer {flood}"}), 401, "unauthorized")
    assert issuer.jwks_fetches - fetches <= 1
    assert issuer.jwks_fetches - before <= 2


def test_unreachable_issuer_keys_are_503_not_401(settings: Settings, issuer: TestIssuer) -> None:
    dead = f"http://127.0.0.1:{free_port()}/realms/gone"
    broken = settings.model_copy(update={"auth_issuer": dead, "auth_http_timeout_seconds": 2.0})
    token = issuer.sign(issuer.claims(new_subject(), iss=dead))
    with serve(create_app(broken)) as url:
        response = httpx.get(f"{url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert_error(response, 503, "service_unavailable")


def test_only_access_tokens_pass(issuer: TestIssuer, anonymous: httpx.Client) -> None:
    """Keycloak's ID and refresh tokens name our client too; their `typ` keeps them from being used as bearers."""
    for typ, status in (("Bearer", 200), ("ID", 401), ("Refresh", 401), ("Logout", 401)):
        token = issuer.token(new_subject(), typ=typ)
        response = anonymous.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, (typ, response.text)
