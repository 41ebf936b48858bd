"""The built-in server through the in-process client: discovered with tools/list, each call acting as the turn's
user."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from privategpt.auth.principal import Principal
from privategpt.tools.client.catalog import ToolCatalog
from privategpt.tools.types import ToolOutcome
from tests.tools.client.conftest import PRINCIPAL, settings_with

pytestmark = pytest.mark.anyio


async def test_the_builtin_server_comes_first_and_is_listed(tmp_path: Path) -> None:
    catalog = ToolCatalog(settings_with(tmp_path, [{"name": "other", "transport": "stdio", "command": "false"}]))
    builtin, other = await catalog.servers()
    assert (builtin.name, builtin.builtin, builtin.transport, builtin.error) == ("privategpt", True, "builtin", None)
    names = {spec.name for spec in builtin.tools}
    assert {"system_info", "list_files", "search_documents"} <= names
    assert all(spec.model_name == spec.name and spec.id == f"privategpt/{spec.name}" for spec in builtin.tools)
    assert (other.name, other.builtin, other.tools) == ("other", False, ())
    assert other.error is not None

    specs = await catalog.specs(["privategpt/system_info", "privategpt/nope", "nosuch"])
    assert [spec.id for spec in specs] == ["privategpt/system_info"]
    assert {spec.id for spec in await catalog.specs(["privategpt"])} == {spec.id for spec in builtin.tools}


async def test_tools_disabled_leaves_the_builtin_server_out(tmp_path: Path) -> None:
    catalog = ToolCatalog(settings_with(tmp_path, None, tools_enabled=False))
    assert await catalog.servers() == []
    assert await catalog.specs(["privategpt"]) == ()


async def test_each_call_acts_as_the_sessions_user(tmp_path: Path) -> None:
    catalog = ToolCatalog(settings_with(tmp_path, None))
    [info] = await catalog.specs(["privategpt/system_info"])
    bob = Principal(user_id="user-b", issuer="https://issuer.test", subject="b")
    seen: dict[str, list[ToolOutcome]] = {}

    async def turn(principal: Principal) -> None:
        async with catalog.session(principal) as session:
            seen[principal.user_id] = await session.call_all([(info, {}), (info, {})], timeout=5)
            seen[principal.user_id] += await session.call_all([(info, {})], timeout=5)

    async with anyio.create_task_group() as group:
        group.start_soon(turn, PRINCIPAL)
        group.start_soon(turn, bob)
    for user, outcomes in seen.items():
        assert len(outcomes) == 3
        assert all(o.ok and json.loads(o.content)["user_id"] == user for o in outcomes)
        assert outcomes[0].structured is not None and outcomes[0].structured["user_id"] == user
    assert set(seen) == {"user-a", "user-b"}


async def test_failures_are_outcomes(tmp_path: Path) -> None:
    catalog = ToolCatalog(settings_with(tmp_path, None))
    [read] = await catalog.specs(["privategpt/read_file"])
    [info] = await catalog.specs(["privategpt/system_info"])
    unknown = read.__class__("elsewhere", "x", "", {}, "elsewhere__x")
    async with catalog.session(PRINCIPAL) as session:
        bad_json, wrong_args, not_a_server, fine = await session.call_all(
            [(info, {"_raw": '{"a": '}), (read, {"nope": 1}), (unknown, {}), (info, {"_raw": "{}"})], timeout=5
        )
    assert not bad_json.ok and bad_json.content.startswith("the arguments were not valid JSON: Expecting value")
    assert not wrong_args.ok and wrong_args.content
    assert not not_a_server.ok and "no tool server named 'elsewhere'" in not_a_server.content
    assert fine.ok
