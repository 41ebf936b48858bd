"""The one place a path a user (or a model) gives becomes a location inside that user's file area.

``clean`` turns the given text into a relative POSIX path of plain segments or refuses it: no absolute path,
no ``.``/``..`` segments, no backslash, no ``%`` (nothing is percent-decoded, so nothing may look encoded), no
NUL, control, line-separator or bidi characters, no empty segment, at most ``files_max_path_chars``. S3 keys
are ``<user prefix>/<clean path>``; a local path is ``inside(root, clean path)``, which also refuses any
symlink on the way and checks the resolved result with ``Path.is_relative_to`` (never a string prefix test:
``/files/alice-evil`` starts with ``/files/alice``).
"""

from __future__ import annotations

import re
from pathlib import Path

from privategpt.errors import ValidationFailed

# C0 and C1 controls, DEL, the line and paragraph separators, bidi embeddings/overrides/isolates.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")
_SEPARATOR = "/"
_DOT_SEGMENTS = frozenset({".", ".."})


class InvalidPath(ValidationFailed):
    code = "invalid_path"


def _refuse(path: str, reason: str) -> InvalidPath:
    return InvalidPath(f"invalid path {path[:80]!r}: {reason}", details={"field": "path", "reason": reason})


def clean(path: str, max_chars: int) -> str:
    """The path as plain relative segments joined by ``/``, or ``InvalidPath`` saying why not."""
    if not path:
        raise _refuse(path, "it is empty")
    if len(path) > max_chars:
        raise _refuse(path, f"it is longer than {max_chars} characters")
    if _FORBIDDEN.search(path):
        raise _refuse(path, "it contains a control character")
    if "\\" in path:
        raise _refuse(path, "use / to separate folders, not \\")
    if "%" in path:
        raise _refuse(path, "% is not allowed (paths are never percent-decoded)")
    if path.startswith(_SEPARATOR):
        raise _refuse(path, "it must be relative to your file area (no leading /)")
    segments = path.split(_SEPARATOR)
    if any(segment == "" for segment in segments):
        raise _refuse(path, "it has an empty segment (// or a trailing /)")
    if any(segment in _DOT_SEGMENTS for segment in segments):
        raise _refuse(path, ". and .. segments are not allowed")
    if any(not segment.strip() for segment in segments):
        raise _refuse(path, "a segment is only spaces")
    return _SEPARATOR.join(segments)


def inside(root: Path, path: str, max_chars: int) -> Path:
    """The local file ``path`` names under ``root`` (which must exist), refusing any way out of it."""
    relative = clean(path, max_chars)
    base = root.resolve(strict=True)
    current = base
    for segment in relative.split(_SEPARATOR):
        current = current / segment
        if current.is_symlink():
            raise _refuse(path, "it goes through a symbolic link")
    resolved = current.resolve()
    if resolved == base or not resolved.is_relative_to(base):
        raise _refuse(path, "it leads outside your file area")
    return resolved
