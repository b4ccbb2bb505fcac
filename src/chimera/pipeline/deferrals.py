"""Tasks that must wait (a rate limit, an account's pacing): back on the work queue when they are due."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable

import anyio

from chimera.models.records import Task
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker


class Deferrals:
    """A timer heap owned by the run's task group (``run``)."""

    def __init__(self, work: PriorityQueue[Task], tracker: WorkTracker, clock: Callable[[], float] = time.time) -> None:
        self._work = work
        self._tracker = tracker
        self._clock = clock
        self._heap: list[tuple[float, int, Task]] = []
        self._wake = anyio.Event()
        self._n = 0

    def __len__(self) -> int:
        return len(self._heap)

    def defer(self, task: Task, until: float) -> None:
        """Hold ``task`` until ``until``; ``run --until-idle`` does not wait for it (it stays pending in the store)."""
        self._n += 1
        heapq.heappush(self._heap, (until, self._n, task))
        self._tracker.deferred(1)
        self._wake.set()

    async def run(self) -> None:
        """Release due tasks until cancelled."""
        while True:
            if not self._heap:
                self._wake = anyio.Event()
                await self._wake.wait()
                continue
            wait = self._heap[0][0] - self._clock()
            if wait > 0:
                self._wake = anyio.Event()
                with anyio.move_on_after(wait):
                    await self._wake.wait()
                continue
            _, _, task = heapq.heappop(self._heap)
            self._tracker.deferred(-1)
            self._work.put(task, task.priority, task.seq)
