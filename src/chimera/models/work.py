"""Units of work: tasks, results, judge decisions and review items.

Inside the process these travel as slotted dataclasses (cheap to create by
the ten thousand); where they leave it (JSON output, the spec) they are the
pydantic models below, converted with ``to_model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field


class TaskType(StrEnum):
    """What a task asks a skill to do."""

    ANALYZE_TRENDS = "analyze_trends"
    GENERATE_CONTENT = "generate_content"
    POST_CONTENT = "post_content"
    REPLY_COMMENT = "reply_comment"
    EXECUTE_TRANSACTION = "execute_transaction"
    STORE_MEMORY = "store_memory"


class Priority(IntEnum):
    """Queue priority; lower value is served first."""

    HIGH = 0
    MEDIUM = 1
    LOW = 2


class TaskStatus(StrEnum):
    """Where a task stands in the store."""

    BLOCKED = "blocked"
    """Waits for the task it depends on to be approved."""
    PENDING = "pending"
    """Ready for a worker (or being worked on by this process)."""
    REVIEW = "review"
    """Escalated; waits for a human."""
    DONE = "done"
    """Approved (by the Judge or a human)."""
    REJECTED = "rejected"
    """Rejected by a human."""
    CANCELLED = "cancelled"
    """Its dependency was rejected, so it will never run."""


class Verdict(StrEnum):
    """The Judge's call on one attempt of a task."""

    APPROVE = "approve"
    ESCALATE = "escalate"
    REJECT = "reject"


# The members the per-task code names, as module names. On Python 3.11 ``Verdict.REJECT`` is a
# look-up through the ``__getattr__`` hook of Enum's metaclass, which calls ``type.__getattribute__``
# as a Python-level method: ~190 ns, against ~15 ns for a module name (3.12 dropped the hook). A
# 10,000-agent run named members 423,000 times, ~14 a task (specs/performance.md).
ANALYZE_TRENDS: Final = TaskType.ANALYZE_TRENDS
GENERATE_CONTENT: Final = TaskType.GENERATE_CONTENT
POST_CONTENT: Final = TaskType.POST_CONTENT
REPLY_COMMENT: Final = TaskType.REPLY_COMMENT
HIGH: Final = Priority.HIGH
MEDIUM: Final = Priority.MEDIUM
LOW: Final = Priority.LOW
BLOCKED: Final = TaskStatus.BLOCKED
PENDING: Final = TaskStatus.PENDING
APPROVE: Final = Verdict.APPROVE
ESCALATE: Final = Verdict.ESCALATE
REJECT: Final = Verdict.REJECT


class ReviewStatus(StrEnum):
    """State of a review item."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(slots=True)
class Task:
    """A unit of work as it moves through the queues."""

    task_id: str
    tenant_id: str
    agent_id: str
    campaign_id: str
    type: str
    priority: int
    seq: int
    payload: dict[str, Any]
    attempt: int = 0
    depends_on: str | None = None
    status: str = TaskStatus.PENDING
    created_at: float = 0.0

    def sort_key(self) -> tuple[int, int]:
        """Priority first, then FIFO by sequence number."""
        return (self.priority, self.seq)


@dataclass(slots=True)
class Result:
    """What a skill produced for one attempt of a task."""

    task: Task
    ok: bool
    output: dict[str, Any]
    confidence: float
    reasoning: list[str] = field(default_factory=list)
    error: str | None = None
    produced_by: str = ""


@dataclass(slots=True)
class Decision:
    """The Judge's verdict on one result."""

    result: Result
    verdict: Verdict
    confidence: float
    reasons: list[str]
    sensitive: list[str] = field(default_factory=list)


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
