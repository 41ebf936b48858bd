from __future__ import annotations

from privategpt.storage.ids import is_id, new_id


def test_ids_are_unique_sortable_and_well_formed() -> None:
    ids = [new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(is_id(i) for i in ids)
    assert not is_id("0" * 25)
    assert not is_id("U" * 26)  # outside Crockford's lower-case alphabet
