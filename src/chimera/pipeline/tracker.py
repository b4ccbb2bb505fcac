"""Counts unfinished work so ``run --until-idle`` knows when to stop."""

from __future__ import annotations

from chimera.pipeline.signal import Signal


class WorkTracker:
    """Open work: tasks queued, running or awaiting a decision, plus busy sources."""

    def __init__(self) -> None:
        self.open = 0
        self.waiting = 0
        self._busy_sources = 0
        self._idle = Signal()

    def opened(self, n: int = 1) -> None:
        """Work entered the pipeline."""
        self.open += n
        self._reset()

    def closed(self, n: int = 1) -> None:
        """Work left the pipeline (decided, or will never run here)."""
        self.open -= n
        self._check()

    def deferred(self, n: int) -> None:
        """``n`` open tasks started (positive) or stopped (negative) waiting for a later time."""
        self.waiting += n
        if n > 0:
            self._check()
        else:
            self._reset()

    def source_busy(self) -> None:
        """A producer (perception, planner) is working on something."""
        self._busy_sources += 1
        self._reset()

    def source_idle(self) -> None:
        """A producer finished what it was doing."""
        self._busy_sources -= 1
        self._check()

    def _reset(self) -> None:
        self._idle.clear()

    @property
    def is_idle(self) -> bool:
        """True when nothing is open (but what waits for a later time) and no producer is busy."""
        return self.open - self.waiting <= 0 and self._busy_sources <= 0

    def _check(self) -> None:
        if self.is_idle:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Wait until no work is open and no producer is busy."""
        while not self.is_idle:
            await self._idle.wait()
