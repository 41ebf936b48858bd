from __future__ import annotations

from typing import Any

from privategpt.settings import Settings
from tests.support.api import User, assert_error


def _prompt(**fields: Any) -> dict[str, Any]:
    return {"name": "Concise", "content": "Answer briefly.", **fields}


def test_user_prompt_crud(alice: User) -> None:
    created = alice.client.post("/api/prompts", json=_prompt(model_pattern="claude-*"))
    assert created.status_code == 201, created.text
    prompt = created.json()
    assert prompt["scope"] == "user"
    assert prompt["model_pattern"] == "claude-*"
    assert prompt["is_default"] is False

    assert alice.client.get(f"/api/prompts/{prompt['id']}").json() == prompt
    replaced = alice.client.put(f"/api/prompts/{prompt['id']}", json=_prompt(name="Terse", content="One line.")).json()
    assert (replaced["name"], replaced["content"], replaced["model_pattern"]) == ("Terse", "One line.", None)
    ids = [p["id"] for p in alice.client.get("/api/prompts").json()["items"]]
    assert prompt["id"] in ids

    assert alice.client.delete(f"/api/prompts/{prompt['id']}").status_code == 204
    assert_error(alice.client.get(f"/api/prompts/{prompt['id']}"), 404, "not_found")
    assert_error(alice.client.delete(f"/api/prompts/{prompt['id']}"), 404, "not_found")


def test_one_default_per_model_pattern(alice: User) -> None:
    first = alice.client.post("/api/prompts", json=_prompt(model_pattern="gpt-*", is_default=True)).json()
    other_pattern = alice.client.post("/api/prompts", json=_prompt(model_pattern="claude-*", is_default=True)).json()
    second = alice.client.post("/api/prompts", json=_prompt(model_pattern="gpt-*", is_default=True)).json()
    by_id = {p["id"]: p for p in alice.client.get("/api/prompts").json()["items"]}
    assert by_id[first["id"]]["is_default"] is False
    assert by_id[second["id"]]["is_default"] is True
    assert by_id[other_pattern["id"]]["is_default"] is True


def test_global_prompts_admin_only_and_readable_by_all(admin: User, alice: User) -> None:
    assert_error(alice.client.post("/api/prompts", json=_prompt(scope="global")), 403, "forbidden")
    created = admin.client.post("/api/prompts", json=_prompt(name="House style", scope="global"))
    assert created.status_code == 201, created.text
    shared = created.json()
    assert shared["scope"] == "global"

    assert alice.client.get(f"/api/prompts/{shared['id']}").json()["name"] == "House style"
    assert shared["id"] in [p["id"] for p in alice.client.get("/api/prompts").json()["items"]]
    assert_error(alice.client.put(f"/api/prompts/{shared['id']}", json=_prompt()), 403, "forbidden")
    assert_error(alice.client.delete(f"/api/prompts/{shared['id']}"), 403, "forbidden")
    # A conversation may use a global prompt.
    conversation = alice.client.post("/api/chat/conversations", json={"system_prompt_id": shared["id"]})
    assert conversation.status_code == 201

    updated = admin.client.put(f"/api/prompts/{shared['id']}", json=_prompt(name="House style v2"))
    assert updated.json()["name"] == "House style v2"
    assert admin.client.delete(f"/api/prompts/{shared['id']}").status_code == 204
    assert_error(alice.client.get(f"/api/prompts/{shared['id']}"), 404, "not_found")


def test_prompt_validation(alice: User, settings: Settings) -> None:
    assert_error(alice.client.post("/api/prompts", json={"name": "x"}), 422, "validation_error")
    assert_error(alice.client.post("/api/prompts", json=_prompt(content="")), 422, "validation_error")
    assert_error(alice.client.post("/api/prompts", json=_prompt(scope="team")), 422, "validation_error")
    too_long = _prompt(content="y" * (settings.max_prompt_content_chars + 1))
    error = assert_error(alice.client.post("/api/prompts", json=too_long), 422, "validation_error")
    assert error["details"]["field"] == "content"
    pattern = _prompt(model_pattern="*" * (settings.max_model_pattern_chars + 1))
    assert_error(alice.client.post("/api/prompts", json=pattern), 422, "validation_error")
    # PUT cannot move a prompt between scopes.
    prompt = alice.client.post("/api/prompts", json=_prompt()).json()
    assert_error(
        alice.client.put(f"/api/prompts/{prompt['id']}", json=_prompt(scope="global")),
        422,
        "validation_error",
    )


def test_names_refuse_control_characters(alice: User) -> None:
    kept = alice.client.post("/api/prompts", json=_prompt(name="  Kept  ")).json()
    assert kept["name"] == "Kept"
    for bad in ["a\x00b", "two\nlines", "cr\rhere", "rtl\u202egnp", "iso\u2067late", "   "]:
        assert_error(alice.client.post("/api/prompts", json=_prompt(name=bad)), 422, "validation_error")
        assert_error(alice.client.put(f"/api/prompts/{kept['id']}", json=_prompt(name=bad)), 422, "validation_error")
    assert alice.client.get(f"/api/prompts/{kept['id']}").json()["name"] == "Kept"
    # content is free text: newlines are fine there
    assert alice.client.post("/api/prompts", json=_prompt(content="line one\nline two")).status_code == 201


def test_flags_are_booleans_not_numbers(alice: User) -> None:
    assert_error(alice.client.post("/api/prompts", json=_prompt(is_default=0)), 422, "validation_error")
