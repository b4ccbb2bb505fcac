"""The deliveries table: a remote post's send state, written before the network call."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from chimera.store.scope import TenantScope

_COLUMNS = (
    "task_id, platform, agent_id, idempotency_key, text, reply_to, state, remote_id, remote_url, attempts,"
    " not_before, last_error, created_at, sent_at"
)


async def get(scope: TenantScope, task_id: str) -> sqlite3.Row | None:
    """The delivery of a post task, if any."""
    return await scope.fetchone(f"SELECT {_COLUMNS} FROM deliveries WHERE tenant_id = :tenant AND task_id = :t",
                                t=task_id)  # fmt: skip


async def start(scope: TenantScope, *, task_id: str, platform: str, agent_id: str, key: str, text: str,
                reply_to: str | None, state: str, not_before: float = 0.0) -> float:  # fmt: skip
    """Record a new delivery (``sending`` before the first call, or ``pending`` when it must wait); its time."""
    now = time.time()
    async with scope.transaction() as tx:
        await tx.execute(
            "INSERT INTO deliveries (tenant_id, task_id, platform, agent_id, idempotency_key, text, reply_to, state,"
            " attempts, not_before, created_at, updated_at)"
            " VALUES (:tenant, :t, :p, :a, :k, :text, :r, :s, :n, :nb, :now, :now)",
            t=task_id, p=platform, a=agent_id, k=key, text=text, r=reply_to, s=state,
            n=1 if state == "sending" else 0, nb=not_before, now=now,
        )  # fmt: skip
    return now


async def move(scope: TenantScope, task_id: str, state: str, **fields: Any) -> None:
    """Change a delivery's state (and ``remote_id``, ``remote_url``, ``not_before``, ``last_error``)."""
    sets = ["state = :s", "updated_at = :now"]
    if state == "sending":
        sets.append("attempts = attempts + 1")
    if state == "sent":
        sets.append("sent_at = :now")
    sets += [f"{name} = :{name}" for name in fields]
    async with scope.transaction() as tx:
        await tx.execute(
            f"UPDATE deliveries SET {', '.join(sets)} WHERE tenant_id = :tenant AND task_id = :t",
            s=state, now=time.time(), t=task_id, **fields,
        )  # fmt: skip


async def sent_times(scope: TenantScope, platform: str, since: float) -> list[float]:
    """When the account's posts went out since ``since`` (the pacer starts from these)."""
    rows = await scope.fetchall(
        "SELECT sent_at FROM deliveries WHERE tenant_id = :tenant AND platform = :p AND state = 'sent'"
        " AND sent_at >= :since ORDER BY sent_at",
        p=platform, since=since,
    )  # fmt: skip
    return [float(r["sent_at"]) for r in rows]


async def summary(scope: TenantScope) -> dict[str, dict[str, int]]:
    """Deliveries by platform and state."""
    rows = await scope.fetchall(
        "SELECT platform, state, COUNT(*) AS n FROM deliveries WHERE tenant_id = :tenant GROUP BY platform, state"
    )
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(r["platform"], {})[r["state"]] = int(r["n"])
    return out
