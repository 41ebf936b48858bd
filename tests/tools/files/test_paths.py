"""Path safety: every way out of a user's file area is refused, by ``paths.clean`` and on disk by
``paths.inside`` (symlinks, and the ``/files/alice`` vs ``/files/alice-evil`` prefix trap)."""

from __future__ import annotations

from pathlib import Path

import pytest

from privategpt.tools.files import paths
from privategpt.tools.files.paths import InvalidPath

MAX = 64


@pytest.mark.parametrize(
    "path",
    [
        "",
        "..",
        "../secret.txt",
        "notes/../../secret.txt",
        "notes/..",
        "./notes.txt",
        "notes/./a.txt",
        "/etc/passwd",
        "//server/share",
        "notes\\..\\..\\secret.txt",
        "..\\secret.txt",
        "C:\\Windows\\win.ini",
        "%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "notes%00.txt",
        "notes\x00.txt",
        "notes\n.txt",
        "notes\r.txt",
        "notes\t.txt",
        "notes\x1b.txt",
        "notes\x7f.txt",
        "notes\u202e.txt",
        "notes\u2028.txt",
        "notes//a.txt",
        "notes/",
        "   ",
        "notes/  /a.txt",
        "a" * (MAX + 1),
    ],
)
def test_refused(path: str) -> None:
    with pytest.raises(InvalidPath) as raised:
        paths.clean(path, MAX)
    assert raised.value.code == "invalid_path"
    assert raised.value.status_code == 422


@pytest.mark.parametrize(
    "path", ["notes.txt", "notes/2026/todo.md", "a" * MAX, "...", "..notes", "notes..txt", "ünïcode/ファイル.txt"]
)
def test_accepted(path: str) -> None:
    assert paths.clean(path, MAX) == path


def _user_roots(tmp_path: Path) -> tuple[Path, Path]:
    alice = tmp_path / "files" / "alice"
    evil = tmp_path / "files" / "alice-evil"
    alice.mkdir(parents=True)
    evil.mkdir(parents=True)
    (evil / "loot.txt").write_text("not alice's")
    return alice, evil


def test_inside_resolves_within_the_root(tmp_path: Path) -> None:
    alice, _ = _user_roots(tmp_path)
    assert paths.inside(alice, "notes/a.txt", MAX) == alice.resolve() / "notes" / "a.txt"


def test_prefix_sibling_is_not_inside(tmp_path: Path) -> None:
    """``/files/alice-evil`` starts with ``/files/alice``: only ``is_relative_to`` tells them apart."""
    alice, evil = _user_roots(tmp_path)
    assert str(evil / "loot.txt").startswith(str(alice))  # the trap a string prefix check falls into
    for attempt in ("../alice-evil/loot.txt", "/" + str(evil / "loot.txt"), str(evil / "loot.txt")):
        with pytest.raises(InvalidPath):
            paths.inside(alice, attempt, 4 * MAX)


def test_symlink_to_a_sibling_is_refused(tmp_path: Path) -> None:
    alice, evil = _user_roots(tmp_path)
    (alice / "link").symlink_to(evil, target_is_directory=True)
    (alice / "file-link.txt").symlink_to(evil / "loot.txt")
    for attempt in ("link/loot.txt", "link", "file-link.txt"):
        with pytest.raises(InvalidPath, match="symbolic link"):
            paths.inside(alice, attempt, MAX)


def test_symlink_inside_the_root_is_refused_too(tmp_path: Path) -> None:
    """Even a link that stays inside is refused: nothing under a user's root is followed."""
    alice, _ = _user_roots(tmp_path)
    (alice / "real").mkdir()
    (alice / "alias").symlink_to(alice / "real", target_is_directory=True)
    with pytest.raises(InvalidPath):
        paths.inside(alice, "alias/a.txt", MAX)


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    alice, _ = _user_roots(tmp_path)
    (alice / "new.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(InvalidPath):
        paths.inside(alice, "new.txt", MAX)
    assert not (tmp_path / "outside.txt").exists()


def test_root_that_is_reached_through_a_symlink_still_works(tmp_path: Path) -> None:
    """The operator's data directory may itself be a link; only what is below the user's root is checked."""
    real = tmp_path / "real-data"
    (real / "alice").mkdir(parents=True)
    (tmp_path / "data").symlink_to(real, target_is_directory=True)
    assert paths.inside(tmp_path / "data" / "alice", "a.txt", MAX) == real.resolve() / "alice" / "a.txt"
