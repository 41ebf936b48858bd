"""Server-sent events on the wire."""

from __future__ import annotations

import json
from typing import Any

HEARTBEAT = b": ping\n\n"

# One encoder for every event: ``json.dumps`` with non-default options builds a new one per call.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def event(sequence: int, kind: str, data: dict[str, Any]) -> bytes:
    return f"id: {sequence}\nevent: {kind}\ndata: {_encode(data)}\n\n".encode()
