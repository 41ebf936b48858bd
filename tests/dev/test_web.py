"""What `privategpt dev` serves besides the API: the built web app (with the SPA fallback), ``/config.json``, and
CORS on the streaming app for the web origins."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from privategpt.app import create_app, create_stream_app
from privategpt.dev import web
from privategpt.settings import Settings
from tests.chat.conftest import conversation
from tests.conftest import make_settings
from tests.support.api import User, assert_error
from tests.support.server import serve

WEB_ORIGIN = "http://localhost:5173"
INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head></html>'
STREAM_BASE = "http://127.0.0.1:65001"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1a2b3c.js").write_text("console.log('app')")
    (dist / "favicon.svg").write_text("<svg/>")
    (root / "secret.txt").write_text("outside the site")
    return dist


def dev_settings(settings: Settings, data_dir: Path, dist: Path, **overrides: Any) -> Settings:
    return make_settings(
        table_name=settings.table_name,
        dynamodb_endpoint=settings.dynamodb_endpoint,
        data_dir=data_dir,
        web_dist_dir=dist,
        stream_base_url=STREAM_BASE,
        cors_origins=web.web_origins("127.0.0.1", 8000),
        **overrides,
    )


def serve_dev(settings: Settings) -> Any:
    """The API as `dev` builds it: the app, then the web routes."""
    app = create_app(settings)
    web.install(app, settings)
    return serve(app)


@pytest.fixture(scope="module")
def url(settings: Settings, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_dev(dev_settings(settings, tmp_path_factory.mktemp("web"), dist)) as url:
        yield url


@pytest.fixture
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30, follow_redirects=False) as client:
        yield client


def test_config_json_describes_the_local_sign_in(client: httpx.Client, url: str) -> None:
    response = client.get("/config.json")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert response.json() == {
        "apiUrl": "",
        "streamUrl": STREAM_BASE,
        "mcpUrl": f"{url}/mcp",
        "auth": {
            "mode": "local",
            "issuer": "privategpt-local",
            "authority": url,
            "clientId": "privategpt-local",
            "scopes": ["openid", "profile", "email"],
            "redirectPath": "/auth/callback",
        },
        "stage": "local",
    }
    # the authority is where the browser is (here through another name), and its discovery names that address
    port = url.rsplit(":", 1)[1]
    config = client.get("/config.json", headers={"Host": f"localhost:{port}"}).json()
    assert config["auth"]["authority"] == config["mcpUrl"].removesuffix("/mcp") == f"http://localhost:{port}"
    discovery = client.get("/.well-known/openid-configuration", headers={"Host": f"localhost:{port}"}).json()
    assert discovery["authorization_endpoint"].startswith(config["auth"]["authority"] + "/")
    assert discovery["issuer"] == config["auth"]["issuer"]


def test_config_json_without_tools(settings: Settings, dist: Path, tmp_path: Path) -> None:
    with serve_dev(dev_settings(settings, tmp_path, dist, tools_enabled=False)) as url:
        assert httpx.get(f"{url}/config.json").json()["mcpUrl"] is None


@pytest.mark.parametrize("path", ["/", "/c/123", "/dashboard", "/documents/abc/def", "/index.html"])
def test_app_routes_get_the_page(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"


def test_assets_are_cached_for_good_and_a_missing_one_is_a_404(client: httpx.Client) -> None:
    asset = client.get("/assets/app-1a2b3c.js")
    assert asset.status_code == 200 and asset.text == "console.log('app')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in asset.headers["content-type"]
    assert client.head("/assets/app-1a2b3c.js").status_code == 200
    assert_error(client.get("/assets/app-000000.js"), 404, "not_found")
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"])
def test_nothing_outside_the_site_is_served(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert "outside the site" not in response.text


@pytest.mark.parametrize(
    "path", ["/api/nothing-here", "/api", "/mcp/x", "/docs/x", "/oauth/nothing", "/.well-known/nothing"]
)
def test_api_paths_are_not_swallowed_by_the_fallback(client: httpx.Client, path: str) -> None:
    assert_error(client.get(path), 404, "not_found")


def test_the_api_still_answers(client: httpx.Client) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/openapi.json").json()["info"]["title"] == "PrivateGPT Serverless"
    assert client.get("/.well-known/openid-configuration").json()["issuer"] == "privategpt-local"
    assert_error(client.get("/api/me"), 401, "unauthorized")
    assert client.get("/docs").headers["content-type"].startswith("text/html")
    # the fallback never hides an API route's real answer
    assert_error(client.get("/api/me", headers={"Authorization": "Bearer x"}), 401, "unauthorized")


def test_an_unbuilt_site_says_how_to_build_it(settings: Settings, tmp_path: Path) -> None:
    with serve_dev(dev_settings(settings, tmp_path, tmp_path / "missing")) as url:
        for path in ("/", "/c/1"):
            page = httpx.get(f"{url}{path}")
            assert page.status_code == 200 and "make dev" in page.text and "npm run build" in page.text
        assert httpx.get(f"{url}/config.json").status_code == 200


def test_the_site_is_not_part_of_the_lambda_app(settings: Settings, dist: Path, tmp_path: Path) -> None:
    app = create_app(dev_settings(settings, tmp_path, dist))
    paths = {getattr(route, "path", None) for route in app.routes}
    assert "/config.json" not in paths and "/{path:path}" not in paths


def test_web_origins_cover_both_loopback_names_and_vite() -> None:
    assert web.web_origins("127.0.0.1", 8000) == [
        "http://localhost:8000",
        "http://127.0.0.1:8000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    assert web.web_origins("192.168.1.5", 9000)[0] == "http://192.168.1.5:9000"
    assert "http://localhost:9000" not in web.web_origins("192.168.1.5", 9000)
    # every address: the printed URL (127.0.0.1) and localhost work
    everywhere = web.WILDCARDS[0]
    assert web.web_origins(everywhere, 8000)[:2] == ["http://localhost:8000", "http://127.0.0.1:8000"]
    assert web.browsable(everywhere) == "127.0.0.1" and web.browsable("::1") == "[::1]"
    assert web.web_origins("::1", 8000)[:2] == ["http://localhost:8000", "http://127.0.0.1:8000"]


# --- the streaming app, opened by the browser's EventSource from the web origin ---


@pytest.fixture(scope="module")
def cors_stream(settings: Settings) -> Iterator[str]:
    with serve(create_stream_app(settings.model_copy(update={"cors_origins": [WEB_ORIGIN]}))) as url:
        yield url


def ticket(user: User) -> dict[str, Any]:
    cid = conversation(user)
    response = user.client.post(
        f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "Hi", "model": "openai/gpt-4o-mini"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def stream_path(ticket: dict[str, Any]) -> str:
    url: str = ticket["stream_url"]
    return "/" + url.split("/", 3)[3] if url.startswith("http") else url


def test_stream_preflight_allows_the_web_origin_only(cors_stream: str) -> None:
    request = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "last-event-id"}
    allowed = httpx.options(f"{cors_stream}/stream/abc", headers={"Origin": WEB_ORIGIN, **request})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == WEB_ORIGIN
    assert "GET" in allowed.headers["access-control-allow-methods"]
    refused = httpx.options(f"{cors_stream}/stream/abc", headers={"Origin": "https://evil.test", **request})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_an_event_stream_from_the_web_origin(alice: User, cors_stream: str, fake_openai: Any) -> None:
    headers = {"Origin": WEB_ORIGIN, "Accept": "text/event-stream", "Cache-Control": "no-cache"}
    with httpx.stream("GET", cors_stream + stream_path(ticket(alice)), headers=headers, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == WEB_ORIGIN
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[5:]) for line in response.iter_lines() if line.startswith("data:")]
    assert events and events[-1].get("stop_reason") == "stop"


def test_another_origin_gets_no_cors_header(alice: User, cors_stream: str, fake_openai: Any) -> None:
    headers = {"Origin": "https://evil.test", "Accept": "text/event-stream"}
    with httpx.stream("GET", cors_stream + stream_path(ticket(alice)), headers=headers, timeout=30) as response:
        assert "access-control-allow-origin" not in response.headers  # the browser hides the stream from that page
        response.read()


def test_without_origins_the_stream_app_adds_no_cors(settings: Settings) -> None:
    assert not settings.cors_origins
    with serve(create_stream_app(settings)) as stream_base:
        response = httpx.options(
            f"{stream_base}/stream/abc", headers={"Origin": WEB_ORIGIN, "Access-Control-Request-Method": "GET"}
        )
    assert "access-control-allow-origin" not in response.headers  # deployed behind a function URL: it adds them
