"""Small in-memory books the roles share while a run lasts."""

from __future__ import annotations

from dataclasses import dataclass

from chimera.models.records import Task


@dataclass(init=False)
class CampaignState:
    """What the planner last read of a campaign; ``version`` drives optimistic concurrency.

    A written-out ``__init__``, so the compiled class is made without a Python-level call
    (``models/records.py``); two are made per campaign and cycle.
    """

    version: int
    active: bool

    def __init__(self, version: int, active: bool) -> None:
        self.version = version
        self.active = active


class CampaignBook:
    """Campaign versions and status as last read from the store."""

    def __init__(self, states: dict[str, CampaignState]) -> None:
        self._states = states

    def get(self, campaign_id: str) -> CampaignState | None:
        """The state, or None for an unknown campaign."""
        return self._states.get(campaign_id)

    def set(self, campaign_id: str, version: int, active: bool) -> None:
        """Record a fresh read (or our own successful write)."""
        self._states[campaign_id] = CampaignState(version, active)

    def is_active(self, campaign_id: str) -> bool:
        """Whether the campaign is known and active."""
        state = self._states.get(campaign_id)
        return state is not None and state.active

    def active_ids(self) -> list[str]:
        """Campaigns the planner may work on."""
        return [cid for cid, s in self._states.items() if s.active]


class DependencyBook:
    """Blocked tasks, keyed by the task they wait for."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[Task]] = {}

    def add(self, task: Task) -> None:
        """Remember a blocked task."""
        assert task.depends_on is not None
        self._waiting.setdefault(task.depends_on, []).append(task)

    def release(self, task_id: str) -> list[Task]:
        """Take the tasks waiting for ``task_id``."""
        waiting = self._waiting.get(task_id)
        if waiting is None:
            return []
        del self._waiting[task_id]  # not pop(): specs/technical.md, Build
        return waiting

    def peek(self, task_id: str) -> list[Task]:
        """The tasks waiting for ``task_id``, left in place."""
        return self._waiting.get(task_id, [])


class KillSwitch:
    """The fleet-wide kill switch as last read from the store."""

    def __init__(self) -> None:
        self.on = False
