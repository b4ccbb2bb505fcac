"""Worker: stateless; routes each task to the skill for its type."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from chimera.errors import ChimeraError, PermissionRefused, Postponed
from chimera.governance.permissions import RoleBook
from chimera.models.work import Result, Task
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.deferrals import Deferrals
from chimera.pipeline.queues import PriorityQueue
from chimera.skills.base import Skill

log = logging.getLogger("chimera.worker")


def error_result(task: Task, error: str) -> Result:
    """A failed result; the Judge sees zero confidence and the error."""
    return Result(task=task, ok=False, output={}, confidence=0.0, error=error, produced_by="worker")


class Worker:
    """Takes tasks in priority order, runs their skill, hands results to the Judge."""

    def __init__(
        self,
        skills: dict[str, Skill],
        work: PriorityQueue[Task],
        results: PriorityQueue[Result],
        crash: CrashPoints,
        roles: RoleBook | None = None,
        on_refusal: Callable[[Task, str], Awaitable[None]] | None = None,
        deferrals: Deferrals | None = None,
    ) -> None:
        self._deferrals = deferrals
        self._skills = skills
        self._work = work
        self._results = results
        self._crash = crash
        self._roles = roles
        self._on_refusal = on_refusal

    async def execute(self, task: Task) -> Result:
        """Run one task; an unknown type, a refused permission or a failing skill is an error result, not a crash."""
        skill = self._skills.get(task.type)
        if skill is None:
            return error_result(task, f"no skill handles task type '{task.type}'")
        try:
            if self._roles is not None:
                self._roles.require(task.agent_id, "skills", task.type)
            return await skill.run(task)
        except Postponed:
            if self._deferrals is not None:
                raise
            return error_result(task, "postponed, and this worker cannot hold tasks for later")
        except PermissionRefused as exc:
            log.warning("task %s refused: %s", task.task_id, exc)
            if self._on_refusal is not None:
                await self._on_refusal(task, str(exc))
            return error_result(task, f"permission refused: {exc}")
        except ChimeraError as exc:
            log.warning("task %s (%s) failed: %s", task.task_id, task.type, exc)
            return error_result(task, str(exc))
        except Exception as exc:
            # A bad payload or a skill bug must not stop the fleet (nor every restart after it):
            # it becomes a durable failed result, logged with its traceback, retried and then
            # escalated to a human by the Judge.
            log.exception("task %s (%s) raised", task.task_id, task.type)
            return error_result(task, f"{type(exc).__name__}: {exc}")

    async def run(self) -> None:
        """Serve the work queue until cancelled."""
        while True:
            task = await self._work.get()
            self._crash.reach("after_claim")
            try:
                result = await self.execute(task)
            except Postponed as later:  # not a result: the task waits, the Judge sees it when it runs
                log.info("task %s postponed: %s", task.task_id, later)
                assert self._deferrals is not None
                self._deferrals.defer(task, later.until)
                continue
            self._crash.reach("after_result")
            self._results.put(result, task.priority, task.seq)
