"""A user's file area as the tools see it: text files (UTF-8), read in bounded slices, written within the
quotas (``files_max_bytes`` per file, ``files_max_count`` files, ``files_max_total_bytes`` in all).

Quotas are checked against a listing taken just before the write: two writes racing each other may together
pass a quota by one file's worth. Synchronous (S3 or the disk): the tools run these in the thread pool.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from privategpt.errors import AppError, Conflict, NotFound, ValidationFailed
from privategpt.settings import Settings
from privategpt.tools.files import paths
from privategpt.tools.files.models import (
    FileDeleted,
    FileEntry,
    FileLimits,
    FileListing,
    FileText,
    FileWritten,
)
from privategpt.tools.files.stores import FileStore, StoredFile, store_for, too_large

WriteMode = Literal["overwrite", "append", "create"]


class QuotaExceeded(AppError):
    status_code: ClassVar[int] = 409
    code: ClassVar[str] = "quota_exceeded"


class NotText(ValidationFailed):
    code = "not_text"


def file_not_found(path: str) -> NotFound:
    return NotFound(f"no file {path!r} in your file area", details={"path": path})


class UserFiles:
    def __init__(self, settings: Settings, user_id: str, store: FileStore | None = None) -> None:
        self.settings = settings
        self.store = store or store_for(settings, user_id)

    def _clean(self, path: str) -> str:
        return paths.clean(path, self.settings.files_max_path_chars)

    def limits(self) -> FileLimits:
        s = self.settings
        return FileLimits(
            max_file_bytes=s.files_max_bytes,
            max_files=s.files_max_count,
            max_total_bytes=s.files_max_total_bytes,
            max_path_chars=s.files_max_path_chars,
        )

    def list(self, folder: str | None = None) -> FileListing:
        entries = self.store.entries()
        shown = entries
        if folder:
            prefix = self._clean(folder.rstrip("/")) + "/"
            shown = [entry for entry in entries if entry.path.startswith(prefix)]
        return FileListing(
            files=[FileEntry(path=e.path, size=e.size, modified=e.modified) for e in shown],
            count=len(shown),
            total_bytes=sum(e.size for e in entries),
            total_files=len(entries),
            limits=self.limits(),
        )

    def _text(self, path: str, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotText(f"{path!r} is not a UTF-8 text file", details={"path": path}) from exc

    def read(self, path: str, *, start: int = 0, max_chars: int | None = None) -> FileText:
        path = self._clean(path)
        data = self.store.get(path, self.settings.files_max_bytes)
        if data is None:
            raise file_not_found(path)
        text = self._text(path, data)
        return slice_text(path, text, start, max_chars, self.settings.tools_read_max_chars)

    def write(self, path: str, content: str, mode: WriteMode = "overwrite") -> FileWritten:
        path = self._clean(path)
        entries = self.store.entries()
        sizes = {entry.path: entry.size for entry in entries}
        _check_shape(path, entries)
        existing = path in sizes
        if existing and mode == "create":
            raise Conflict(f"{path!r} already exists", details={"path": path})
        data = content.encode("utf-8")
        if mode == "append" and existing:
            if len(data) + sizes[path] > self.settings.files_max_bytes:
                raise too_large(len(data) + sizes[path], self.settings.files_max_bytes)
            old = self.store.get(path, self.settings.files_max_bytes) or b""
            self._text(path, old)
            data = old + data
        if len(data) > self.settings.files_max_bytes:
            raise too_large(len(data), self.settings.files_max_bytes)
        if not existing and len(entries) >= self.settings.files_max_count:
            raise QuotaExceeded(
                f"you have {len(entries)} files, the most allowed: delete one first",
                details={"limit": self.settings.files_max_count},
            )
        total = sum(sizes.values()) - sizes.get(path, 0) + len(data)
        if total > self.settings.files_max_total_bytes:
            raise QuotaExceeded(
                f"your files would take {total} bytes; at most {self.settings.files_max_total_bytes} are allowed",
                details={"limit_bytes": self.settings.files_max_total_bytes, "total_bytes": total},
            )
        self.store.put(path, data)
        return FileWritten(
            path=path,
            size=len(data),
            created=not existing,
            total_bytes=total,
            total_files=len(entries) + (0 if existing else 1),
        )

    def delete(self, path: str) -> FileDeleted:
        path = self._clean(path)
        if not self.store.remove(path):
            raise file_not_found(path)
        return FileDeleted(path=path, deleted=True)


def _check_shape(path: str, entries: list[StoredFile]) -> None:
    """A file may not stand where a folder of other files is, nor a folder where a file is (S3 would allow
    both; the disk would not)."""
    folder = path + "/"
    for entry in entries:
        if entry.path.startswith(folder):
            raise paths.InvalidPath(f"invalid path {path!r}: it is a folder of other files")
        if path.startswith(entry.path + "/"):
            raise paths.InvalidPath(f"invalid path {path!r}: {entry.path!r} on the way is a file")


def slice_text(name: str, text: str, start: int, max_chars: int | None, limit: int) -> FileText:
    """``max_chars`` (at most ``limit``) characters of ``text`` from ``start``."""
    if start < 0:
        raise ValidationFailed("start must be 0 or more", details={"field": "start"})
    if start > len(text):
        raise ValidationFailed(
            f"start is past the end ({len(text)} characters)", details={"field": "start", "total_chars": len(text)}
        )
    count = min(max_chars or limit, limit)
    if count <= 0:
        raise ValidationFailed("max_chars must be 1 or more", details={"field": "max_chars"})
    end = min(start + count, len(text))
    truncated = end < len(text)
    return FileText(
        path=name,
        text=text[start:end],
        start=start,
        end=end,
        total_chars=len(text),
        truncated=truncated,
        next_start=end if truncated else None,
    )
