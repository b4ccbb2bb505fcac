"""Reading work back from the store: what a restart resumes."""

from __future__ import annotations

import json
import sqlite3

from chimera.models.records import Task
from chimera.store.scope import TenantScope

_COLUMNS = (
    "task_id, tenant_id, agent_id, campaign_id, type, priority, seq, payload, attempt, depends_on, status, created_at"
)


def row_to_task(r: sqlite3.Row) -> Task:
    """A tasks row as a Task."""
    return Task(
        task_id=r["task_id"],
        tenant_id=r["tenant_id"],
        agent_id=r["agent_id"],
        campaign_id=r["campaign_id"],
        type=r["type"],
        priority=int(r["priority"]),
        seq=int(r["seq"]),
        payload=json.loads(r["payload"]),
        attempt=int(r["attempt"]),
        depends_on=r["depends_on"],
        status=r["status"],
        created_at=float(r["created_at"]),
    )


async def open_tasks(scope: TenantScope) -> list[Task]:
    """Pending and blocked tasks, in queue order."""
    rows = await scope.fetchall(
        f"SELECT {_COLUMNS} FROM tasks WHERE tenant_id = :tenant AND status IN ('pending', 'blocked')"
        " ORDER BY priority, seq"
    )
    return [row_to_task(r) for r in rows]


async def released_tasks(scope: TenantScope) -> list[Task]:
    """Pending tasks that waited on another task: the ones a reviewer may have released."""
    rows = await scope.fetchall(
        f"SELECT {_COLUMNS} FROM tasks WHERE tenant_id = :tenant AND status = 'pending'"
        " AND depends_on IS NOT NULL ORDER BY priority, seq"
    )
    return [row_to_task(r) for r in rows]


async def max_seq(scope: TenantScope) -> int:
    """The highest task sequence number used so far (0 if none)."""
    row = await scope.fetchone("SELECT COALESCE(MAX(seq), 0) AS m FROM tasks WHERE tenant_id = :tenant")
    return int(row["m"]) if row else 0


async def seen_items(scope: TenantScope) -> set[tuple[str, str]]:
    """(campaign, item) pairs perception has already turned into work."""
    rows = await scope.fetchall("SELECT campaign_id, item_id FROM perception_seen WHERE tenant_id = :tenant")
    return {(str(r["campaign_id"]), str(r["item_id"])) for r in rows}
