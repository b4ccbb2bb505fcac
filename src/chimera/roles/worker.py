"""Worker: stateless; routes each task to the skill for its type."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from chimera.errors import ChimeraError, PermissionRefused, Postponed
from chimera.governance.permissions import RoleBook
from chimera.models.records import Result, Task
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.deferrals import Deferrals
from chimera.pipeline.queues import PriorityQueue
from chimera.skills.base import Outcome, Skill

log = logging.getLogger("chimera.worker")

#: Most tasks a worker takes at once: all ready tasks of one type, up to this many, go to their skill together.
BATCH = 128


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

    async def run(self) -> None:
        """Serve the work queue until cancelled: all ready tasks of one type at a time, in priority order."""
        while True:
            batch = await self._work.get_many(BATCH, key=_task_type)
            for _ in batch:
                self._crash.reach("after_claim")
            await self._run_batch(batch)

    async def _run_batch(self, batch: list[Task]) -> None:
        """Run the batch's skill on the tasks its agents may run; every task gets exactly one outcome."""
        skill = self._skills.get(batch[0].type)
        if skill is None:
            for task in batch:
                await self._deliver(task, error_result(task, f"no skill handles task type '{task.type}'"))
            return
        waiting: dict[str, Task] = {}
        for task in batch:
            try:
                if self._roles is not None:
                    self._roles.require(task.agent_id, "skills", task.type)
            except PermissionRefused as exc:
                await self._deliver(task, exc)
                continue
            waiting[task.task_id] = task

        async def done(task: Task, outcome: Outcome) -> None:
            if task.task_id in waiting:  # one outcome per task, the first
                del waiting[task.task_id]  # not pop(): specs/technical.md, Build
                await self._deliver(task, outcome)

        if not waiting:
            return
        try:
            await skill.run_batch(list(waiting.values()), done)
        except Exception as exc:  # the skill failed as a whole: each task it still owed fails with that error
            for task in list(waiting.values()):
                await done(task, exc)
        for task in list(waiting.values()):  # a skill that forgot a task must not lose it
            await done(task, RuntimeError(f"the {task.type} skill gave no outcome for this task"))

    async def _deliver(self, task: Task, outcome: Outcome) -> None:
        """A task's result to the Judge; an error becomes its error result, a postponement waits for later."""
        if isinstance(outcome, Postponed) and self._deferrals is not None:
            # not a result: the task waits, the Judge sees it when it runs
            log.info("task %s postponed: %s", task.task_id, outcome)
            self._deferrals.defer(task, outcome.until)
            return
        result = outcome if isinstance(outcome, Result) else await self._failed(task, outcome)
        self._crash.reach("after_result")
        self._results.put(result, task.priority, task.seq)

    async def _failed(self, task: Task, exc: Exception) -> Result:
        """The error result for a task whose skill failed; a refusal is also reported, a bug logged in full."""
        if isinstance(exc, Postponed):
            return error_result(task, "postponed, and this worker cannot hold tasks for later")
        if isinstance(exc, PermissionRefused):
            log.warning("task %s refused: %s", task.task_id, exc)
            if self._on_refusal is not None:
                await self._on_refusal(task, str(exc))
            return error_result(task, f"permission refused: {exc}")
        if isinstance(exc, ChimeraError):
            log.warning("task %s (%s) failed: %s", task.task_id, task.type, exc)
            return error_result(task, str(exc))
        # A bad payload or a skill bug must not stop the fleet (nor every restart after it):
        # it becomes a durable failed result, logged with its traceback, retried and then
        # escalated to a human by the Judge.
        log.error("task %s (%s) raised", task.task_id, task.type, exc_info=exc)
        return error_result(task, f"{type(exc).__name__}: {exc}")


def _task_type(task: Task) -> str:
    return task.type
