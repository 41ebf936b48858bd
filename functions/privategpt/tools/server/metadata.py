"""OAuth 2.0 Protected Resource Metadata (RFC 9728) for ``/mcp``, as the MCP authorization spec asks: an MCP
client that gets a 401 follows ``resource_metadata`` in ``WWW-Authenticate`` to this document and finds the
issuer (Cognito or Keycloak) to sign in with.

The resource is ``PGPT_MCP_RESOURCE_URL`` when set (the public URL behind API Gateway or a proxy), else the
request's own base URL + ``/mcp``. Its metadata lives at the well-known path inserted between host and path
(RFC 9728 §3.1): ``https://host/mcp`` → ``https://host/.well-known/oauth-protected-resource/mcp``; the bare
``/.well-known/oauth-protected-resource`` answers the same document.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request

from privategpt.settings import Settings

MCP_PATH: Final = "/mcp"
WELL_KNOWN: Final = "/.well-known/oauth-protected-resource"
RESOURCE_NAME: Final = "PrivateGPT MCP server"


def resource_url(settings: Settings, request: Request) -> str:
    if settings.mcp_resource_url:
        return settings.mcp_resource_url
    return str(request.base_url).rstrip("/") + MCP_PATH


def metadata_url(resource: str) -> str:
    parts = urlsplit(resource)
    return urlunsplit((parts.scheme, parts.netloc, WELL_KNOWN + parts.path.rstrip("/"), "", ""))


def document(settings: Settings, resource: str) -> dict[str, Any]:
    return {
        "resource": resource,
        "authorization_servers": [settings.auth_issuer] if settings.auth_issuer else [],
        "bearer_methods_supported": ["header"],
        "resource_name": RESOURCE_NAME,
    }


def origin_of(url: str) -> tuple[str, str] | None:
    """(host[:port], scheme://host[:port]) of a URL, None when it has no host."""
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    return parts.netloc, f"{parts.scheme}://{parts.netloc}"
