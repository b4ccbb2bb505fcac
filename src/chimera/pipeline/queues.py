"""An in-memory priority queue: lower priority value first, FIFO within a priority."""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Callable
from typing import Final, Generic, TypeVar

import anyio

T = TypeVar("T")

#: Cancelled waiters are swept from the waiting line once there are this many and they are half of it.
_SWEEP_AT = 64

# Final names, not heapq.heappop per call (specs/technical.md, Build): ~150,000 calls a 10,000-agent run.
_PUSH: Final = heapq.heappush
_POP: Final = heapq.heappop


class PriorityQueue(Generic[T]):
    """Unbounded priority queue for the runtime's tasks (asyncio underneath anyio).

    Items are ordered by ``(priority, seq)``; ``seq`` comes from the caller
    (the task's durable sequence number), or from an internal counter when
    the caller has none, so equal priorities keep insertion order.

    A consumer that finds nothing to take waits on a bare future, in a line.
    One consumer at a time is woken: ``put`` wakes the first in line unless
    a woken one has yet to run, and promises it an item (promised items are
    not for anyone else). When it runs, the woken consumer takes the first
    item (so the order is the priority order at that moment), or with
    ``get_many`` a run of them, and passes the wake-up on to the next in
    line if items are left. So a burst of puts wakes one consumer, which
    takes the burst, instead of one consumer per item. A consumer cancelled
    after being woken gives its promise to the next in line: an item never
    sits in the queue while consumers sleep. A cancelled consumer is left in
    the line and skipped, so cancelling thousands of idle workers at
    shutdown costs O(1) each.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, T]] = []
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._promised = 0
        self._abandoned = 0
        self._tiebreak = 0

    def __len__(self) -> int:
        return len(self._heap)

    def put(self, item: T, priority: int, seq: int | None = None) -> None:
        """Add an item; never blocks."""
        self._tiebreak += 1
        _PUSH(self._heap, (priority, self._tiebreak if seq is None else seq, self._tiebreak, item))
        if self._waiters and not self._promised:
            self._wake_one()

    async def get(self) -> T:
        """Remove and return the first item, waiting for one if the queue is empty.

        Always suspends once: with an item ready it still lets other tasks run
        first (and a pending cancellation land), as a loop of gets that never
        waits would otherwise starve them.
        """
        first = await self._take_first()
        self._pass_on()
        return first

    async def get_many(self, limit: int, key: Callable[[T], object] | None = None) -> list[T]:
        """The first item (waiting for one), then up to ``limit - 1`` more that are ready now, in order.

        With ``key``, the run stops at the first item of another key, so each
        batch is of one kind (e.g. one task type), still in priority order.
        """
        batch = [await self._take_first()]
        if key is None:
            batch += self.drain(limit - 1)
        else:
            kind, heap = key(batch[0]), self._heap
            while len(batch) < limit and self._free() and key(heap[0][3]) == kind:
                batch.append(_POP(heap)[3])
        self._pass_on()
        return batch

    async def _take_first(self) -> T:
        if self._free():
            await asyncio.sleep(0)
            if self._free():
                return _POP(self._heap)[3]
        waiter: asyncio.Future[None] = asyncio.Future()
        self._waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._promised -= 1  # woken, then cancelled before taking its item: the next in line gets it
                self._wake_one()
            else:
                waiter.cancel()
                self._abandon()
            raise
        self._promised -= 1
        return _POP(self._heap)[3]

    def get_nowait(self) -> T:
        """Remove and return the first item no waiting consumer was promised; raise anyio.WouldBlock if none."""
        if not self._free():
            raise anyio.WouldBlock
        return _POP(self._heap)[3]

    def drain(self, limit: int) -> list[T]:
        """Remove up to ``limit`` items that are ready now (and promised to no one), in order."""
        return [_POP(self._heap)[3] for _ in range(min(limit, self._free()))]

    def _free(self) -> int:
        """Items queued and not promised to a woken consumer."""
        return len(self._heap) - self._promised

    def _pass_on(self) -> None:
        """After a take: wake the next consumer in line if items are left and no one is woken for them."""
        if self._waiters and not self._promised and self._free():
            self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters and self._free():
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._promised += 1
                return
            self._abandoned -= 1

    def _abandon(self) -> None:
        self._abandoned += 1
        if self._abandoned >= _SWEEP_AT and 2 * self._abandoned >= len(self._waiters):
            self._waiters = deque(w for w in self._waiters if not w.done())
            self._abandoned = 0
