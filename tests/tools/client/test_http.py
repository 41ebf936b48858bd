"""The client against a real MCP server over Streamable HTTP on loopback: the SSRF guard, headers, redirects,
timeouts and the tools/list cache."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.types import ToolSpec
from tests.tools.client.conftest import PRINCIPAL, settings_with
from tests.tools.client.mcp_http import Recorder, running

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def remote() -> Iterator[tuple[str, Recorder]]:
    with running() as server:
        yield server


def entry(url: str, **extra: Any) -> dict[str, Any]:
    return {"name": "remote", "transport": "http", "url": url, **extra}


def catalog_for(tmp_path: Path, *servers: dict[str, Any], **overrides: Any) -> ToolCatalog:
    return ToolCatalog(settings_with(tmp_path, list(servers), tools_enabled=False, **overrides))


async def tool(catalog: ToolCatalog, tool_id: str) -> ToolSpec:
    specs = {spec.id: spec for spec in await catalog.specs([tool_id.split("/")[0]])}
    return specs[tool_id]


async def test_loopback_is_refused_without_allow_private_network(tmp_path: Path, remote: tuple[str, Recorder]) -> None:
    base, recorder = remote
    before = len(recorder.headers)
    for url in (f"{base}/mcp", base.replace("127.0.0.1", "localhost") + "/mcp"):
        catalog = catalog_for(tmp_path, entry(url))
        [server] = await catalog.servers()
        assert server.tools == ()
        assert server.error is not None and "loopback address" in server.error
        spec = ToolSpec("remote", "echo", "", {"type": "object"}, "remote__echo")
        async with catalog.session(PRINCIPAL) as session:
            [outcome] = await session.call_all([(spec, {"text": "hi"})], timeout=5)
        assert not outcome.ok and "loopback address" in outcome.content
    assert len(recorder.headers) == before  # nothing reached the server


async def test_allowed_private_network_lists_and_calls_with_headers(
    tmp_path: Path, remote: tuple[str, Recorder]
) -> None:
    base, recorder = remote
    catalog = catalog_for(
        tmp_path, entry(f"{base}/mcp", allow_private_network=True, headers={"X-Team": "chat"}, title="Remote")
    )
    [server] = await catalog.servers()
    assert server.error is None and server.title == "Remote" and server.transport == "http"
    assert {spec.name for spec in server.tools} == {"echo", "slow"}
    echo = next(spec for spec in server.tools if spec.name == "echo")
    assert echo.model_name == "remote__echo" and echo.input_schema["properties"]["text"]["type"] == "string"
    async with catalog.session(PRINCIPAL) as session:
        [one, two] = await session.call_all([(echo, {"text": "a"}), (echo, {"text": "b"})], timeout=5)
    assert (one.ok, one.content, two.content) == (True, "echo: a", "echo: b")
    assert one.duration_ms > 0
    assert recorder.headers[-1]["x-team"] == "chat"


async def test_a_redirect_is_not_followed(tmp_path: Path, remote: tuple[str, Recorder]) -> None:
    base, recorder = remote
    catalog = catalog_for(tmp_path, entry(f"{base}/redirect", allow_private_network=True))
    before = recorder.count("tools/list")
    [server] = await catalog.servers()
    assert server.error is not None and "redirect (HTTP 307)" in server.error
    assert recorder.count("tools/list") == before  # the same-origin /mcp it pointed to was never asked


async def test_an_http_error_names_its_status(tmp_path: Path, remote: tuple[str, Recorder]) -> None:
    base, _ = remote
    catalog = catalog_for(tmp_path, entry(f"{base}/denied", allow_private_network=True))
    [server] = await catalog.servers()
    assert server.error == "the server answered HTTP 401"


async def test_a_slow_tool_times_out_and_the_session_goes_on(tmp_path: Path, remote: tuple[str, Recorder]) -> None:
    base, _ = remote
    catalog = catalog_for(tmp_path, entry(f"{base}/mcp", allow_private_network=True), tools_call_timeout_seconds=0.5)
    slow, echo = await tool(catalog, "remote/slow"), await tool(catalog, "remote/echo")
    async with catalog.session(PRINCIPAL) as session:
        started = time.monotonic()
        [late, quick] = await session.call_all([(slow, {"seconds": 5}), (echo, {"text": "x"})], timeout=30)
        assert time.monotonic() - started < 3
        assert not late.ok and "0.5 s" in late.content
        assert quick.ok and quick.content == "echo: x"
        [again] = await session.call_all([(slow, {"seconds": 0.01})], timeout=0.2)  # the round's own bound
        assert again.ok and again.content == "done"
        [short] = await session.call_all([(slow, {"seconds": 5})], timeout=0.2)
        assert not short.ok and "0.2 s" in short.content


async def test_tools_list_is_cached_for_the_ttl(tmp_path: Path, remote: tuple[str, Recorder]) -> None:
    base, recorder = remote
    cached = catalog_for(tmp_path, entry(f"{base}/mcp", allow_private_network=True), tools_list_ttl_seconds=60)
    before = recorder.count("tools/list")
    for _ in range(3):
        assert len((await cached.servers())[0].tools) == 2
        await cached.specs(["remote"])
    assert recorder.count("tools/list") == before + 1

    short = catalog_for(tmp_path, entry(f"{base}/mcp", allow_private_network=True), tools_list_ttl_seconds=0.2)
    before = recorder.count("tools/list")
    await short.servers()
    await short.servers()
    time.sleep(0.3)
    await short.servers()
    assert recorder.count("tools/list") == before + 2


async def test_an_unreachable_server_is_an_error_not_an_exception(tmp_path: Path) -> None:
    from privategpt.dev.dynamodb_local import free_port

    catalog = catalog_for(
        tmp_path,
        entry(f"http://127.0.0.1:{free_port()}/mcp", allow_private_network=True),
        tools_connect_timeout_seconds=2,
    )
    [server] = await catalog.servers()
    assert server.error is not None and "could not reach the server" in server.error
    spec = ToolSpec("remote", "echo", "", {"type": "object"}, "remote__echo")
    async with catalog.session(PRINCIPAL) as session:
        [outcome] = await session.call_all([(spec, {"text": "hi"})], timeout=5)
    assert not outcome.ok and "unavailable" in outcome.content


async def test_the_turns_own_exception_and_cancellation_pass_through(
    tmp_path: Path, remote: tuple[str, Recorder]
) -> None:
    base, _ = remote
    catalog = catalog_for(tmp_path, entry(f"{base}/mcp", allow_private_network=True))
    slow, echo = await tool(catalog, "remote/slow"), await tool(catalog, "remote/echo")

    with pytest.raises(ValueError, match="the turn's own"):  # not wrapped in an ExceptionGroup
        async with catalog.session(PRINCIPAL) as session:
            [done] = await session.call_all([(echo, {"text": "x"})], timeout=5)
            assert done.ok
            raise ValueError("the turn's own")

    started = time.monotonic()
    with anyio.move_on_after(0.3) as scope:
        async with catalog.session(PRINCIPAL) as session:
            await session.call_all([(slow, {"seconds": 5})], timeout=30)
    assert scope.cancelled_caught and time.monotonic() - started < 3

    async def stream() -> AsyncGenerator[str]:  # a streaming response closed by its client mid-turn
        async with catalog.session(PRINCIPAL) as session:
            [first] = await session.call_all([(echo, {"text": "one"})], timeout=5)
            yield first.content
            yield "never"

    events = stream()
    assert await anext(events) == "echo: one"
    await events.aclose()


@pytest.mark.parametrize(("parallel", "at_least", "below"), [(1, 0.6, 10.0), (3, 0.0, 0.55)])
async def test_parallel_calls_are_limited(
    tmp_path: Path, remote: tuple[str, Recorder], parallel: int, at_least: float, below: float
) -> None:
    base, _ = remote
    catalog = catalog_for(tmp_path, entry(f"{base}/mcp", allow_private_network=True), tools_max_parallel_calls=parallel)
    slow = await tool(catalog, "remote/slow")
    async with catalog.session(PRINCIPAL) as session:
        await session.call_all([(slow, {"seconds": 0.01})], timeout=5)  # connected before the clock starts
        started = time.monotonic()
        outcomes = await session.call_all([(slow, {"seconds": 0.2})] * 3, timeout=5)
        elapsed = time.monotonic() - started
    assert all(o.ok for o in outcomes)
    assert at_least <= elapsed < below
