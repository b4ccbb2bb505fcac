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
from chimera.models.work import (
    JudgeDecisionModel,
    Priority,
    ReviewItem,
    ReviewStatus,
    TaskModel,
    TaskResultModel,
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
