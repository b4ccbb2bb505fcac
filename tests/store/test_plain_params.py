"""The hot write path binds plain values only (``store/statements.py``): no enum member reaches sqlite3.

sqlite3 stores an enum member the same as its value, so only the type of
each bound value shows the difference (a slow adapter look-up per value).
The run below registers an adapter for each such type, so sqlite3 itself
reports every one it is given.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from enum import Enum
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
from chimera.store import open_database
from tests.conftest import query
from tests.helpers import ListNews, queue_task

PLAIN = (str, int, float, type(None))


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


async def _run(root: Path) -> None:
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


def _enums_and_bool() -> set[type]:
    """The non-plain types a row could carry by mistake: every enum the code defines, and bool."""
    found: set[type] = {bool}
    for name, module in list(sys.modules.items()):
        if name.startswith("chimera"):
            found.update(v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Enum)
                         and v.__module__.startswith("chimera"))  # fmt: skip
    return found


def test_every_row_the_pipeline_commits_binds_plain_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "fleet"
    bound: list[tuple[str, str]] = []

    def recording(value: Any) -> Any:
        bound.append((type(value).__name__, repr(value)))  # on the writer's thread, as sqlite3 binds it
        return value.value if isinstance(value, Enum) else int(value)

    # sqlite3 binds str, int, float and None as they are and looks up an adapter for any other type
    # (what makes an enum member slow to bind): an adapter for each such type sees every one that
    # reaches SQLite, whatever path it took, compiled or not
    for kind in _enums_and_bool():
        monkeypatch.setitem(sqlite3.adapters, (kind, sqlite3.PrepareProtocol), recording)
    with closing(sqlite3.connect(":memory:")) as probe:  # the adapters see what is bound
        assert probe.execute("SELECT ?, ?", (TaskStatus.DONE, True)).fetchone() == ("done", 1)
    assert bound == [("TaskStatus", repr(TaskStatus.DONE)), ("bool", "True")]
    bound.clear()

    anyio.run(_run, root)
    assert bound == []
    # the rows that carried enum members before: attempts, settles, unblocks, reviews, outbox (and tasks, above)
    db = Home(root).db_path
    for what, sql in (
        ("attempt", "SELECT count(*) FROM attempts"),
        ("settled task", "SELECT count(*) FROM tasks WHERE status = 'done'"),
        ("unblocked post", "SELECT count(*) FROM tasks WHERE type = 'post_content' AND status = 'done'"),
        ("review", "SELECT count(*) FROM reviews"),
        ("outbox post", "SELECT count(*) FROM outbox"),
    ):
        assert query(db, sql)[0][0] > 0, f"no {what} was committed: the run did not exercise it"
    # the review row is the task no skill handles, escalated after its retries
    assert query(db, "SELECT status FROM tasks WHERE task_id = 'odd-1'") == [("review",)]
