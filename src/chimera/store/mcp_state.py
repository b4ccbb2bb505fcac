"""The MCP servers' state as a run last saw it, so ``chimera status`` can show it from another process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from chimera.store.scope import TenantScope

_UPSERT = (
    "INSERT INTO mcp_servers (tenant_id, name, state, restarts, last_error, tools, updated_at)"
    " VALUES (:tenant, :name, :state, :restarts, :error, :tools, :now)"
    " ON CONFLICT (tenant_id, name) DO UPDATE SET state = excluded.state, restarts = excluded.restarts,"
    " last_error = excluded.last_error, tools = excluded.tools, updated_at = excluded.updated_at"
)


async def record_servers(scope: TenantScope, servers: Iterable[dict[str, Any]]) -> None:
    """Upsert each server's state (``name``, ``state``, ``restarts``, ``last_error``, ``tools``)."""
    now = time.time()
    async with scope.transaction() as tx:
        for s in servers:
            await tx.execute(
                _UPSERT, name=s["name"], state=s["state"], restarts=s["restarts"], error=s["last_error"],
                tools=json.dumps(s["tools"]), now=now,
            )  # fmt: skip


async def stop_servers(scope: TenantScope) -> None:
    """Mark every server stopped (the run that supervised them ended)."""
    async with scope.transaction() as tx:
        await tx.execute(
            "UPDATE mcp_servers SET state = 'stopped', updated_at = :now WHERE tenant_id = :tenant", now=time.time()
        )


async def server_states(scope: TenantScope) -> list[dict[str, Any]]:
    """Every server's last known state."""
    rows = await scope.fetchall(
        "SELECT name, state, restarts, last_error, tools, updated_at FROM mcp_servers"
        " WHERE tenant_id = :tenant ORDER BY name"
    )
    return [{**dict(r), "tools": json.loads(r["tools"])} for r in rows]
