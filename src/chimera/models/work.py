"""The kinds of work: task types, priorities, statuses, verdicts and review states.

The records that carry work through the process (tasks, results, decisions)
are in ``records.py``; where work leaves the process (JSON output, the spec)
it takes the pydantic forms in ``contracts.py``. This module stays pure
Python: compiled, an enum's docstring would be replaced by a filler and the
spec's schemas would change with the build.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Final


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
