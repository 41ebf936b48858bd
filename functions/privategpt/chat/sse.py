"""Server-sent events on the wire."""

from __future__ import annotations

import json
from typing import Any

HEARTBEAT = b": ping\n\n"


def event(sequence: int, kind: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {sequence}\nevent: {kind}\ndata: {payload}\n\n".encode()
