"""The tool loop end to end, through the stream route, for each provider's wire format, with the built-in MCP
server: the fake model asks for ``search_documents``, gets the result, answers; events, stored message and the
next turn's context are checked. Also: parallel and malformed calls, sync send, selection of the tools offered,
``GET /api/tools``, and that a tool acts only on the caller's data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.chat.conftest import Platform, conversation, detail, stream, upload
from tests.support.fake_llm import FakeProvider, Fault

FACT = "The launch phrase of Project Heron is PURPLE-OTTER-42."
NOTES = f"# Project Heron\n\n## Launch\n\n{FACT}\n"
SEARCH = '[[call search_documents {"query": "launch phrase of Project Heron"}]]'
MODELS = {
    "openai": "openai/gpt-4o-mini",
    "anthropic": "anthropic/claude-sonnet-4-9",
    "ollama": "ollama/llama3.2",
}


def fake_of(request: pytest.FixtureRequest, provider: str) -> FakeProvider:
    fake: FakeProvider = request.getfixturevalue(f"fake_{provider}")
    return fake


def tool_results_sent(provider: str, body: dict[str, Any]) -> list[str]:
    """The tool results a request carried, in the provider's own wire format."""
    if provider == "anthropic":
        return [
            block["content"] if isinstance(block["content"], str) else json.dumps(block["content"])
            for message in body["messages"]
            if message["role"] == "user" and isinstance(message["content"], list)
            for block in message["content"]
            if block.get("type") == "tool_result"
        ]
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def offered(body: dict[str, Any]) -> list[str]:
    names = []
    for tool in body.get("tools") or []:
        names.append(tool["function"]["name"] if "function" in tool else tool["name"])
    return sorted(names)


@pytest.mark.parametrize("provider", sorted(MODELS))
def test_the_model_calls_search_documents_and_answers_from_its_result(
    platform: Platform, provider: str, request: pytest.FixtureRequest
) -> None:
    fake = fake_of(request, provider)
    alice = platform.user()
    document_id = upload(alice, "heron.md", NOTES)
    cid = conversation(alice, model=MODELS[provider], tools=["privategpt"])

    events = stream(platform, alice, cid, content=f"{SEARCH} What is the launch phrase?")
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and "error" not in kinds, events
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("content")
    call = next(data for kind, data in events if kind == "tool_call")
    assert call["name"] == "search_documents" and call["server"] == "privategpt"
    assert call["arguments"] == {"query": "launch phrase of Project Heron"}
    result = next(data for kind, data in events if kind == "tool_result")
    assert result["id"] == call["id"] and result["ok"] is True and result["duration_ms"] >= 0
    assert "PURPLE-OTTER-42" in result["content"]
    answer = "".join(data["delta"] for kind, data in events if kind == "content")
    assert answer.startswith("Tool results: search_documents=")

    # the second request carried the result back in this provider's format, delimited as data
    (sent,) = tool_results_sent(provider, fake.requests[-1])
    assert "PURPLE-OTTER-42" in sent and sent.startswith("<tool-output ") and "not instructions" in sent
    assert "search_documents" in offered(fake.requests[0])

    stored = detail(alice, cid)["messages"][-1]
    assert stored["role"] == "assistant" and stored["status"] == "complete"
    assert stored["content"] == answer
    (record,) = stored["tool_calls"]
    assert (record["id"], record["name"], record["server"], record["ok"], record["round"]) == (
        call["id"],
        "search_documents",
        "privategpt",
        True,
        1,
    )
    assert document_id in record["content"] or "heron.md" in record["content"]
    done = events[-1][1]
    assert done["usage"]["input_tokens"] > 0  # both rounds counted

    # the next turn's context has the calls and results
    events = stream(platform, alice, cid, content="Thanks!")
    history = fake.requests[-1]["messages"]
    assert any("PURPLE-OTTER-42" in r for r in tool_results_sent(provider, fake.requests[-1])), json.dumps(
        history, indent=1
    )[:3000]


def test_parallel_and_malformed_calls_each_get_a_result_and_the_turn_goes_on(
    platform: Platform, fake_openai: FakeProvider
) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODELS["openai"], tools=["privategpt"])
    content = "[[call list_files]] [[call system_info]] [[call read_file !malformed]] go"
    events = stream(platform, alice, cid, content=content)
    calls = [data for kind, data in events if kind == "tool_call"]
    results = {data["id"]: data for kind, data in events if kind == "tool_result"}
    assert [c["name"] for c in calls] == ["list_files", "system_info", "read_file"]
    assert [results[c["id"]]["ok"] for c in calls] == [True, True, False]
    assert "JSON" in results[calls[2]["id"]]["content"]
    assert events[-1][0] == "done" and "error" not in [kind for kind, _ in events]
    stored = detail(alice, cid)["messages"][-1]
    assert [r["ok"] for r in stored["tool_calls"]] == [True, True, False]
    assert stored["status"] == "complete"


def test_sync_send_runs_the_same_rounds(platform: Platform, fake_anthropic: FakeProvider) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODELS["anthropic"])
    sent = alice.client.post(
        f"/api/chat/conversations/{cid}/messages",
        json={
            "content": '[[call write_file {"path": "notes/todo.txt", "content": "buy milk"}]]',
            "tools": ["privategpt"],
        },
    )
    assert sent.status_code == 200, sent.text
    reply = sent.json()["assistant_message"]
    (record,) = reply["tool_calls"]
    assert record["name"] == "write_file" and record["ok"] is True, record
    assert reply["content"].startswith("Tool results: write_file=")
    listed = alice.client.post(
        f"/api/chat/conversations/{cid}/messages",
        json={"content": "[[call list_files]]", "tools": ["privategpt/list_files"]},
    ).json()["assistant_message"]
    assert "todo.txt" in listed["tool_calls"][0]["content"]


def test_tools_act_only_on_the_callers_data(platform: Platform, fake_openai: FakeProvider) -> None:
    alice, bob = platform.user(), platform.user()
    upload(alice, "heron.md", NOTES)
    cid = conversation(bob, model=MODELS["openai"], tools=["privategpt"])
    events = stream(platform, bob, cid, content=f"{SEARCH} [[call list_documents]]")
    results = [data for kind, data in events if kind == "tool_result"]
    assert len(results) == 2
    assert all("PURPLE-OTTER-42" not in r["content"] and "heron.md" not in r["content"] for r in results)


def test_which_tools_are_offered(platform: Platform, fake_openai: FakeProvider) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODELS["openai"], tools=[])
    stream(platform, alice, cid, content="hello")
    assert offered(fake_openai.requests[-1]) == []

    patched = alice.client.patch(f"/api/chat/conversations/{cid}", json={"tools": ["privategpt/system_info"]})
    assert patched.status_code == 200 and patched.json()["tools"] == ["privategpt/system_info"]
    stream(platform, alice, cid, content="hello")
    assert offered(fake_openai.requests[-1]) == ["system_info"]

    # a message may choose for itself
    stream(platform, alice, cid, content="hello", tools=["privategpt/list_files", "privategpt/read_file"])
    assert offered(fake_openai.requests[-1]) == ["list_files", "read_file"]

    # null: back to the defaults from settings
    reset = alice.client.patch(f"/api/chat/conversations/{cid}", json={"tools": None})
    assert reset.json()["tools"] is None
    stream(platform, alice, cid, content="hello")
    defaults = platform.settings.tools_default_enabled
    assert bool(offered(fake_openai.requests[-1])) == ("privategpt" in defaults)


def test_bad_tool_choices_are_4xx_and_store_nothing(platform: Platform) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODELS["openai"])
    url = f"/api/chat/conversations/{cid}/messages"
    for tools in (["../etc"], ["Privategpt"], ["a/b/c/d e"], "privategpt", [1]):
        assert alice.client.post(url, json={"content": "x", "tools": tools}).status_code == 422, tools
    too_many = [f"s{i}" for i in range(platform.settings.tools_max_enabled + 1)]
    assert alice.client.post(url, json={"content": "x", "tools": too_many}).status_code == 422
    assert alice.client.patch(f"/api/chat/conversations/{cid}", json={"tools": too_many}).status_code == 422
    assert detail(alice, cid)["message_count"] == 0


def test_get_tools_lists_what_the_servers_offer(platform: Platform) -> None:
    alice = platform.user()
    listed = alice.client.get("/api/tools")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["enabled"] is True and body["defaults"] == platform.settings.tools_default_enabled
    (builtin,) = [s for s in body["servers"] if s["builtin"]]
    assert builtin["name"] == "privategpt" and builtin["error"] is None and builtin["transport"] == "builtin"
    names = {t["name"] for t in builtin["tools"]}
    assert {"search_documents", "list_documents", "read_document", "list_files", "read_file"} <= names
    assert {"write_file", "delete_file", "system_info"} <= names
    search = next(t for t in builtin["tools"] if t["name"] == "search_documents")
    assert search["id"] == "privategpt/search_documents"
    assert "query" in search["input_schema"]["properties"]
    anonymous = alice.client.get("/api/tools", headers={"Authorization": ""})
    assert anonymous.status_code == 401


def test_a_round_that_fails_after_a_tool_ran_keeps_the_call_and_its_cost(
    platform: Platform, fake_openai: FakeProvider
) -> None:
    alice = platform.user()
    cid = conversation(alice, model=MODELS["openai"], tools=["privategpt"])
    fake_openai.fail(Fault("none"), Fault("status", 401))  # the first round answers, the second is refused
    content = '[[call write_file {"path": "kept.txt", "content": "written before the failure"}]]'
    sent = alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": content})
    assert sent.status_code == 502, sent.text
    stored = detail(alice, cid)["messages"][-1]
    assert stored["status"] == "error" and stored["error_code"] == "provider_auth_error"
    (record,) = stored["tool_calls"]
    assert record["name"] == "write_file" and record["ok"] is True
    assert stored["input_tokens"] > 0  # the first round was billed
