"""Where a user's files live: an S3 bucket under ``files/<user_id>/``, or without a bucket the local directory
``<data_dir>/files/<user_id>``. A store deals in bytes and paths ``paths.clean`` already accepted; quotas and
text rules are ``area``'s."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from privategpt.errors import PayloadTooLarge, ServiceUnavailable
from privategpt.settings import Settings
from privategpt.tools.files import paths

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

S3_PREFIX: Final = "files/"
LOCAL_DIR: Final = "files"
_TEMP_PREFIX: Final = ".pgpt-write-"
_MISSING: Final = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    modified: datetime


def too_large(size: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file would be {size} bytes; a file may be at most {limit} bytes",
        details={"limit_bytes": limit, "size": size},
    )


class FileStore(Protocol):
    def entries(self) -> list[StoredFile]: ...

    def get(self, path: str, max_bytes: int) -> bytes | None:
        """The file's bytes, None when there is none; ``PayloadTooLarge`` above ``max_bytes``."""

    def put(self, path: str, data: bytes) -> None: ...

    def remove(self, path: str) -> bool:
        """False when there was no such file."""


class LocalFileStore:
    def __init__(self, root: Path, max_path_chars: int) -> None:
        self.root = root
        self._max_path_chars = max_path_chars

    def _path(self, path: str) -> Path | None:
        """Where the file is; None while the user's root does not exist (the first write makes it)."""
        if not self.root.is_dir():
            paths.clean(path, self._max_path_chars)  # a bad path is refused all the same
            return None
        return paths.inside(self.root, path, self._max_path_chars)

    def entries(self) -> list[StoredFile]:
        if not self.root.is_dir():
            return []
        root = self.root.resolve()
        found: list[StoredFile] = []
        for directory, folders, files in os.walk(root, followlinks=False):
            folders[:] = [name for name in folders if not (Path(directory) / name).is_symlink()]
            for name in files:
                file = Path(directory) / name
                if name.startswith(_TEMP_PREFIX) or file.is_symlink() or not file.is_file():
                    continue
                stat = file.stat()
                found.append(
                    StoredFile(
                        file.relative_to(root).as_posix(), stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)
                    )
                )
        return sorted(found, key=lambda entry: entry.path)

    def get(self, path: str, max_bytes: int) -> bytes | None:
        file = self._path(path)
        if file is None:
            return None
        try:
            descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        with os.fdopen(descriptor, "rb") as handle:
            if not Path(file).is_file():
                return None
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_large(file.stat().st_size, max_bytes)
        return data

    def put(self, path: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        file = paths.inside(self.root, path, self._max_path_chars)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise paths.InvalidPath(f"invalid path {path!r}: a folder on the way is a file") from exc
        if file.is_dir():
            raise paths.InvalidPath(f"invalid path {path!r}: it is a folder")
        # Written aside, then renamed over: a reader sees the old file or the new one, never half of one.
        descriptor, temporary = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=file.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            Path(temporary).replace(file)
        except BaseException:
            with suppress(FileNotFoundError):
                Path(temporary).unlink()
            raise

    def remove(self, path: str) -> bool:
        file = self._path(path)
        if file is None or not file.is_file():
            return False
        file.unlink()
        root = self.root.resolve()
        for folder in file.parents:  # empty folders left behind go too
            if folder == root or not folder.is_relative_to(root):
                break
            try:
                folder.rmdir()
            except OSError:
                break
        return True


@contextmanager
def _s3(what: str) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable(f"{what} failed: the file storage cannot be reached") from exc


def _missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING


class S3FileStore:
    def __init__(self, client: S3Client, bucket: str, user_id: str) -> None:
        self._client = client
        self._bucket = bucket
        self.prefix = f"{S3_PREFIX}{user_id}/"  # the slash: user "alice" never lists "alice-evil/"

    def _key(self, path: str) -> str:
        return self.prefix + path

    def entries(self) -> list[StoredFile]:
        found: list[StoredFile] = []
        with _s3("listing your files"):
            for page in self._client.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item.get("Key", "")
                    if key.startswith(self.prefix) and len(key) > len(self.prefix):
                        modified = item.get("LastModified") or datetime.now(UTC)
                        found.append(StoredFile(key[len(self.prefix) :], int(item.get("Size", 0)), modified))
        return sorted(found, key=lambda entry: entry.path)

    def get(self, path: str, max_bytes: int) -> bytes | None:
        with _s3("reading the file"):
            try:
                response = self._client.get_object(Bucket=self._bucket, Key=self._key(path))
            except Exception as exc:
                if _missing(exc):
                    return None
                raise
            body = response["Body"]
            try:
                if response["ContentLength"] > max_bytes:
                    raise too_large(response["ContentLength"], max_bytes)
                data = body.read(max_bytes + 1)
            finally:
                body.close()
        if len(data) > max_bytes:
            raise too_large(len(data), max_bytes)
        return data

    def put(self, path: str, data: bytes) -> None:
        with _s3("writing the file"):
            self._client.put_object(
                Bucket=self._bucket, Key=self._key(path), Body=data, ContentType="text/plain; charset=utf-8"
            )

    def remove(self, path: str) -> bool:
        with _s3("deleting the file"):
            try:
                self._client.head_object(Bucket=self._bucket, Key=self._key(path))
            except Exception as exc:
                if _missing(exc):
                    return False
                raise
            self._client.delete_object(Bucket=self._bucket, Key=self._key(path))
        return True


def store_for(settings: Settings, user_id: str) -> FileStore:
    """The user's store: S3 when ``files_bucket`` is set, else the data directory."""
    if settings.files_bucket:
        from privategpt.aws_clients import s3_client

        return S3FileStore(s3_client(settings), settings.files_bucket, user_id)
    return LocalFileStore(settings.data_dir / LOCAL_DIR / user_id, settings.files_max_path_chars)
