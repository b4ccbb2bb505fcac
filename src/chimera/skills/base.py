"""The Skill seam and the context every skill gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chimera.config.loader import Fleet
from chimera.mcp.memory_client import Recalled
from chimera.models.config import Campaign, Persona
from chimera.models.work import Result, Task
from chimera.pipeline.crashpoints import CrashPoints


class Skill(Protocol):
    """Does the work one task type asks for."""

    @property
    def task_type(self) -> str:
        """The task type this skill handles."""
        ...

    async def run(self, task: Task) -> Result:
        """Execute ``task``; raise only for failures the worker should report."""
        ...


class AgentMemory(Protocol):
    """What agents remember of their own work (the memory MCP server)."""

    name: str

    async def recall(self, agent_id: str, query: str, limit: int) -> list[Recalled]:
        """The agent's memories closest to ``query``."""
        ...

    async def remember(self, agent_id: str, content: str, tags: list[str], key: str) -> int:
        """Store one memory once per key."""
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
