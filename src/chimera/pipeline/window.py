"""The cycle window: how many planned cycles may be unfinished at once.

A planned cycle waits in the work queue until workers and the Judge get to
it, so planning far more cycles than the pipeline finishes per second only
makes every cycle slower (Little's law: time in flight = cycles in flight /
cycles finished per second). With a limit the planner takes new requests
only while there is room; requests wait in its inbox instead, and a cycle's
time from planning to its last decision stays short. A cycle leaves the
window when every task of it is approved, or when one is escalated (the
rest waits for a human).
"""

from __future__ import annotations

from collections.abc import Sequence

from chimera.models.work import ESCALATE, REJECT, Verdict
from chimera.pipeline.signal import Signal

UNLIMITED = 1 << 30
#: The window ``chimera bench`` uses by default: at ~3,000 cycles finished per
#: second on a 2-core machine it keeps p95 of a cycle near 1.4 s, 70% of the
#: 2 s that RW-1 allows; a smaller window leaves the loop idle while the cycles
#: in flight wait for the model, a larger one only makes cycles longer
#: (specs/performance.md).
BENCH_WINDOW = 4_000


class CycleWindow:
    """Counts cycles in flight against ``limit`` (0: no limit)."""

    def __init__(self, limit: int = 0) -> None:
        self.limit = limit
        self._cycle_of: dict[str, str] = {}
        self._left: dict[str, int] = {}
        self._tasks: dict[str, tuple[str, ...]] = {}
        self._room = Signal(is_set=True)
        self.peak = 0
        """Most cycles ever in flight at once."""

    @property
    def in_flight(self) -> int:
        """Cycles planned and not finished."""
        return len(self._left)

    @property
    def room(self) -> int:
        """How many more cycles may start now."""
        return UNLIMITED if self.limit <= 0 else max(0, self.limit - len(self._left))

    @property
    def refill(self) -> int:
        """How much room is worth waiting for: planning a few cycles per commit wastes the commit."""
        return max(1, self.limit // 8)

    async def wait_for_room(self, need: int = 1) -> None:
        """Return once at least ``need`` more cycles may start."""
        while self.room < need:
            self._room.clear()
            await self._room.wait()

    def started(self, task_ids: Sequence[str]) -> None:
        """A cycle of these tasks was planned."""
        if self.limit <= 0 or not task_ids:
            return
        cycle = task_ids[0]
        self._left[cycle] = len(task_ids)
        self._tasks[cycle] = tuple(task_ids)
        for task_id in task_ids:
            self._cycle_of[task_id] = cycle
        self.peak = max(self.peak, len(self._left))

    def decided(self, task_id: str, verdict: Verdict) -> None:
        """The Judge decided a task: approved counts it done, escalated ends its cycle, rejected retries it."""
        cycle = self._cycle_of.get(task_id)
        if cycle is None or verdict == REJECT:
            return
        self._left[cycle] -= 1
        if verdict == ESCALATE or self._left[cycle] <= 0:
            self._finish(cycle)

    def _finish(self, cycle: str) -> None:
        del self._left[cycle]
        cycle_of = self._cycle_of
        for task_id in self._tasks.pop(cycle):
            if task_id in cycle_of:  # not pop(): specs/technical.md, Build
                del cycle_of[task_id]
        self._room.set()
