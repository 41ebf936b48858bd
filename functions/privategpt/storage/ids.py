"""Time-ordered ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32, 26 chars).

Ids made in one process never go backwards, so messages sort in the order they were appended.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = 0


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def new_id() -> str:
    global _last
    with _lock:
        candidate = (time.time_ns() // 1_000_000) << _RANDOM_BITS | secrets.randbits(_RANDOM_BITS)
        # Same millisecond (or a clock step back): keep strictly increasing.
        _last = candidate if candidate > _last else _last + 1
        return _encode(_last, 26)


def is_id(value: str) -> bool:
    return len(value) == 26 and all(ch in _ALPHABET for ch in value)
