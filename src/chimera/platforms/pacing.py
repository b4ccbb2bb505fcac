"""Pacing per account: a least interval with jitter, caps per hour and day, a monthly quota.

Bursts are what get agent accounts flagged as spam, so every post of an
account asks the pacer for its slot first. The pacer starts from the sends
the store remembers, so a restart does not reset the counts.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left
from collections.abc import Callable

from chimera.models.config import PlatformPolicy

HOUR = 3600.0
DAY = 86400.0


def month_start(now: float) -> float:
    """Start of the calendar month (UTC) of ``now``."""
    d = dt.datetime.fromtimestamp(now, dt.UTC)
    return dt.datetime(d.year, d.month, 1, tzinfo=dt.UTC).timestamp()


def next_month(now: float) -> float:
    """Start of the next calendar month (UTC)."""
    d = dt.datetime.fromtimestamp(now, dt.UTC)
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp()


class Pacer:
    """When an account may post next."""

    def __init__(self, policy: PlatformPolicy, sent: list[float], jitter: Callable[[], float] = random.random) -> None:
        self._policy = policy
        self._sent = sorted(sent)
        self._jitter = jitter
        self._gap = policy.min_interval_s + policy.jitter_s * jitter()

    def next_slot(self, now: float) -> float:
        """The earliest time a post may go out (``now`` if it may go now)."""
        p = self._policy
        slot = now
        if self._sent:
            slot = max(slot, self._sent[-1] + self._gap)
        for window, cap in ((HOUR, p.per_hour), (DAY, p.per_day)):
            if cap is not None:
                recent = self._sent[bisect_left(self._sent, now - window) :]
                if len(recent) >= cap:
                    slot = max(slot, recent[len(recent) - cap] + window) if cap else float("inf")
        if p.monthly_quota is not None and self.used_this_month(now) >= p.monthly_quota:
            slot = max(slot, next_month(now))
        return slot

    def used_this_month(self, now: float) -> int:
        """Posts sent since the start of the calendar month."""
        return len(self._sent) - bisect_left(self._sent, month_start(now))

    def sent(self, when: float) -> None:
        """Count a post that went out; draw the next gap's jitter."""
        self._sent.append(when)
        self._gap = self._policy.min_interval_s + self._policy.jitter_s * self._jitter()
