"""An in-memory priority queue: lower priority value first, FIFO within a priority."""

from __future__ import annotations

import heapq
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")


class PriorityQueue(Generic[T]):
    """Unbounded priority queue for anyio tasks.

    Items are ordered by ``(priority, seq)``; ``seq`` comes from the caller
    (the task's durable sequence number), or from an internal counter when
    the caller has none, so equal priorities keep insertion order. A
    semaphore counts the items, so a cancelled ``get`` never loses one.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, T]] = []
        self._count = anyio.Semaphore(0)
        self._tiebreak = 0

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, item: T, priority: int, seq: int | None = None) -> None:
        """Add an item; never blocks."""
        self._tiebreak += 1
        heapq.heappush(self._heap, (priority, self._tiebreak if seq is None else seq, self._tiebreak, item))
        self._count.release()

    async def get(self) -> T:
        """Remove and return the first item, waiting for one if the queue is empty."""
        await self._count.acquire()
        return heapq.heappop(self._heap)[3]

    def get_nowait(self) -> T:
        """Remove and return the first item; raise anyio.WouldBlock if empty."""
        self._count.acquire_nowait()
        return heapq.heappop(self._heap)[3]

    def drain(self, limit: int) -> list[T]:
        """Remove up to ``limit`` items that are ready now, in order."""
        out: list[T] = []
        while len(out) < limit:
            try:
                out.append(self.get_nowait())
            except anyio.WouldBlock:
                break
        return out
