from __future__ import annotations

import re

import httpx


def test_docs_page_loads_its_assets_from_this_server(anonymous: httpx.Client) -> None:
    page = anonymous.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    for source in sources:
        assert source.startswith("/"), f"external asset {source}"
        assert anonymous.get(source).status_code == 200, source
    assert "swagger-ui-bundle.js" in page.text


def test_openapi_lists_the_contract(anonymous: httpx.Client) -> None:
    spec = anonymous.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/health",
        "/api/health/ready",
        "/api/me",
        "/api/chat/conversations",
        "/api/chat/conversations/{conversation_id}",
        "/api/chat/conversations/{conversation_id}/messages",
        "/api/prompts",
        "/api/prompts/{prompt_id}",
    ):
        assert path in paths, path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
