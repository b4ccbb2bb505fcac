"""pydantic models for everything that crosses a boundary (files, JSON, rows)."""

from chimera.models.config import (
    Campaign,
    CampaignStatus,
    FleetPolicy,
    JudgePolicy,
    PerceptionPolicy,
    Persona,
    PlatformPolicy,
    RuntimePolicy,
)
from chimera.models.contracts import JudgeDecisionModel, ReviewItem, TaskModel, TaskResultModel
from chimera.models.work import (
    Priority,
    ReviewStatus,
    TaskStatus,
    TaskType,
    Verdict,
)

__all__ = [
    "Campaign",
    "CampaignStatus",
    "FleetPolicy",
    "JudgeDecisionModel",
    "JudgePolicy",
    "PerceptionPolicy",
    "Persona",
    "PlatformPolicy",
    "Priority",
    "ReviewItem",
    "ReviewStatus",
    "RuntimePolicy",
    "TaskModel",
    "TaskResultModel",
    "TaskStatus",
    "TaskType",
    "Verdict",
]
