"""stdio servers that never answer: bounded by the connect timeout, and their process does not outlive the turn."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pytest

from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.types import ToolSpec
from tests.tools.client.conftest import PRINCIPAL, settings_with

pytestmark = pytest.mark.anyio


def _running_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


async def test_a_silent_server_times_out_and_is_stopped(tmp_path: Path) -> None:
    sleep = shutil.which("sleep")
    assert sleep is not None
    seconds = f"{30 + uuid.uuid4().int % 1000}"  # a marker to find this test's process by
    server = {"name": "silent", "transport": "stdio", "command": sleep, "args": [seconds]}
    catalog = ToolCatalog(settings_with(tmp_path, [server], tools_enabled=False, tools_connect_timeout_seconds=0.5))
    started = time.monotonic()
    [listed] = await catalog.servers()
    assert listed.error == "no answer within 0.5 s" and listed.tools == ()
    spec = ToolSpec("silent", "anything", "", {"type": "object"}, "silent__anything")
    async with catalog.session(PRINCIPAL) as session:
        [outcome] = await session.call_all([(spec, {})], timeout=10)
        assert not outcome.ok and "did not connect within 0.5 s" in outcome.content
        [again] = await session.call_all([(spec, {})], timeout=10)  # no second wait in the same turn
        assert not again.ok and again.duration_ms < 100
    assert time.monotonic() - started < 8
    assert _running_with(f"sleep\0{seconds}") == [], "the server process outlived the turn"
