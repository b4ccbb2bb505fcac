"""A one-shot answer: one coroutine waits for a value that another settles once.

Each group-committed write and each call to the memory server (a worker's
recalls or stores, together) waits for an answer like this, thousands per
run. An ``anyio.Event`` per wait costs the event loop ~5 µs more (backend
lookup, the event, its waiter future, the loop check); this is the waiter
future alone. The runtime runs on asyncio only.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class Answer(Generic[T]):
    """Created inside the running loop; settling it twice, or after its waiter was cancelled, changes nothing."""

    __slots__ = ("_future",)

    def __init__(self) -> None:
        self._future: asyncio.Future[T] = asyncio.Future()  # of the running loop; cheaper than create_future()

    @property
    def settled(self) -> bool:
        """Whether a value or an error was given (or the waiter gave up)."""
        return self._future.done()

    def set(self, value: T) -> None:
        """Hand ``value`` to the waiter."""
        if not self._future.done():
            self._future.set_result(value)

    def fail(self, error: BaseException) -> None:
        """Make the waiter raise ``error``."""
        if not self._future.done():
            self._future.set_exception(error)

    async def wait(self) -> T:
        """The value, or the error it was failed with; cancelling the waiter abandons the answer."""
        return await self._future
