"""Objects that belong to one event loop (locks, semaphores, HTTP connection pools).

``privategpt dev`` probes providers in one loop and serves in another, and a Lambda handler may see a new
loop per invocation; an asyncio object used from a loop it was not made in fails. ``LoopLocal`` keeps one
instance per running loop and forgets it when the loop is gone.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        value = self._by_loop.get(loop)
        if value is None:
            value = self._by_loop[loop] = self._factory()
        return value

    def pop(self) -> T | None:
        try:
            return self._by_loop.pop(asyncio.get_running_loop(), None)
        except RuntimeError:
            return None
