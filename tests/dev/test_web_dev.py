"""A real `privategpt dev`: the web app, its config.json, and the local sign-in ending in an API call and a stream,
from the page's origin and from Vite's."""

from __future__ import annotations

from pathlib import Path

import httpx

from privategpt.dev.dynamodb_local import free_port
from tests.auth.oidc_client import CLIENT_ID, WEB_ORIGIN, Flow
from tests.dev.running import running_dev

INDEX = "<!doctype html><title>app</title>"


def test_dev_serves_the_app_and_signs_in_through_the_local_provider(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text(INDEX)
    port, stream_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        running_dev(tmp_path / "data", port, "--stream-port", str(stream_port), PGPT_WEB_DIST_DIR=str(dist)) as (
            _,
            lines,
        ),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        output = "".join(lines)
        assert output.index(f"Open {base} and sign in with any user name") < output.index("PrivateGPT API at")
        assert client.get("/c/anything").text == INDEX
        config = client.get("/config.json").json()
        assert config["streamUrl"] == f"http://127.0.0.1:{stream_port}" and config["auth"]["authority"] == base

        # the sign-in as the web app does it, returning to the page's own origin
        flow = Flow()
        redirect = f"{base}{config['auth']['redirectPath']}"
        params = {**flow.params(redirect_uri=redirect), "username": "ada"}
        signed_in = client.post("/oauth/authorize", data=params)
        assert signed_in.status_code == 302, signed_in.text
        code = httpx.URL(signed_in.headers["location"]).params["code"]
        form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID}
        form |= {"redirect_uri": redirect, "code_verifier": flow.verifier}
        tokens = client.post("/oauth/token", data=form, headers={"Origin": WEB_ORIGIN})
        assert tokens.status_code == 200, tokens.text
        assert tokens.headers["access-control-allow-origin"] == WEB_ORIGIN  # Vite's origin is allowed
        headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        me = client.get("/api/me", headers=headers).json()
        assert me["subject"] == "ada" and me["dashboard"] is True

        # a chat turn streamed from the stream app, opened from the page's origin (both loopback names work)
        cid = client.post("/api/chat/conversations", json={}, headers=headers).json()["id"]
        ticket = client.post(
            f"/api/chat/conversations/{cid}/prepare-stream",
            json={"content": "hi", "model": "demo/echo"},
            headers=headers,
        ).json()
        for origin in (f"http://localhost:{port}", base):
            preflight = httpx.options(
                ticket["stream_url"], headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
            )
            assert preflight.headers["access-control-allow-origin"] == origin
        with httpx.stream("GET", ticket["stream_url"], headers={"Origin": base, "Accept": "text/event-stream"}) as sse:
            assert sse.status_code == 200 and sse.headers["access-control-allow-origin"] == base
            assert "event: done" in sse.read().decode()
