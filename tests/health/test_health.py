from __future__ import annotations

import httpx

from privategpt import __version__
from privategpt.app import create_app
from privategpt.dev.dynamodb_local import free_port
from privategpt.settings import Settings
from tests.support.api import assert_error
from tests.support.server import serve


def test_health_needs_no_token(anonymous: httpx.Client) -> None:
    assert anonymous.get("/api/health").json() == {"status": "ok", "version": __version__}
    assert anonymous.get("/api/health/ready").json() == {"status": "ok", "version": __version__}


def test_ready_is_503_when_dynamodb_is_unreachable(settings: Settings) -> None:
    broken = settings.model_copy(
        update={"dynamodb_endpoint": f"http://127.0.0.1:{free_port()}", "dynamodb_max_retries": 0}
    )
    with serve(create_app(broken)) as url:
        assert httpx.get(f"{url}/api/health").status_code == 200
        assert_error(httpx.get(f"{url}/api/health/ready", timeout=30), 503, "service_unavailable")
