"""Honest in-process implementations used by tests (not mocks: they implement the real interfaces)."""

from __future__ import annotations

from chimera.mcp.servers.news import load_snapshot
from chimera.models.news import NewsItem
from chimera.models.records import Task
from chimera.roles.planner import task_row
from chimera.runtime.runner import Pipeline
from chimera.store.committer import WriteOp
from chimera.store.statements import Stmt


async def queue_task(p: Pipeline, task: Task) -> None:
    """Write a task's row through the pipeline's committer, then queue it for its workers."""
    op = WriteOp()
    op.add(Stmt.INSERT_TASK, task_row(task, 0.0))
    await p.committer.submit(op)
    p.tracker.opened()
    p.work.put(task, task.priority, task.seq)


class ListNews:
    """A NewsSource over a fixed list (the bundled snapshot by default)."""

    name = "list"

    def __init__(self, items: list[NewsItem] | None = None) -> None:
        self.items = items if items is not None else load_snapshot()
        self.calls = 0

    async def latest(self) -> list[NewsItem]:
        self.calls += 1
        return list(self.items)

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        self.calls += 1
        return [i for i in self.items if i.topic == topic or topic in i.tags][:limit]
