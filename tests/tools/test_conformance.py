"""The official MCP conformance suite (npm @modelcontextprotocol/conformance 0.1.16) against our built-in server.

Every server scenario the suite knows is either run here (APPLICABLE: it must pass, with at least one real
check) or skipped with its reason (SKIPPED). A skip is not taken on faith: its premise (the fixture tool,
prompt, resource or capability it needs is absent, the server is stateless) is checked against what the server
says about itself, so a skip goes stale loudly when the server grows the feature.

The suite's server mode has no way to send credentials (its client is built from the URL alone), and the suite
has no server-side auth scenarios (its ``auth/*`` scenarios test clients). So the suite talks to the real app
through a test-only wrapper that adds a real bearer token, verified by the app as usual; the last test shows
the same app refuses the suite without it (401 with ``WWW-Authenticate: Bearer resource_metadata=...``).

Both ways the server is served run: the tools app (``create_tools_app``, the tools Lambda) and the API app with
its ``/mcp`` route (``privategpt dev``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.types import ASGIApp

from privategpt.settings import Settings
from tests.support.conformance import (
    FAILURE,
    INFO,
    RUN_TIMEOUT_SECONDS,
    SUCCESS,
    Check,
    ServerFacts,
    probe,
    require_suite,
    run_scenario,
    server_scenarios,
    with_bearer,
)
from tests.support.issuer import TestIssuer, new_subject
from tests.support.server import serve

MCP_PATH = "/mcp"

# Scenario -> what it verifies on our server.
APPLICABLE: dict[str, str] = {
    "server-initialize": "the 2025-11-25 initialize handshake and initialized notification over Streamable HTTP",
    "ping": "ping answers an empty result",
    "tools-list": "every tool has a name, a description and an inputSchema",
    "resources-list": "resources/list answers a well-formed (empty) list",
    "prompts-list": "prompts/list answers a well-formed (empty) list",
    "dns-rebinding-protection": "Host/Origin evil.example.com is refused with a 4xx even with a valid token; "
    "localhost is accepted",
}


@dataclass(frozen=True)
class Skip:
    reason: str
    holds: Callable[[ServerFacts], bool]


def lacks_tools(*names: str) -> Callable[[ServerFacts], bool]:
    return lambda facts: not facts.tools.intersection(names)


def lacks_capability(name: str) -> Callable[[ServerFacts], bool]:
    return lambda facts: name not in facts.capabilities


def lacks_prompts(*names: str) -> Callable[[ServerFacts], bool]:
    return lambda facts: not facts.prompts.intersection(names)


def lacks_resources(*uris: str) -> Callable[[ServerFacts], bool]:
    return lambda facts: not facts.resources.intersection(uris) and not facts.resource_templates.intersection(uris)


def stateless(facts: ServerFacts) -> bool:
    return facts.session_id is None


def every(*premises: Callable[[ServerFacts], bool]) -> Callable[[ServerFacts], bool]:
    return lambda facts: all(premise(facts) for premise in premises)


EVERYTHING = "the suite's reference test server (everything-server)"
NO_SERVER_REQUESTS = "our server is stateless with JSON responses, so it never sends requests to the client"

SKIPPED: dict[str, Skip] = {
    "logging-set-level": Skip(
        "our server does not declare the `logging` capability (it sends no log notifications)",
        lacks_capability("logging"),
    ),
    "completion-complete": Skip(
        f"completes an argument of the prompt `test_prompt_with_arguments` of {EVERYTHING}; "
        "our server has no prompts and does not declare `completions`",
        every(lacks_capability("completions"), lacks_prompts("test_prompt_with_arguments")),
    ),
    "tools-call-simple-text": Skip(
        f"calls the fixture tool `test_simple_text` of {EVERYTHING}; against our server it would pass only on "
        "the 'Unknown tool' error result, checking nothing",
        lacks_tools("test_simple_text"),
    ),
    "tools-call-image": Skip(
        f"calls the fixture tool `test_image_content` of {EVERYTHING}", lacks_tools("test_image_content")
    ),
    "tools-call-audio": Skip(
        f"calls the fixture tool `test_audio_content` of {EVERYTHING}", lacks_tools("test_audio_content")
    ),
    "tools-call-embedded-resource": Skip(
        f"calls the fixture tool `test_embedded_resource` of {EVERYTHING}", lacks_tools("test_embedded_resource")
    ),
    "tools-call-mixed-content": Skip(
        f"calls the fixture tool `test_multiple_content_types` of {EVERYTHING}",
        lacks_tools("test_multiple_content_types"),
    ),
    "tools-call-with-logging": Skip(
        f"calls the fixture tool `test_tool_with_logging` of {EVERYTHING}; our server declares no `logging`",
        every(lacks_tools("test_tool_with_logging"), lacks_capability("logging")),
    ),
    "tools-call-error": Skip(
        f"calls the fixture tool `test_error_handling` of {EVERYTHING}; against our server it would pass only on "
        "the 'Unknown tool' error result (our tools' own error results are tested in tests/tools/server)",
        lacks_tools("test_error_handling"),
    ),
    "tools-call-with-progress": Skip(
        f"calls the fixture tool `test_tool_with_progress` of {EVERYTHING}", lacks_tools("test_tool_with_progress")
    ),
    "tools-call-sampling": Skip(
        f"calls the fixture tool `test_sampling` of {EVERYTHING}; {NO_SERVER_REQUESTS} (no sampling)",
        lacks_tools("test_sampling"),
    ),
    "tools-call-elicitation": Skip(
        f"calls the fixture tool `test_elicitation` of {EVERYTHING}; {NO_SERVER_REQUESTS} (no elicitation)",
        lacks_tools("test_elicitation"),
    ),
    "elicitation-sep1034-defaults": Skip(
        f"calls the fixture tool `test_elicitation_sep1034_defaults` of {EVERYTHING}; {NO_SERVER_REQUESTS}",
        lacks_tools("test_elicitation_sep1034_defaults"),
    ),
    "elicitation-sep1330-enums": Skip(
        f"calls the fixture tool `test_elicitation_sep1330_enums` of {EVERYTHING}; {NO_SERVER_REQUESTS}",
        lacks_tools("test_elicitation_sep1330_enums"),
    ),
    "json-schema-2020-12": Skip(
        f"pending in the suite; lists the fixture tool `json_schema_2020_12_tool` of {EVERYTHING}",
        lacks_tools("json_schema_2020_12_tool"),
    ),
    "server-sse-polling": Skip(
        f"pending in the suite; calls the fixture tool `test_reconnection` of {EVERYTHING} and needs resumable SSE "
        "streams with event ids; our server answers with JSON, not SSE",
        every(lacks_tools("test_reconnection"), stateless),
    ),
    "server-sse-multiple-streams": Skip(
        "needs an Mcp-Session-Id; our server is stateless and sends none, so the scenario only records the "
        "WARNING 'Server did not provide session ID' and checks nothing",
        stateless,
    ),
    "resources-read-text": Skip(
        f"reads the fixture resource `test://static-text` of {EVERYTHING}; our server offers no resources",
        lacks_resources("test://static-text"),
    ),
    "resources-read-binary": Skip(
        f"reads the fixture resource `test://static-binary` of {EVERYTHING}; our server offers no resources",
        lacks_resources("test://static-binary"),
    ),
    "resources-templates-read": Skip(
        f"reads the fixture template `test://template/{{id}}/data` of {EVERYTHING}; our server offers no resources",
        lacks_resources("test://template/{id}/data"),
    ),
    "resources-subscribe": Skip(
        f"subscribes to the fixture resource `test://watched-resource` of {EVERYTHING}; our server offers no "
        "resources and, stateless, cannot send update notifications",
        every(lacks_resources("test://watched-resource"), stateless),
    ),
    "resources-unsubscribe": Skip(
        f"subscribes to and unsubscribes from the fixture resource `test://watched-resource` of {EVERYTHING}; "
        "our server offers no resources and, stateless, cannot send update notifications",
        every(lacks_resources("test://watched-resource"), stateless),
    ),
    "prompts-get-simple": Skip(
        f"gets the fixture prompt `test_simple_prompt` of {EVERYTHING}; our server offers no prompts",
        lacks_prompts("test_simple_prompt"),
    ),
    "prompts-get-with-args": Skip(
        f"gets the fixture prompt `test_prompt_with_arguments` of {EVERYTHING}; our server offers no prompts",
        lacks_prompts("test_prompt_with_arguments"),
    ),
    "prompts-get-embedded-resource": Skip(
        f"gets the fixture prompt `test_prompt_with_embedded_resource` of {EVERYTHING}; our server offers no prompts",
        lacks_prompts("test_prompt_with_embedded_resource"),
    ),
    "prompts-get-with-image": Skip(
        f"gets the fixture prompt `test_prompt_with_image` of {EVERYTHING}; our server offers no prompts",
        lacks_prompts("test_prompt_with_image"),
    ),
}


@dataclass(frozen=True)
class Served:
    """One way our MCP server is served: through the token-adding wrapper (for the suite), and bare."""

    name: str
    url: str  # the suite's URL: a real token is added to each request
    bare_url: str  # the same app, no token added
    token: str


def tools_app(settings: Settings) -> ASGIApp:
    from privategpt.tools.server.http import create_tools_app

    return create_tools_app(settings)


def api_app(settings: Settings) -> ASGIApp:
    from privategpt.app import create_app

    return create_app(settings)


APPS = {"tools-app": tools_app, "api-app": api_app}


@pytest.fixture(scope="module")
def suite() -> str:
    return require_suite()


@pytest.fixture(scope="module")
def served(suite: str, settings: Settings, issuer: TestIssuer) -> Iterator[list[Served]]:
    token = issuer.token(new_subject())
    with ExitStack() as stack:
        result = []
        for name, build in APPS.items():
            app = build(settings)
            url = stack.enter_context(serve(with_bearer(app, token)))
            bare = stack.enter_context(serve(app))
            result.append(Served(name, url + MCP_PATH, bare + MCP_PATH, token))
        yield result


@pytest.fixture(scope="module")
def facts(served: list[Served]) -> dict[str, ServerFacts]:
    return {server.name: probe(server.url, server.token) for server in served}


def test_suite_is_installed(suite: str) -> None:
    assert suite.startswith("v")


def test_every_server_scenario_is_run_or_skipped_with_a_reason(suite: str) -> None:
    known = set(server_scenarios())
    assert not set(APPLICABLE) & set(SKIPPED), "a scenario is both run and skipped"
    assert set(APPLICABLE) | set(SKIPPED) == known, (
        f"new in the suite (decide: run or skip with a reason): {sorted(known - set(APPLICABLE) - set(SKIPPED))}; "
        f"gone from the suite: {sorted((set(APPLICABLE) | set(SKIPPED)) - known)}"
    )
    assert all(skip.reason for skip in SKIPPED.values())


@pytest.mark.parametrize("scenario", sorted(APPLICABLE))
def test_applicable_scenario_passes(scenario: str, served: list[Served], tmp_path: Path) -> None:
    problems: list[str] = []
    for server in served:
        checks = run_scenario(server.url, scenario, tmp_path / server.name)
        bad = [check for check in checks if check.status not in (SUCCESS, INFO)]
        problems += [f"[{server.name}] {check.describe()}" for check in bad]
        if not any(check.status == SUCCESS for check in checks):
            problems.append(f"[{server.name}] {scenario}: no successful check ({[c.status for c in checks]})")
    assert not problems, f"conformance scenario {scenario} ({APPLICABLE[scenario]}):\n" + "\n".join(problems)


@pytest.mark.parametrize("scenario", sorted(SKIPPED))
def test_skipped_scenario(scenario: str, facts: dict[str, ServerFacts]) -> None:
    skip = SKIPPED[scenario]
    stale = [name for name, server_facts in facts.items() if not skip.holds(server_facts)]
    assert not stale, f"{scenario} is skipped because {skip.reason}, but that no longer holds on {stale}: run it"
    pytest.skip(f"conformance {scenario}: {skip.reason}")


def test_server_facts_behind_the_skips(facts: dict[str, ServerFacts]) -> None:
    expected_tools = {
        "search_documents",
        "list_documents",
        "read_document",
        "list_files",
        "read_file",
        "write_file",
        "delete_file",
        "system_info",
    }
    for name, server_facts in facts.items():
        assert server_facts.protocol_version == "2025-11-25", name
        assert server_facts.tools == expected_tools, name
        assert not server_facts.resources and not server_facts.resource_templates and not server_facts.prompts, name


def test_the_suite_without_a_token_is_refused(served: list[Served], settings: Settings, tmp_path: Path) -> None:
    for server in served:
        checks: list[Check] = run_scenario(server.bare_url, "server-initialize", tmp_path / server.name)
        assert [check.status for check in checks] == [FAILURE], (server.name, checks)
        assert "Error POSTing to endpoint" in (checks[0].error or ""), checks[0].describe()

        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        response = httpx.post(server.bare_url, json=ping, timeout=RUN_TIMEOUT_SECONDS)
        assert response.status_code == 401, (server.name, response.text)
        challenge = response.headers["www-authenticate"]
        found = re.search(r'resource_metadata="([^"]+)"', challenge)
        assert challenge.startswith("Bearer ") and found, (server.name, challenge)
        described = httpx.get(found[1], timeout=RUN_TIMEOUT_SECONDS)
        assert described.status_code == 200, (server.name, described.text)
        assert described.json()["resource"] == server.bare_url, (server.name, described.json())
        assert described.json()["authorization_servers"] == [settings.auth_issuer], (server.name, described.json())
