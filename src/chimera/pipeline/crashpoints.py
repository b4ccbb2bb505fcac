"""Named points where a test can make the process die as ``kill -9`` would.

``CHIMERA_CRASH_AT=point:n`` kills the process the n-th time it reaches
``point`` (n counts from 1). Unset, every check is one dict lookup. The
setting is read once by the settings module and passed in; nothing here
reads the environment.
"""

from __future__ import annotations

import os
import signal

#: Points on the pipeline's path (``chimera run``).
RUNTIME_POINTS = (
    "after_claim",
    "after_result",
    "before_post_record",
    "after_post_record",
    "after_decision_commit",
    "after_plan_commit",
)
#: Points on a remote platform's send path (only reached with a remote account configured).
REMOTE_POINTS = ("before_remote_send", "after_remote_send")
#: Points on a spend's path (``chimera wallet transfer``).
MONEY_POINTS = ("after_reserve", "after_transfer")
POINTS = RUNTIME_POINTS + REMOTE_POINTS + MONEY_POINTS


class CrashPoints:
    """Counts visits to named points and kills the process at the chosen one."""

    def __init__(self, spec: str | None = None) -> None:
        self._point: str | None = None
        self._remaining = 0
        if spec:
            name, _, count = spec.partition(":")
            if name not in POINTS:
                raise ValueError(f"unknown crash point {name!r}; known: {', '.join(POINTS)}")
            self._point = name
            self._remaining = int(count or "1")

    def reach(self, point: str) -> None:
        """Mark a visit to ``point``; die here if this is the chosen visit."""
        if point != self._point:
            return
        self._remaining -= 1
        if self._remaining <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
