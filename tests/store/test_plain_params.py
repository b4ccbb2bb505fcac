"""The hot write path binds plain values only (``store/statements.py``): no enum member reaches sqlite3.

sqlite3 stores an enum member the same as its value, so only the type of
each bound value shows the difference (a slow adapter look-up per value).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import load_fleet
from chimera.models.records import Task
from chimera.models.work import Priority, TaskStatus, TaskType
from chimera.pipeline.messages import PlanRequest
from chimera.roles.planner import task_row
from chimera.runtime.runner import build_pipeline, start_roles
from chimera.store import committer as committer_module
from chimera.store import open_database
from chimera.store.bulk import write_rows
from chimera.store.statements import Stmt
from tests.conftest import query
from tests.helpers import ListNews, queue_task

PLAIN = (str, int, float, type(None))
Row = tuple[Any, ...]


def _not_plain(row: tuple[Any, ...]) -> list[tuple[int, str]]:
    return [(i, type(v).__name__) for i, v in enumerate(row) if type(v) not in PLAIN]


@pytest.mark.parametrize("kind", list(TaskType))
@pytest.mark.parametrize("priority", list(Priority))
@pytest.mark.parametrize("status", [TaskStatus.PENDING, TaskStatus.BLOCKED])
def test_a_task_row_binds_plain_values(kind: TaskType, priority: Priority, status: TaskStatus) -> None:
    task = Task("c1-a", "demo", "nova", "nova-solar", kind, priority, 7, {"topic": "energy"}, status=status)
    row = task_row(task, 1.5)
    assert _not_plain(row) == []
    assert (row[4], row[5], row[7]) == (kind.value, priority.value, status.value)


async def _run(root: Path, recorded: list[tuple[Stmt, list[Row]]]) -> None:
    """A planned cycle for every sample campaign plus a task no skill handles."""
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    async with open_database(home.db_path) as db:
        p = await build_pipeline(fleet, db, ListNews(), workers=2)
        async with anyio.create_task_group() as tg:
            start_roles(tg, p)
            for c in fleet.campaigns:
                p.tracker.opened()
                p.inbox.put(PlanRequest(c.campaign_id, Priority.HIGH), Priority.HIGH)
            orphan = Task("odd-1", fleet.tenant_id, fleet.campaigns[0].agent_id, fleet.campaigns[0].campaign_id,
                          "juggle_chainsaws", Priority.LOW, 10**9, {"topic": "energy"})  # fmt: skip
            await queue_task(p, orphan)
            await p.tracker.wait_idle()
            tg.cancel_scope.cancel()


def test_every_row_the_pipeline_commits_binds_plain_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "fleet"
    recorded: list[tuple[Stmt, list[Row]]] = []

    def recording(conn: sqlite3.Connection, stmt: Stmt, rows: Sequence[Row]) -> None:
        recorded.append((stmt, list(rows)))  # on the writer's thread, as each statement's rows are written
        write_rows(conn, stmt, rows)

    # every row the committer writes goes through write_rows, compiled or not (a module name is looked up per call)
    monkeypatch.setattr(committer_module, "write_rows", recording)
    anyio.run(_run, root, recorded)
    seen = Counter(stmt for stmt, rows in recorded for _ in rows)
    bad = [(stmt, wrong) for stmt, rows in recorded for row in rows if (wrong := _not_plain(row))]
    assert bad == []
    # the rows that carried enum members before: attempts, settles, reviews (and tasks, above)
    for stmt in (Stmt.INSERT_ATTEMPT, Stmt.SETTLE_TASK, Stmt.INSERT_REVIEW, Stmt.UNBLOCK_TASK, Stmt.INSERT_OUTBOX):
        assert seen[stmt] > 0, f"no {stmt.name} row was committed: the run did not exercise it"
    # the review row is the task no skill handles, escalated after its retries
    assert query(Home(root).db_path, "SELECT status FROM tasks WHERE task_id = 'odd-1'") == [("review",)]
