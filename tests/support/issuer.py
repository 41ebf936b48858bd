"""A Keycloak-shaped identity provider for tests: real keys, a real HTTP server for discovery and JWKS."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

CLIENT_ID = "privategpt-web"


class TestIssuer:
    __test__ = False

    def __init__(self) -> None:
        self.url = ""
        self.keys: dict[str, tuple[str, Any]] = {}
        self.published: set[str] = set()
        self.jwks_fetches = 0
        self.add_key("rsa-1", "RS256")
        self.add_key("ec-1", "ES256")

    def add_key(self, kid: str, alg: str, *, publish: bool = True) -> None:
        key: Any = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if alg.startswith("RS")
            else ec.generate_private_key(ec.SECP256R1())
        )
        self.keys[kid] = (alg, key)
        if publish:
            self.published.add(kid)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            alg, key = self.keys[kid]
            codec = RSAAlgorithm if alg.startswith("RS") else ECAlgorithm
            jwk = json.loads(codec.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "alg": alg, "use": "sig"})
            keys.append(jwk)
        return {"keys": keys}

    def claims(self, subject: str, **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": subject,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "email": f"{subject}@example.test",
            "preferred_username": subject,
        }
        claims.update(extra)
        return claims

    def sign(self, claims: dict[str, Any], kid: str = "rsa-1", alg: str | None = None) -> str:
        key_alg, key = self.keys[kid]
        return jwt.encode(claims, key, algorithm=alg or key_alg, headers={"kid": kid})

    def token(self, subject: str, *, roles: list[str] | None = None, kid: str = "rsa-1", **extra: Any) -> str:
        if roles:
            extra.setdefault("realm_access", {"roles": roles})
        return self.sign(self.claims(subject, **extra), kid=kid)

    def public_pem(self, kid: str = "rsa-1") -> bytes:
        from cryptography.hazmat.primitives import serialization

        _, key = self.keys[kid]
        pem: bytes = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem


@contextmanager
def serve_issuer(issuer: TestIssuer) -> Iterator[TestIssuer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/realms/test/.well-known/openid-configuration":
                body: dict[str, Any] = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/protocol/certs"}
            elif self.path == "/realms/test/protocol/certs":
                issuer.jwks_fetches += 1
                body = issuer.jwks()
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}/realms/test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()


def new_subject() -> str:
    return f"user-{uuid.uuid4().hex[:12]}"
