"""The Skill seam and the context every skill gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from chimera.config.loader import Fleet
from chimera.mcp.memory_client import Recalled
from chimera.models.config import Campaign, Persona
from chimera.models.records import Result, Task
from chimera.pipeline.crashpoints import CrashPoints

Outcome = Result | Exception
"""What a skill reports for one task of a batch: its result, or the error that task met."""

Done = Callable[[Task, Outcome], Awaitable[None]]
"""Hands one task's outcome to the worker (to the Judge, or to be reported as that task's error)."""


class Skill(Protocol):
    """Does the work one task type asks for."""

    @property
    def task_type(self) -> str:
        """The task type this skill handles."""
        ...

    async def run_batch(self, tasks: list[Task], done: Done) -> None:
        """Execute tasks of this type taken together: ``done(task, outcome)`` once per task, as soon as it is known.

        A task's failure is its own outcome (the worker reports it as that
        task's error result, exactly as if the task had run alone); a task
        whose work takes longer never holds back the others' outcomes.
        Raising fails every task not yet done with the same error.
        """
        ...


class AgentMemory(Protocol):
    """What agents remember of their own work (the memory MCP server)."""

    name: str

    async def recall_many(self, queries: Sequence[tuple[str, str, int]]) -> list[list[Recalled] | Exception]:
        """For each ``(agent_id, query, limit)``: the agent's memories closest to the query, or the error."""
        ...

    async def remember_many(self, memories: Sequence[tuple[str, str, list[str], str]]) -> list[int | Exception]:
        """For each ``(agent_id, content, tags, key)``: store it once per key, its id or the error."""
        ...


@dataclass(slots=True)
class FleetView:
    """Read-only lookups the skills and the Judge need: campaign and persona by id."""

    fleet: Fleet
    campaigns: dict[str, Campaign]

    @classmethod
    def of(cls, fleet: Fleet) -> FleetView:
        """Index a loaded fleet."""
        return cls(fleet, {c.campaign_id: c for c in fleet.campaigns})

    def campaign(self, campaign_id: str) -> Campaign:
        """The campaign, or KeyError."""
        return self.campaigns[campaign_id]

    def persona(self, agent_id: str) -> Persona:
        """The persona, or KeyError."""
        return self.fleet.personas[agent_id]


@dataclass(slots=True)
class SkillDeps:
    """Shared dependencies handed to skills when they are built."""

    view: FleetView
    crash: CrashPoints
