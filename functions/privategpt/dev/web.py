"""The web app under ``privategpt dev``: the built ``web/dist`` at ``/`` (with the single-page app's fallback) and
``/config.json`` for the local provider. Only ``dev/runner.py`` uses this; the Lambda apps never serve the site
(CloudFront does, with a ``config.json`` written at deploy time: infra/constructs/runtime_config.py)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from privategpt.auth.oidc.checks import own_origin
from privategpt.errors import NotFound
from privategpt.settings import Settings

REPOSITORY_DIST = Path(__file__).resolve().parents[3] / "web" / "dist"
VITE_DEV_PORT = 5173  # `npm run dev` in web/ (vite.config.ts: strictPort)
# Paths the app answers itself: the fallback never turns them into the page (an unknown one stays a 404)
API_PREFIXES = ("/api", "/mcp", "/docs", "/openapi.json", "/.well-known", "/oauth", "/config.json")
ASSETS = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite's /assets/* names carry a content hash
NO_CACHE = "no-cache"
LOOPBACK_NAMES = ("localhost", "127.0.0.1")
WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 - recognising the wildcard, not binding to it
SCOPES = ["openid", "profile", "email"]
REDIRECT_PATH = "/auth/callback"

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PrivateGPT: web app not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
@media (prefers-color-scheme:dark){body{background:#020617;color:#e2e8f0}}code{font-size:.95em}</style></head>
<body><h1>The web app is not built</h1><p>No <code>index.html</code> in <code>{dist}</code>.</p>
<p>Build it with <code>make dev</code> (it builds the app before starting), or
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload. The API is already up: see
<a href="/docs">/docs</a>.</p></body></html>"""


def dist_dir(settings: Settings) -> Path:
    return (settings.web_dist_dir or REPOSITORY_DIST).resolve()


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host in WILDCARDS


def browsable(host: str) -> str:
    """The host to put in a URL for a browser: a wildcard address is reached at 127.0.0.1."""
    if is_wildcard(host):
        return LOOPBACK_NAMES[1]
    return f"[{host}]" if ":" in host else host


def web_origins(host: str, port: int) -> list[str]:
    """The origins a browser may load the web app from under ``dev``: this server (by both loopback names when it
    listens on loopback or on every address; other names reaching a wildcard go in PGPT_CORS_ORIGINS) and Vite's
    dev server."""
    hosts = list(LOOPBACK_NAMES) if is_loopback(host) or is_wildcard(host) else [browsable(host)]
    origins = [f"http://{name}:{port}" for name in hosts]
    origins += [f"http://{name}:{VITE_DEV_PORT}" for name in LOOPBACK_NAMES]
    return origins


def runtime_config(settings: Settings, base: str) -> dict[str, Any]:
    """The web app's ``config.json`` (the shape RuntimeConfig documents) as served from ``base``: the local
    provider at ``base`` itself, or the configured Keycloak/Cognito issuer when `dev` runs against one."""
    local = settings.auth_provider == "local"
    return {
        "apiUrl": "",  # same origin
        "streamUrl": settings.stream_base_url,
        "mcpUrl": f"{base}/mcp" if settings.tools_enabled else None,
        "auth": {
            "mode": settings.auth_provider,
            "issuer": settings.auth_issuer,
            "authority": base if local else settings.auth_issuer,
            "clientId": settings.local_client_id if local else settings.auth_client_ids[0],
            "scopes": list(SCOPES),
            "redirectPath": REDIRECT_PATH,
        },
        "stage": "local",
    }


def _reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in API_PREFIXES)


def _file(dist: Path, path: str) -> Path | None:
    """The file under ``dist`` the URL path names, if there is one (never anything outside ``dist``)."""
    relative = path.lstrip("/")
    if not relative:
        return None
    candidate = (dist / relative).resolve()
    if not candidate.is_relative_to(dist) or not candidate.is_file():
        return None
    return candidate


def install(app: FastAPI, settings: Settings) -> None:
    """``/config.json`` and the site. Call after every other route: the fallback catches what is left."""
    dist = dist_dir(settings)

    @app.get("/config.json", include_in_schema=False)
    async def config_json(request: Request) -> JSONResponse:
        body = runtime_config(settings, own_origin(request))
        return JSONResponse(body, headers={"Cache-Control": NO_CACHE})

    @app.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def site(request: Request, path: str) -> Response:
        url_path = request.url.path
        if _reserved(url_path):
            raise NotFound(f"no route {url_path}")
        found = _file(dist, url_path)
        asset = url_path.startswith(ASSETS)
        if found is not None:
            return FileResponse(found, headers={"Cache-Control": IMMUTABLE if asset else NO_CACHE})
        if asset:
            raise NotFound(f"no file {url_path}")  # a script or style that is not there: never the page instead
        index = dist / "index.html"
        if not index.is_file():
            page = _NOT_BUILT.replace("{dist}", str(dist))
            return HTMLResponse(page, headers={"Cache-Control": NO_CACHE})
        return FileResponse(index, headers={"Cache-Control": NO_CACHE})
