"""What the local OIDC provider checks in a request: the client, where it may send the browser back, PKCE, the
user name. Nothing here keeps state."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request

from privategpt.settings import Settings

# RFC 7636 4.1: a code verifier (and an S256 challenge, 43 characters of base64url) is 43-128 of these characters
PKCE_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
# A user name becomes the token's subject: letters, digits and . _ @ - (starting with a letter or digit)
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
SCOPES = ("openid", "profile", "email", "offline_access")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class OAuthError(Exception):
    """An error answered in RFC 6749's shape (``{"error", "error_description"}``): what OAuth clients parse."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class PageError(Exception):
    """An authorization request that cannot be answered with a redirect (unknown client, foreign redirect URI):
    the browser gets an error page and goes nowhere."""


@dataclass(frozen=True)
class RedirectError(Exception):
    """An invalid authorization request whose redirect URI is trusted: the error goes back to the client."""

    redirect_uri: str
    state: str | None
    error: str
    description: str


@dataclass(frozen=True)
class AuthorizeRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (default port left out, host in lower case); None for anything
    else (another scheme, no host, user info)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    suffix = f":{port}" if port is not None and port != _DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


def own_origin(request: Request) -> str:
    """The origin the browser used to reach this server (scheme and Host header)."""
    return origin_of(str(request.base_url)) or str(request.base_url).rstrip("/")


def allowed_origins(request: Request, settings: Settings) -> set[str]:
    origins = {origin_of(origin) for origin in settings.cors_origins}
    return {origin for origin in origins if origin} | {own_origin(request)}


def allowed_redirect(uri: str, request: Request, settings: Settings) -> bool:
    """A redirect URI (sign-in callback, post-logout page) of this server's origin or of an allowed web origin,
    without a fragment (RFC 6749 3.1.2)."""
    if not uri or "#" in uri:
        return False
    origin = origin_of(uri)
    return origin is not None and origin in allowed_origins(request, settings)


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def parse_authorize(params: Mapping[str, str], request: Request, settings: Settings) -> AuthorizeRequest:
    """An authorization request's parameters, checked: ``PageError`` before the redirect URI is trusted,
    ``RedirectError`` after."""
    client_id = params.get("client_id", "")
    if client_id != settings.local_client_id:
        raise PageError("This sign-in request names an unknown client.")
    redirect_uri = params.get("redirect_uri", "")
    if not allowed_redirect(redirect_uri, request, settings):
        raise PageError("This sign-in request would return to an address this server does not trust.")
    state = params.get("state") or None

    def fail(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, state, error, description)

    limit = settings.local_oidc_max_param_chars
    for name in ("state", "nonce", "scope"):
        if len(params.get(name, "")) > limit:
            raise fail("invalid_request", f"{name} is longer than {limit} characters")
    if params.get("response_type") != "code":
        raise fail("unsupported_response_type", "response_type must be code")
    if params.get("code_challenge_method") != "S256":
        raise fail("invalid_request", "PKCE with code_challenge_method=S256 is required (plain is refused)")
    challenge = params.get("code_challenge", "")
    if not PKCE_VALUE.match(challenge):
        raise fail("invalid_request", "code_challenge must be 43-128 characters of [A-Za-z0-9-._~]")
    requested = params.get("scope", "").split()
    if "openid" not in requested:
        raise fail("invalid_scope", "scope must include openid")
    scope = " ".join(s for s in SCOPES if s in requested)
    return AuthorizeRequest(client_id, redirect_uri, scope, state, params.get("nonce") or None, challenge)


def check_user_name(raw: str, settings: Settings) -> str:
    """The trimmed user name, or ``ValueError`` saying what is wrong with it."""
    name = raw.strip()
    limit = settings.local_oidc_max_name_chars
    if not name:
        raise ValueError("Enter a user name.")
    if len(name) > limit:
        raise ValueError(f"A user name has at most {limit} characters.")
    if not USER_NAME.match(name):
        raise ValueError("Use letters, digits and . _ @ - only, starting with a letter or digit.")
    return name


def single_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Form or query parameters, each at most once (RFC 6749 3.1: a repeated parameter is an invalid request)."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise OAuthError("invalid_request", f"{name} is given more than once")
        values[name] = value
    return values
