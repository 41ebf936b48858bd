"""User B tries every route with user A's ids: 404 every time, and A's data is unchanged."""

from __future__ import annotations

from typing import Any

from privategpt.storage import messages as message_repository
from privategpt.storage.messages import NewMessage
from tests.support.api import User, assert_error


def _snapshot(user: User, conversation_id: str, prompt_id: str) -> dict[str, Any]:
    conversation = user.client.get(f"/api/chat/conversations/{conversation_id}").json()
    return {
        "conversation": conversation,
        "messages": user.client.get(f"/api/chat/conversations/{conversation_id}/messages").json(),
        "prompt": user.client.get(f"/api/prompts/{prompt_id}").json(),
        "list": user.client.get("/api/chat/conversations").json(),
    }


def test_user_b_cannot_reach_user_a(alice: User, bob: User) -> None:
    conversation = alice.client.post("/api/chat/conversations", json={"title": "private"}).json()
    cid = conversation["id"]
    message_repository.append_message(alice.user_id, cid, NewMessage(role="user", content="my secret"))
    prompt = alice.client.post("/api/prompts", json={"name": "mine", "content": "secret prompt"}).json()
    pid = prompt["id"]
    before = _snapshot(alice, cid, pid)

    attempts = [
        ("GET", f"/api/chat/conversations/{cid}", None, None),
        ("PATCH", f"/api/chat/conversations/{cid}", {"title": "pwned"}, None),
        ("DELETE", f"/api/chat/conversations/{cid}", None, None),
        ("DELETE", f"/api/chat/conversations/{cid}", None, {"hard_delete": "true"}),
        ("GET", f"/api/chat/conversations/{cid}/messages", None, None),
        ("GET", f"/api/prompts/{pid}", None, None),
        ("PUT", f"/api/prompts/{pid}", {"name": "pwned", "content": "x"}, None),
        ("DELETE", f"/api/prompts/{pid}", None, None),
        ("POST", "/api/chat/conversations", {"system_prompt_id": pid}, None),
        ("PATCH", f"/api/chat/conversations/{bob_conversation(bob)}", {"system_prompt_id": pid}, None),
    ]
    for method, path, body, params in attempts:
        response = bob.client.request(method, path, json=body, params=params)
        error = assert_error(response, 404, "not_found")
        assert "secret" not in response.text, (method, path, error)

    assert cid not in [c["id"] for c in bob.client.get("/api/chat/conversations").json()["items"]]
    assert pid not in [p["id"] for p in bob.client.get("/api/prompts").json()["items"]]
    # Alice's list cursor handed to Bob is refused (it is bound to her partition) and shows nothing of hers.
    alice.client.post("/api/chat/conversations", json={"title": "second"})
    cursor = alice.client.get("/api/chat/conversations", params={"limit": 1}).json()["next_cursor"]
    assert cursor
    page = bob.client.get("/api/chat/conversations", params={"cursor": cursor})
    assert page.status_code == 400
    assert "private" not in page.text

    after = _snapshot(alice, cid, pid)
    before["list"]["items"] = [c for c in before["list"]["items"] if c["id"] == cid]
    after["list"]["items"] = [c for c in after["list"]["items"] if c["id"] == cid]
    assert after == before


def bob_conversation(bob: User) -> str:
    created: str = bob.client.post("/api/chat/conversations", json={}).json()["id"]
    return created
