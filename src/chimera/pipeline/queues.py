"""An in-memory priority queue: lower priority value first, FIFO within a priority."""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from typing import Generic, TypeVar

import anyio

T = TypeVar("T")

_Entry = tuple[int, int, int, T]
"""(priority, seq, insertion counter, item): the heap's order."""

#: Cancelled waiters are swept from the waiting line once there are this many and they are half of it.
_SWEEP_AT = 64


class PriorityQueue(Generic[T]):
    """Unbounded priority queue for the runtime's tasks (asyncio underneath anyio).

    Items are ordered by ``(priority, seq)``; ``seq`` comes from the caller
    (the task's durable sequence number), or from an internal counter when
    the caller has none, so equal priorities keep insertion order.

    A consumer that finds the queue empty waits on a bare future, in a line;
    ``put`` hands the item straight to the first consumer still waiting (the
    queue is empty whenever someone waits, so that item is the first one).
    A consumer cancelled after being handed an item puts it back, so nothing
    is lost. A cancelled consumer is left in the line and skipped, so
    cancelling thousands of idle workers at shutdown costs O(1) each.
    """

    def __init__(self) -> None:
        self._heap: list[_Entry[T]] = []
        self._waiters: deque[asyncio.Future[_Entry[T]]] = deque()
        self._abandoned = 0
        self._tiebreak = 0

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, item: T, priority: int, seq: int | None = None) -> None:
        """Add an item; never blocks."""
        self._tiebreak += 1
        self._offer((priority, self._tiebreak if seq is None else seq, self._tiebreak, item))

    async def get(self) -> T:
        """Remove and return the first item, waiting for one if the queue is empty.

        Always suspends once: with an item ready it still lets other tasks run
        first (and a pending cancellation land), as a loop of gets that never
        waits would otherwise starve them.
        """
        if self._heap:
            await asyncio.sleep(0)
            if self._heap:
                return heapq.heappop(self._heap)[3]
        waiter: asyncio.Future[_Entry[T]] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return (await waiter)[3]
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._offer(waiter.result())  # handed an item, then cancelled before taking it
            else:
                waiter.cancel()
                self._abandon()
            raise

    def get_nowait(self) -> T:
        """Remove and return the first item; raise anyio.WouldBlock if empty."""
        if not self._heap:
            raise anyio.WouldBlock
        return heapq.heappop(self._heap)[3]

    def drain(self, limit: int) -> list[T]:
        """Remove up to ``limit`` items that are ready now, in order."""
        out: list[T] = []
        while self._heap and len(out) < limit:
            out.append(heapq.heappop(self._heap)[3])
        return out

    def _offer(self, entry: _Entry[T]) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(entry)
                return
            self._abandoned -= 1
        heapq.heappush(self._heap, entry)

    def _abandon(self) -> None:
        self._abandoned += 1
        if self._abandoned >= _SWEEP_AT and 2 * self._abandoned >= len(self._waiters):
            self._waiters = deque(w for w in self._waiters if not w.done())
            self._abandoned = 0
