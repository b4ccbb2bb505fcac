"""Named, parameterised SQL for the runtime's hot write path.

The order of the members is the order a group commit applies them in, so a
row is always written after the rows it refers to. Every statement names
its tenant: an insert carries ``tenant_id``, an update filters on it.

Rows carry plain values only: ``str``, ``int``, ``float`` and ``None``.
``sqlite3`` binds any other value, an enum member included, by looking for
an adapter first: ~0.9 µs a value instead of ~0.2, on the writer's thread
and holding the GIL the event loop then waits for. A run bound 154,000
enum members that way (about five per task), 7 – 10% of the writer's CPU.
None goes the same way, but finds the adapter the store registers for it
(``database.bind_none_directly``), so it costs what a plain value does.
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Stmt(Enum):
    """A write statement the committer batches (``store/bulk.py``: one statement over many rows)."""

    INSERT_TASK = (
        "INSERT INTO tasks (task_id, tenant_id, agent_id, campaign_id, type, priority, seq,"
        " status, attempt, depends_on, payload, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    INSERT_SEEN = (
        "INSERT OR IGNORE INTO perception_seen (tenant_id, campaign_id, item_id, relevance, seen_at)"
        " VALUES (?, ?, ?, ?, ?)"
    )
    # a second post for the same task changes nothing; any other broken rule (the disclosure check) is an error
    INSERT_OUTBOX = (
        "INSERT INTO outbox (tenant_id, agent_id, campaign_id, task_id, platform, text,"
        " disclosure, writer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO NOTHING"
    )
    # a result and its decision, one row: the primary key (task, attempt) refuses a second decision
    INSERT_ATTEMPT = (
        "INSERT INTO attempts (task_id, attempt, tenant_id, ok, output, confidence, reasoning, error, produced_by,"
        " created_at, verdict, judged_confidence, reasons, decided_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    SETTLE_TASK = (
        "UPDATE tasks SET status = ?, attempt = ?, updated_at = ?"
        " WHERE tenant_id = ? AND task_id = ? AND attempt = ? AND status = 'pending'"
    )
    UNBLOCK_TASK = (
        "UPDATE tasks SET status = 'pending', payload = ?, updated_at = ?"
        " WHERE tenant_id = ? AND task_id = ? AND status = 'blocked'"
    )
    INSERT_REVIEW = (
        "INSERT INTO reviews (tenant_id, task_id, attempt, agent_id, campaign_id, kind, content,"
        " confidence, reasoning, escalation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    PAUSE_AGENT = (
        "UPDATE agents SET status = 'paused', updated_at = ? WHERE tenant_id = ? AND agent_id = ? AND status = 'active'"
    )
    BUMP_CAMPAIGN = (
        "UPDATE campaigns SET version = version + 1, cycles = cycles + ?, tasks_planned = tasks_planned + ?,"
        " updated_at = ? WHERE tenant_id = ? AND campaign_id = ? AND version = ?"
    )

    # Members are singletons compared by identity; hashing them by identity too keeps the
    # group commit's per-row grouping in C (Enum's own __hash__ is a Python call: ~0.1 µs a row).
    __hash__ = object.__hash__


# The statements written once or more per task, as module names: ``Stmt.SETTLE_TASK`` is a look-up
# through Enum's ``__getattr__`` hook on Python 3.11, ~190 ns a row (see ``models.work``).
INSERT_ATTEMPT: Final = Stmt.INSERT_ATTEMPT
SETTLE_TASK: Final = Stmt.SETTLE_TASK
UNBLOCK_TASK: Final = Stmt.UNBLOCK_TASK
INSERT_OUTBOX: Final = Stmt.INSERT_OUTBOX
