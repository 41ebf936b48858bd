from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from privategpt.settings import Settings
from privategpt.storage import messages as message_repository
from privategpt.storage.messages import NewMessage
from tests.support.api import User, assert_error


def _create(user: User, **body: Any) -> dict[str, Any]:
    response = user.client.post("/api/chat/conversations", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_create_defaults_and_fields(alice: User, settings: Settings) -> None:
    plain = _create(alice)
    assert plain["title"] == settings.default_conversation_title
    assert plain["status"] == "active"
    assert plain["message_count"] == plain["total_tokens"] == 0

    named = _create(alice, title="  Trip planning  ", model="gpt-4o-mini")
    assert named["title"] == "Trip planning"
    assert named["model"] == "gpt-4o-mini"


def test_create_rejects_bad_input(alice: User, settings: Settings) -> None:
    assert_error(alice.client.post("/api/chat/conversations", json={"title": ""}), 422, "validation_error")
    assert_error(alice.client.post("/api/chat/conversations", json={"colour": "red"}), 422, "validation_error")
    long_title = "x" * (settings.max_title_chars + 1)
    error = assert_error(
        alice.client.post("/api/chat/conversations", json={"title": long_title}), 422, "validation_error"
    )
    assert error["details"] == {
        "field": "title",
        "limit": settings.max_title_chars,
        "length": len(long_title),
    }
    broken = alice.client.post(
        "/api/chat/conversations", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(broken, 422, "validation_error")
    missing_prompt = alice.client.post(
        "/api/chat/conversations", json={"system_prompt_id": "01aaaaaaaaaaaaaaaaaaaaaaaa"}
    )
    assert_error(missing_prompt, 404, "not_found")


def test_get_returns_messages_in_order(alice: User) -> None:
    conversation = _create(alice, title="ordered")
    for i in range(5):
        message_repository.append_message(
            alice.user_id, conversation["id"], NewMessage(role="user" if i % 2 == 0 else "assistant", content=f"m{i}")
        )
    body = alice.client.get(f"/api/chat/conversations/{conversation['id']}").json()
    assert [m["content"] for m in body["messages"]] == ["m0", "m1", "m2", "m3", "m4"]
    assert body["message_count"] == 5
    assert body["messages_next_cursor"] is None


def test_list_newest_updated_first_with_cursor(make_user: Any) -> None:
    user: User = make_user()
    ids = [_create(user, title=f"c{i}")["id"] for i in range(5)]
    # Renaming the oldest makes it the most recently updated.
    assert user.client.patch(f"/api/chat/conversations/{ids[0]}", json={"title": "renamed"}).status_code == 200
    expected = [ids[0], ids[4], ids[3], ids[2], ids[1]]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = user.client.get("/api/chat/conversations", params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    assert pages >= 3


def test_paging_limits_and_bad_cursor(alice: User, settings: Settings) -> None:
    too_many = alice.client.get("/api/chat/conversations", params={"limit": settings.max_page_size + 1})
    assert_error(too_many, 422, "validation_error")
    assert_error(alice.client.get("/api/chat/conversations", params={"limit": 0}), 422, "validation_error")
    for cursor in ["%%%", "bm90IGpzb24", "WyJQUk9NUFQjeCIsIngiXQ"]:
        response = alice.client.get("/api/chat/conversations", params={"cursor": cursor})
        assert_error(response, 400, "bad_request")


def test_patch_fields(alice: User) -> None:
    conversation = _create(alice, title="before", model="gpt-4o-mini")
    cid = conversation["id"]
    renamed = alice.client.patch(f"/api/chat/conversations/{cid}", json={"title": "after"}).json()
    assert renamed["title"] == "after"
    assert renamed["model"] == "gpt-4o-mini"
    assert renamed["updated_at"] > conversation["updated_at"]
    switched = alice.client.patch(f"/api/chat/conversations/{cid}", json={"model": "openai/gpt-4o-mini"})
    assert switched.status_code == 200, switched.text
    assert switched.json()["model"] == "openai/gpt-4o-mini"
    switched = switched.json()
    assert switched["title"] == "after"
    cleared = alice.client.patch(f"/api/chat/conversations/{cid}", json={"model": None}).json()
    assert cleared["model"] is None
    assert_error(alice.client.patch(f"/api/chat/conversations/{cid}", json={"title": None}), 422, "validation_error")
    prompt = alice.client.post("/api/prompts", json={"name": "p", "content": "Be brief."}).json()
    with_prompt = alice.client.patch(f"/api/chat/conversations/{cid}", json={"system_prompt_id": prompt["id"]})
    assert with_prompt.json()["system_prompt_id"] == prompt["id"]


def test_soft_delete_hides_and_blocks(alice: User) -> None:
    conversation = _create(alice, title="to hide")
    cid = conversation["id"]
    assert alice.client.delete(f"/api/chat/conversations/{cid}").status_code == 204
    assert_error(alice.client.get(f"/api/chat/conversations/{cid}"), 404, "not_found")
    assert_error(alice.client.patch(f"/api/chat/conversations/{cid}", json={"title": "x"}), 404, "not_found")
    assert_error(alice.client.get(f"/api/chat/conversations/{cid}/messages"), 404, "not_found")
    listed = [c["id"] for c in alice.client.get("/api/chat/conversations", params={"limit": 50}).json()["items"]]
    assert cid not in listed
    assert_error(alice.client.delete(f"/api/chat/conversations/{cid}"), 404, "not_found")


def test_hard_delete_removes_everything(alice: User, settings: Settings) -> None:
    conversation = _create(alice, title="to purge")
    cid = conversation["id"]
    user_id = alice.user_id
    for i in range(30):  # more than one 25-item batch
        message_repository.append_message(user_id, cid, NewMessage(role="user", content=f"m{i}"))
    response = alice.client.delete(f"/api/chat/conversations/{cid}", params={"hard_delete": "true"})
    assert response.status_code == 204
    from privategpt.storage import table
    from privategpt.storage.models import TableItem

    left = list(TableItem.query(table.user_pk(user_id), TableItem.sk.startswith(table.conversation_sk(cid))))
    assert left == []
    assert_error(
        alice.client.delete(f"/api/chat/conversations/{cid}", params={"hard_delete": "true"}),
        404,
        "not_found",
    )


def test_hard_delete_purges_a_soft_deleted_conversation(alice: User) -> None:
    cid = _create(alice)["id"]
    assert alice.client.delete(f"/api/chat/conversations/{cid}").status_code == 204
    assert alice.client.delete(f"/api/chat/conversations/{cid}", params={"hard_delete": True}).status_code == 204
    assert_error(alice.client.delete(f"/api/chat/conversations/{cid}", params={"hard_delete": True}), 404, "not_found")


def test_messages_pagination(alice: User) -> None:
    cid = _create(alice)["id"]
    user_id = alice.user_id
    for i in range(7):
        message_repository.append_message(user_id, cid, NewMessage(role="user", content=f"m{i}"))
    contents: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = alice.client.get(f"/api/chat/conversations/{cid}/messages", params=params).json()
        contents += [m["content"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert contents == [f"m{i}" for i in range(7)]
    other = _create(alice)["id"]
    # A cursor from one conversation does not page through another.
    first = alice.client.get(f"/api/chat/conversations/{cid}/messages", params={"limit": 2}).json()
    response = alice.client.get(f"/api/chat/conversations/{other}/messages", params={"cursor": first["next_cursor"]})
    assert_error(response, 400, "bad_request")


def test_unknown_and_malformed_ids_are_404(alice: User) -> None:
    for cid in ["01aaaaaaaaaaaaaaaaaaaaaaaa", "nope", "../../etc", "x" * 300]:
        assert_error(alice.client.get(f"/api/chat/conversations/{cid}"), 404, "not_found")


def test_unknown_or_overlong_model_is_refused(alice: User, settings: Settings) -> None:
    unknown = assert_error(
        alice.client.post("/api/chat/conversations", json={"model": "gpt-4o-mimi"}), 404, "model_not_found"
    )
    assert "gpt-4o-mini" in unknown["details"]["suggestions"]
    cid = _create(alice)["id"]
    assert_error(
        alice.client.patch(f"/api/chat/conversations/{cid}", json={"model": "no-such-model"}), 404, "model_not_found"
    )
    long_model = "m" * (settings.max_model_chars + 1)
    for response in (
        alice.client.post("/api/chat/conversations", json={"model": long_model}),
        alice.client.patch(f"/api/chat/conversations/{cid}", json={"model": long_model}),
        alice.client.post(f"/api/chat/conversations/{cid}/messages", json={"content": "hi", "model": long_model}),
        alice.client.post(f"/api/chat/conversations/{cid}/prepare-stream", json={"content": "hi", "model": long_model}),
        alice.client.post(
            "/api/chat/quick", json={"messages": [{"role": "user", "content": "hi"}], "model": long_model}
        ),
    ):
        error = assert_error(response, 422, "validation_error")
        assert error["details"] == {"field": "model", "limit": settings.max_model_chars, "length": len(long_model)}
        assert long_model not in response.text
    assert alice.client.get(f"/api/chat/conversations/{cid}").json()["model"] is None


def test_titles_refuse_control_characters(alice: User) -> None:
    cid = _create(alice, title="kept")["id"]
    for bad in ["a\x00b", "line\r\nbreak", "tab\there", "evil\u202egnp.exe", "iso\u2066late\u2069", "\u00a0 "]:
        assert_error(alice.client.post("/api/chat/conversations", json={"title": bad}), 422, "validation_error")
        patched = alice.client.patch(f"/api/chat/conversations/{cid}", json={"title": bad})
        assert_error(patched, 422, "validation_error")
    assert alice.client.get(f"/api/chat/conversations/{cid}").json()["title"] == "kept"
    assert _create(alice, title="Café — Lisbon 🇵🇹")["title"] == "Café — Lisbon 🇵🇹"


def test_foreign_or_edited_list_cursor_is_400(alice: User, bob: User) -> None:
    for _ in range(3):
        _create(alice)
        _create(bob)
    alices = alice.client.get("/api/chat/conversations", params={"limit": 1}).json()["next_cursor"]
    assert alices
    assert alice.client.get("/api/chat/conversations", params={"cursor": alices}).status_code == 200
    assert_error(bob.client.get("/api/chat/conversations", params={"cursor": alices}), 400, "bad_request")
    raw = json.loads(base64.urlsafe_b64decode(alices + "=" * (-len(alices) % 4)))
    raw[1] = raw[1][:-1] + ("0" if raw[1][-1] != "0" else "1")  # another position, same check
    edited = base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")
    assert_error(alice.client.get("/api/chat/conversations", params={"cursor": edited}), 400, "bad_request")


def test_openapi_states_the_limits_from_settings(anonymous: httpx.Client, settings: Settings) -> None:
    document = anonymous.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["ConversationCreate"]["properties"]["title"]["anyOf"][0]["maxLength"] == settings.max_title_chars
    assert schemas["ConversationUpdate"]["properties"]["title"]["maxLength"] == settings.max_title_chars
    assert schemas["ConversationUpdate"]["properties"]["model"]["anyOf"][0]["maxLength"] == settings.max_model_chars
    listing = document["paths"]["/api/chat/conversations"]["get"]
    (limit,) = [p for p in listing["parameters"] if p["name"] == "limit"]
    assert limit["schema"]["anyOf"][0]["maximum"] == settings.max_page_size == 50  # the test settings' value
    assert set(listing["responses"]) == {"200", "400", "401", "403", "422", "503"}
    error = listing["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "x-limit-from-setting" not in json.dumps(document)


def _seed(user: User, cid: str, count: int) -> list[str]:
    ids = []
    for i in range(count):
        role = "user" if i % 2 == 0 else "assistant"
        ids.append(
            message_repository.append_message(user.user_id, cid, NewMessage(role=role, content=f"m{i}")).message_id
        )
    return ids


def test_delete_messages_from_one_cuts_the_rest(alice: User) -> None:
    cid = _create(alice)["id"]
    ids = _seed(alice, cid, 5)
    response = alice.client.delete(f"/api/chat/conversations/{cid}/messages", params={"from_id": ids[2]})
    assert response.status_code == 204, response.text
    body = alice.client.get(f"/api/chat/conversations/{cid}").json()
    assert [m["content"] for m in body["messages"]] == ["m0", "m1"]
    assert body["message_count"] == 2
    # the conversation goes on: a new message lands after the cut
    _seed(alice, cid, 1)
    assert alice.client.get(f"/api/chat/conversations/{cid}").json()["message_count"] == 3


def test_delete_messages_refuses_unknown_or_foreign_ids(alice: User, bob: User) -> None:
    cid = _create(alice)["id"]
    ids = _seed(alice, cid, 3)
    other = _create(alice)["id"]
    other_ids = _seed(alice, other, 1)
    url = f"/api/chat/conversations/{cid}/messages"
    for bad in ["nope", "01aaaaaaaaaaaaaaaaaaaaaaaa", other_ids[0], "x" * 500]:
        assert_error(alice.client.delete(url, params={"from_id": bad}), 404, "not_found")
    assert_error(alice.client.delete(url), 422, "validation_error")
    # another user's conversation is a 404, and nothing of alice's is touched
    assert_error(bob.client.delete(url, params={"from_id": ids[0]}), 404, "not_found")
    assert alice.client.get(f"/api/chat/conversations/{cid}").json()["message_count"] == 3
