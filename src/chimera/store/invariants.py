"""Whole-store invariant checks (across tenants): what the bench and operators verify.

A result and its decision are one row of ``attempts`` (primary key: task and attempt), so neither can
exist without the other and an attempt cannot be decided twice; the checks here are what the schema
cannot say by itself.
"""

from __future__ import annotations

from chimera.store.database import Database

_CHECKS: tuple[tuple[str, str], ...] = (
    ("tasks left pending (lost)", "SELECT COUNT(*) FROM tasks WHERE status = 'pending'"),
    (
        "settled tasks without a decision for their last attempt",
        "SELECT COUNT(*) FROM tasks t WHERE t.status IN ('done', 'review', 'rejected')"
        " AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.task_id = t.task_id AND d.attempt = t.attempt)",
    ),
    (
        "outbox rows that differ from approved post tasks",
        "SELECT (SELECT COUNT(*) FROM decisions d JOIN tasks t USING (task_id)"
        " WHERE t.type = 'post_content' AND d.verdict = 'approve') - (SELECT COUNT(*) FROM outbox)",
    ),
    (
        "escalations without a review item",
        "SELECT (SELECT COUNT(*) FROM decisions WHERE verdict = 'escalate')"
        " - (SELECT COUNT(*) FROM reviews WHERE task_id IS NOT NULL)",  # spend reviews have no task
    ),
)


async def workload_problems(db: Database) -> list[str]:
    """Each broken invariant with its count; empty when the store is consistent."""
    problems = []
    for what, sql in _CHECKS:
        row = await db.fetchone(sql)
        count = int(row[0]) if row else 0
        if count:
            problems.append(f"{what}: {count}")
    problems += await db.integrity_problems()
    return problems


async def workload_counts(db: Database) -> dict[str, int]:
    """Posts, decided tasks and decided attempts in the whole store."""
    out = {}
    for key, sql in (
        ("posts", "SELECT COUNT(*) FROM outbox"),
        ("tasks", "SELECT COUNT(DISTINCT task_id) FROM decisions"),
        ("attempts", "SELECT COUNT(*) FROM decisions"),
    ):
        row = await db.fetchone(sql)
        out[key] = int(row[0]) if row else 0
    return out
