"""Units of work where they leave the process: JSON output, review items and the spec.

The pydantic forms of the records in ``records.py`` (``TaskModel.from_task``
converts a task), checked where they are read and written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chimera.models.records import Task
from chimera.models.work import Priority, ReviewStatus, TaskStatus, TaskType, Verdict


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskModel(_Contract):
    """A task as it appears in JSON output and in the spec."""

    task_id: str
    tenant_id: str
    agent_id: str
    campaign_id: str
    type: TaskType
    priority: Priority
    seq: int = Field(ge=0)
    status: TaskStatus
    attempt: int = Field(ge=0)
    depends_on: str | None = None
    payload: dict[str, Any]
    created_at: float

    @classmethod
    def from_task(cls, task: Task) -> TaskModel:
        """Convert the in-process form."""
        return cls(
            task_id=task.task_id,
            tenant_id=task.tenant_id,
            agent_id=task.agent_id,
            campaign_id=task.campaign_id,
            type=TaskType(task.type),
            priority=Priority(task.priority),
            seq=task.seq,
            status=TaskStatus(task.status),
            attempt=task.attempt,
            depends_on=task.depends_on,
            payload=task.payload,
            created_at=task.created_at,
        )


class TaskResultModel(_Contract):
    """A skill's result for one attempt of a task."""

    task_id: str
    attempt: int = Field(ge=0)
    ok: bool
    output: dict[str, Any]
    confidence: float = Field(ge=0, le=1)
    reasoning: list[str]
    error: str | None = None
    produced_by: str


class JudgeDecisionModel(_Contract):
    """The Judge's verdict on one attempt of a task."""

    task_id: str
    attempt: int = Field(ge=0)
    verdict: Verdict
    confidence: float = Field(ge=0, le=1)
    reasons: list[str]
    decided_at: float


class ReviewItem(_Contract):
    """An escalated result waiting for (or decided by) a human."""

    review_id: int
    tenant_id: str
    task_id: str | None
    """The escalated task, or None for a spend."""
    attempt: int = Field(ge=0)
    spend_key: str | None = None
    """The spend's idempotency key, or None for a task."""
    agent_id: str
    campaign_id: str
    kind: str
    content: str
    confidence: float = Field(ge=0, le=1)
    reasoning: list[str]
    escalation: list[str]
    status: ReviewStatus
    edited_content: str | None = None
    reason: str | None = None
    decided_by: str | None = None
    created_at: float
    decided_at: float | None = None
