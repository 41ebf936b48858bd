"""The file area over both stores (the data directory, and S3 on the session's moto): text in and out in
bounded slices, the quotas, folders, and one user's files never reaching another's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from privategpt.dev.local_aws import LocalAWS
from privategpt.errors import AppError, Conflict, NotFound, PayloadTooLarge
from privategpt.settings import Settings
from privategpt.tools.files.area import NotText, QuotaExceeded, UserFiles
from privategpt.tools.files.paths import InvalidPath
from privategpt.tools.files.stores import LocalFileStore, S3FileStore
from tests.conftest import make_settings

MAX_BYTES = 100
MAX_COUNT = 3
MAX_TOTAL = 250
READ_CHARS = 10

Area = Callable[[str], UserFiles]


def _limits(**overrides: object) -> dict[str, object]:
    return {
        "files_max_bytes": MAX_BYTES,
        "files_max_count": MAX_COUNT,
        "files_max_total_bytes": MAX_TOTAL,
        "tools_read_max_chars": READ_CHARS,
        **overrides,
    }


@pytest.fixture(params=["local", "s3"])
def area(request: pytest.FixtureRequest, tmp_path: Path) -> Area:
    if request.param == "local":
        settings = make_settings(data_dir=tmp_path, **_limits())
    else:
        aws: LocalAWS = request.getfixturevalue("local_aws")
        bucket = f"files-{uuid.uuid4().hex[:12]}"
        aws.s3().create_bucket(Bucket=bucket)
        settings = make_settings(data_dir=tmp_path, aws_endpoint_url=aws.endpoint_url, files_bucket=bucket, **_limits())

    def of(user_id: str) -> UserFiles:
        return UserFiles(settings, user_id)

    return of


def test_store_follows_the_settings(tmp_path: Path, local_aws: LocalAWS) -> None:
    local = UserFiles(make_settings(data_dir=tmp_path), "alice").store
    assert isinstance(local, LocalFileStore)
    assert local.root == tmp_path / "files" / "alice"
    remote = UserFiles(make_settings(files_bucket="b", aws_endpoint_url=local_aws.endpoint_url), "alice").store
    assert isinstance(remote, S3FileStore)
    assert remote.prefix == "files/alice/"


def test_write_read_list_delete(area: Area) -> None:
    files = area("alice")
    written = files.write("notes/todo.md", "héllo wörld, this is long")
    assert written.created and written.size == len("héllo wörld, this is long".encode())
    assert files.write("a.txt", "x").total_files == 2

    first = files.read("notes/todo.md")
    assert first.text == "héllo wörl" and first.truncated and first.next_start == READ_CHARS
    rest = files.read("notes/todo.md", start=first.next_start or 0, max_chars=100)
    assert rest.text == "d, this is" and rest.next_start == 2 * READ_CHARS
    assert files.read("notes/todo.md", start=20, max_chars=3).text == " lo"

    listing = files.list()
    assert [f.path for f in listing.files] == ["a.txt", "notes/todo.md"]
    assert listing.total_files == 2 and listing.limits.max_files == MAX_COUNT
    assert [f.path for f in files.list("notes").files] == ["notes/todo.md"]
    assert files.list("no").files == []  # a folder is matched whole, not as a name prefix

    assert files.delete("notes/todo.md").deleted
    with pytest.raises(NotFound):
        files.read("notes/todo.md")
    with pytest.raises(NotFound):
        files.delete("notes/todo.md")
    assert [f.path for f in files.list().files] == ["a.txt"]


def test_modes(area: Area) -> None:
    files = area("alice")
    files.write("log.txt", "one\n", mode="append")
    files.write("log.txt", "two\n", mode="append")
    assert files.read("log.txt").text == "one\ntwo\n"
    with pytest.raises(Conflict):
        files.write("log.txt", "again", mode="create")
    assert not files.write("log.txt", "new", mode="overwrite").created
    assert files.read("log.txt").text == "new"


def test_quotas(area: Area) -> None:
    files = area("alice")
    with pytest.raises(PayloadTooLarge):
        files.write("big.txt", "x" * (MAX_BYTES + 1))
    files.write("a.txt", "x" * MAX_BYTES)
    files.write("b.txt", "x" * MAX_BYTES)
    with pytest.raises(QuotaExceeded, match="bytes"):
        files.write("c.txt", "x" * (MAX_TOTAL - 2 * MAX_BYTES + 1))
    files.write("c.txt", "x")
    with pytest.raises(QuotaExceeded, match="files"):
        files.write("d.txt", "x")
    files.write("c.txt", "y")  # replacing a file is no new file
    with pytest.raises(PayloadTooLarge):
        files.write("a.txt", "x", mode="append")
    assert files.list().total_bytes == 2 * MAX_BYTES + 1


def test_file_and_folder_cannot_share_a_name(area: Area) -> None:
    files = area("alice")
    files.write("notes/a.txt", "x")
    with pytest.raises(InvalidPath, match="folder"):
        files.write("notes", "x")
    with pytest.raises(InvalidPath, match="on the way"):
        files.write("notes/a.txt/b.txt", "x")


def test_only_text(area: Area) -> None:
    files = area("alice")
    files.store.put("bin.dat", b"\xff\xfe\x00binary")
    with pytest.raises(NotText):
        files.read("bin.dat")


def test_bad_paths_never_reach_the_store(area: Area) -> None:
    files = area("alice")
    for bad in ("../bob/x.txt", "/abs.txt", "a\\b.txt", "%2e%2e/x", "a\x00b"):
        with pytest.raises(InvalidPath):
            files.write(bad, "x")
        with pytest.raises(InvalidPath):
            files.read(bad)
        with pytest.raises(InvalidPath):
            files.delete(bad)
    assert files.list().files == []


def test_users_are_apart_even_with_prefix_names(area: Area) -> None:
    """alice and alice-evil: neither lists, reads or deletes the other's files."""
    alice, evil = area("alice"), area("alice-evil")
    evil.write("loot.txt", "evil's")
    alice.write("mine.txt", "alice's")
    assert [f.path for f in alice.list().files] == ["mine.txt"]
    assert [f.path for f in evil.list().files] == ["loot.txt"]
    with pytest.raises(AppError):
        alice.read("../alice-evil/loot.txt")
    with pytest.raises(NotFound):
        alice.read("loot.txt")
    with pytest.raises(NotFound):
        alice.delete("loot.txt")
    assert evil.read("loot.txt").text == "evil's"


def test_local_symlinks_are_neither_listed_nor_followed(tmp_path: Path) -> None:
    settings: Settings = make_settings(data_dir=tmp_path, **_limits())
    files = UserFiles(settings, "alice")
    files.write("ok.txt", "fine")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "files" / "alice"
    (root / "link.txt").symlink_to(outside)
    (root / "dir").symlink_to(tmp_path, target_is_directory=True)
    assert [f.path for f in files.list().files] == ["ok.txt"]
    for attempt in ("link.txt", "dir/outside.txt"):
        with pytest.raises(InvalidPath):
            files.read(attempt)
        with pytest.raises(InvalidPath):
            files.write(attempt, "overwritten")
        with pytest.raises(InvalidPath):
            files.delete(attempt)
    assert outside.read_text() == "secret"


def test_reading_makes_nothing_on_disk(tmp_path: Path) -> None:
    files = UserFiles(make_settings(data_dir=tmp_path, **_limits()), "newcomer")
    assert files.list().files == []
    with pytest.raises(NotFound):
        files.read("a.txt")
    with pytest.raises(NotFound):
        files.delete("a.txt")
    with pytest.raises(InvalidPath):
        files.read("../a.txt")
    assert not (tmp_path / "files" / "newcomer").exists()
    files.write("a.txt", "x")
    assert (tmp_path / "files" / "newcomer" / "a.txt").read_text() == "x"
