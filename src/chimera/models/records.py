"""The records that carry work through the process: tasks, results, judge decisions.

They are made by the ten thousand on the event loop, so this module is
compiled (``chimera/native.py``) and each record has a written-out
``__init__``: compiled, the records are native classes, made and read
without a dictionary or a descriptor in between. ``@dataclass`` still gives
them their ``repr`` and ``==``; their defaults are written once, in
``__init__``. Where work leaves the process (JSON output, the spec) it
takes the pydantic forms in ``contracts.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chimera.models.work import TaskStatus, Verdict


@dataclass(init=False)
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
    attempt: int
    depends_on: str | None
    status: str
    created_at: float

    def __init__(
        self,
        task_id: str,
        tenant_id: str,
        agent_id: str,
        campaign_id: str,
        type: str,
        priority: int,
        seq: int,
        payload: dict[str, Any],
        attempt: int = 0,
        depends_on: str | None = None,
        status: str = TaskStatus.PENDING,
        created_at: float = 0.0,
    ) -> None:
        self.task_id = task_id
        self.tenant_id = tenant_id
        self.agent_id = agent_id
        self.campaign_id = campaign_id
        self.type = type
        self.priority = priority
        self.seq = seq
        self.payload = payload
        self.attempt = attempt
        self.depends_on = depends_on
        self.status = status
        self.created_at = created_at

    def sort_key(self) -> tuple[int, int]:
        """Priority first, then FIFO by sequence number."""
        return (self.priority, self.seq)


@dataclass(init=False)
class Result:
    """What a skill produced for one attempt of a task."""

    task: Task
    ok: bool
    output: dict[str, Any]
    confidence: float
    reasoning: list[str]
    error: str | None
    produced_by: str

    def __init__(
        self,
        task: Task,
        ok: bool,
        output: dict[str, Any],
        confidence: float,
        reasoning: list[str] | None = None,
        error: str | None = None,
        produced_by: str = "",
    ) -> None:
        self.task = task
        self.ok = ok
        self.output = output
        self.confidence = confidence
        self.reasoning = [] if reasoning is None else reasoning
        self.error = error
        self.produced_by = produced_by


@dataclass(init=False)
class Decision:
    """The Judge's verdict on one result."""

    result: Result
    verdict: Verdict
    confidence: float
    reasons: list[str]
    sensitive: list[str]

    def __init__(
        self,
        result: Result,
        verdict: Verdict,
        confidence: float,
        reasons: list[str],
        sensitive: list[str] | None = None,
    ) -> None:
        self.result = result
        self.verdict = verdict
        self.confidence = confidence
        self.reasons = reasons
        self.sensitive = [] if sensitive is None else sensitive
