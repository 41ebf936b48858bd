"""The local OIDC provider's endpoints: discovery, authorize (a user-name page), token, logout.

Mounted only for ``PGPT_AUTH_PROVIDER=local``. Errors of ``/oauth/token`` are in RFC 6749's shape
(``{"error", "error_description"}``), not the API's, because OAuth clients parse that shape.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from privategpt.auth.oidc import pages
from privategpt.auth.oidc.checks import (
    OAuthError,
    PageError,
    RedirectError,
    allowed_redirect,
    check_user_name,
    origin_of,
    own_origin,
    parse_authorize,
    single_values,
)
from privategpt.auth.oidc.provider import LocalOidcProvider

_AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_FIELDS = 32  # a token or sign-in request has a handful; more is not a real client


def _with_query(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    return RedirectResponse(_with_query(uri, params), status_code=302, headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != _FORM:
        raise OAuthError("invalid_request", f"the body must be {_FORM}")
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
    except ValueError as exc:
        raise OAuthError("invalid_request", "too many form fields") from exc
    return single_values(pairs)


def _oauth_error(exc: OAuthError) -> JSONResponse:
    return JSONResponse({"error": exc.error, "error_description": exc.description}, exc.status, headers=_NO_STORE)


def oidc_router(provider: LocalOidcProvider) -> APIRouter:
    settings = provider.settings
    router = APIRouter(tags=["auth"], include_in_schema=False)

    @router.get("/.well-known/openid-configuration")
    async def discovery(request: Request) -> dict[str, Any]:
        base = own_origin(request)
        return {
            "issuer": provider.issuer.issuer,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "end_session_endpoint": f"{base}/oauth/logout",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "name", "preferred_username"],
        }

    def authorize_params(params: dict[str, str]) -> dict[str, str]:
        return {name: params[name] for name in _AUTHORIZE_PARAMS if name in params}

    async def authorize(request: Request, params: dict[str, str], *, submitted: bool) -> Response:
        try:
            checked = parse_authorize(params, request, settings)
        except PageError as exc:
            return pages.error_page(str(exc))
        except RedirectError as exc:
            return _redirect(
                exc.redirect_uri, {"error": exc.error, "error_description": exc.description, "state": exc.state}
            )
        redirect_origin = origin_of(checked.redirect_uri) or "'self'"
        page_params = authorize_params(params)
        max_chars = settings.local_oidc_max_name_chars
        if not submitted:
            return pages.sign_in_page(page_params, redirect_origin=redirect_origin, max_chars=max_chars)
        raw_name = params.get("username", "")
        try:
            subject = check_user_name(raw_name, settings)
        except ValueError as exc:
            return pages.sign_in_page(
                page_params, redirect_origin=redirect_origin, max_chars=max_chars, user_name=raw_name, error=str(exc)
            )
        code = provider.issue_code(checked, subject)
        return _redirect(checked.redirect_uri, {"code": code, "state": checked.state})

    @router.get("/oauth/authorize")
    async def authorize_page(request: Request) -> Response:
        try:
            params = single_values(list(request.query_params.multi_items()))
        except OAuthError as exc:
            return pages.error_page(exc.description)
        return await authorize(request, params, submitted=False)

    @router.post("/oauth/authorize")
    async def authorize_submit(request: Request) -> Response:
        try:
            params = await _form(request)
        except OAuthError as exc:
            return pages.error_page(exc.description)
        return await authorize(request, params, submitted=True)

    @router.post("/oauth/token")
    async def token(request: Request) -> Response:
        try:
            form = await _form(request)
            client_id = form.get("client_id", "")
            if client_id != settings.local_client_id:
                raise OAuthError("invalid_client", "unknown client_id", status=401)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                missing = [n for n in ("code", "redirect_uri", "code_verifier") if not form.get(n)]
                if missing:
                    raise OAuthError("invalid_request", f"missing {', '.join(missing)}")
                tokens = provider.redeem_code(form["code"], client_id, form["redirect_uri"], form["code_verifier"])
            elif grant_type == "refresh_token":
                if not form.get("refresh_token"):
                    raise OAuthError("invalid_request", "missing refresh_token")
                tokens = provider.refresh(form["refresh_token"], client_id)
            else:
                raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        except OAuthError as exc:
            return _oauth_error(exc)
        return JSONResponse(tokens, headers=_NO_STORE)

    @router.get("/oauth/logout")
    async def logout(request: Request) -> Response:
        query = request.query_params
        hint = query.get("id_token_hint")
        if hint:
            try:
                claims = provider.issuer.verify(hint, audience=settings.local_client_id)
                provider.revoke_subject(str(claims["sub"]), settings.local_client_id)
            except jwt.PyJWTError:
                pass  # a stale or foreign hint: nothing to revoke, still sign out in the browser
        target = query.get("post_logout_redirect_uri")
        if not target:
            return pages.signed_out_page()
        if not allowed_redirect(target, request, settings):
            return pages.signed_out_page("Not sent back: the return address is not one this server trusts.")
        return _redirect(target, {"state": query.get("state")})

    return router
