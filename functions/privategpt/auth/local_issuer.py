"""The development issuer: an RSA key under the data directory, its JWKS, and token minting.

Active only when ``PGPT_AUTH_PROVIDER=local``; settings refuse that provider inside Lambda.
Tokens are Keycloak-shaped (``aud``/``azp``, ``realm_access.roles``) so they take the same checks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from privategpt.settings import Settings

KEY_FILE = "signing-key.pem"
_RSA_KEY_BITS = 2048


class LocalIssuer:
    def __init__(self, settings: Settings) -> None:
        assert settings.auth_issuer is not None
        self.issuer = settings.auth_issuer
        self.client_id = settings.local_client_id
        self.default_ttl = settings.local_token_ttl_seconds
        self._key_path = settings.local_keys_dir / KEY_FILE

    @cached_property
    def _private_key(self) -> rsa.RSAPrivateKey:
        if self._key_path.exists():
            key = serialization.load_pem_private_key(self._key_path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise ValueError(f"{self._key_path} does not hold an RSA private key")
            return key
        return self._create_key(self._key_path)

    @staticmethod
    def _create_key(path: Path) -> rsa.RSAPrivateKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a private temp file and renamed, so a concurrent reader never sees half a key.
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        tmp.replace(path)
        return key

    def ensure_key(self) -> None:
        _ = self._private_key

    @cached_property
    def kid(self) -> str:
        """The key's RFC 7638 thumbprint: stable for the key, new when the key is replaced."""
        core = self._public_jwk_core()
        canonical = json.dumps({k: core[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
        return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")

    def _public_jwk_core(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._private_key.public_key()))
        return jwk

    def jwks(self) -> dict[str, Any]:
        jwk = self._public_jwk_core()
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def mint(
        self,
        subject: str,
        *,
        email: str | None = None,
        name: str | None = None,
        roles: list[str] | None = None,
        ttl_seconds: int | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl_seconds if ttl_seconds is not None else self.default_ttl),
            "jti": uuid.uuid4().hex,
            "preferred_username": subject,
            "realm_access": {"roles": roles or []},
        }
        if email:
            claims["email"] = email
        if name:
            claims["name"] = name
        return self.sign(claims)

    def sign(self, claims: dict[str, Any]) -> str:
        """Any claims, signed with this issuer's key (RS256, with its ``kid``): the OIDC provider's ID tokens."""
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str, *, audience: str) -> dict[str, Any]:
        """The claims of a token this issuer signed for ``audience``, expired or not (an ``id_token_hint``);
        ``jwt.PyJWTError`` when it is not one."""
        claims: dict[str, Any] = jwt.decode(
            token,
            self._private_key.public_key(),
            algorithms=["RS256"],
            audience=audience,
            issuer=self.issuer,
            options={"verify_exp": False, "require": ["iss", "sub", "aud"]},
        )
        return claims
