"""Bearer token verification for Cognito, Keycloak and the local development issuer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jwt

from privategpt.auth.jwks import KeySource
from privategpt.auth.principal import Principal, user_id_for
from privategpt.errors import Unauthorized
from privategpt.settings import Settings

_KEY_TYPE_FOR_FAMILY = {"RS": "RSA", "PS": "RSA", "ES": "EC"}


class TokenVerifier:
    def __init__(self, settings: Settings, keys: KeySource) -> None:
        assert settings.auth_issuer is not None
        self._settings = settings
        self._issuer = settings.auth_issuer
        self._keys = keys
        self._client_ids = frozenset(settings.auth_client_ids)

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        alg, kid = header.get("alg"), header.get("kid")
        # The algorithm comes from our allow-list; the header only picks among those.
        if alg not in self._settings.auth_algorithms:
            raise Unauthorized("token algorithm not allowed")
        if not isinstance(kid, str):
            raise Unauthorized("token has no key id")
        key = await self._keys.get(kid)
        if key is None:
            raise Unauthorized("token signed by an unknown key")
        # A key serves the one algorithm its JWK names (or its type and curve imply).
        if key.key_type != _KEY_TYPE_FOR_FAMILY.get(alg[:2]) or key.algorithm_name != alg:
            raise Unauthorized("token algorithm does not match its key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                issuer=self._issuer,
                leeway=self._settings.auth_leeway_seconds,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("token is not yet valid") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("token issuer mismatch") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("invalid token") from exc
        self._check_audience(claims)
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthorized("token has no subject")
        return Principal(
            user_id=user_id_for(self._issuer, subject),
            issuer=self._issuer,
            subject=subject,
            email=_text(claims.get("email")),
            name=_text(claims.get("name"))
            or _text(claims.get("preferred_username"))
            or _text(claims.get("username"))
            or _text(claims.get("cognito:username")),
            roles=frozenset(self._roles(claims)),
        )

    def _check_audience(self, claims: dict[str, Any]) -> None:
        if self._settings.auth_provider == "cognito":
            wanted = self._settings.auth_cognito_token_use
            if claims.get("token_use") != wanted:
                raise Unauthorized(f"a Cognito {wanted} token is required")
            audience = claims.get("client_id") if wanted == "access" else claims.get("aud")
            if audience not in self._client_ids:
                raise Unauthorized("token is not for this client")
            return
        # Keycloak and the local issuer: an access token (Keycloak marks ID and refresh tokens with another `typ`,
        # and their ID tokens carry our client id as `aud` too), whose `aud` (string or list) or `azp` names one of
        # our clients.
        if claims.get("typ", "Bearer") != "Bearer":
            raise Unauthorized("an access token is required")
        aud = claims.get("aud")
        audiences = set(aud) if isinstance(aud, list) else {aud}
        if not (audiences & self._client_ids) and claims.get("azp") not in self._client_ids:
            raise Unauthorized("token is not for this client")

    def _roles(self, claims: dict[str, Any]) -> Iterable[str]:
        if self._settings.auth_provider == "cognito":
            yield from _strings(claims.get("cognito:groups"))
            return
        realm = claims.get("realm_access")
        if isinstance(realm, dict):
            yield from _strings(realm.get("roles"))
        resources = claims.get("resource_access")
        if isinstance(resources, dict):
            for client_id in self._client_ids:
                client = resources.get(client_id)
                if isinstance(client, dict):
                    yield from _strings(client.get("roles"))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
