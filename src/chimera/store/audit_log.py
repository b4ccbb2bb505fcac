"""Reading the audit log back: filtered views and the chain check."""

from __future__ import annotations

import json
from typing import Any

from chimera.store.audit_chain import GENESIS, ChainReport, verify_rows
from chimera.store.scope import TenantScope


async def audit_rows(
    scope: TenantScope,
    *,
    agent: str | None = None,
    kind: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The tenant's audit records, newest first; ``kind`` matches a prefix (``spend`` matches ``spend.auto``)."""
    rows = await scope.fetchall(
        "SELECT seq, kind, actor, subject, agent_id, detail, created_at, hash FROM audit_log"
        " WHERE tenant_id = :tenant AND (:agent IS NULL OR agent_id = :agent)"
        " AND (:kind IS NULL OR kind = :kind OR kind LIKE :kind || '.%')"
        " AND (:since IS NULL OR created_at >= :since) AND (:until IS NULL OR created_at < :until)"
        " ORDER BY seq DESC LIMIT :limit",
        agent=agent, kind=kind, since=since, until=until, limit=limit,
    )  # fmt: skip
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


async def chain_head(scope: TenantScope) -> dict[str, Any]:
    """The tenant's latest chained record: its seq and hash (GENESIS when the chain is empty)."""
    row = await scope.fetchone(
        "SELECT seq, hash FROM audit_log WHERE tenant_id = :tenant AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
    )
    return {"tenant_id": scope.tenant_id, "seq": row["seq"] if row else 0, "hash": row["hash"] if row else GENESIS}


async def verify_chain(scope: TenantScope, kept_head: str | None = None) -> ChainReport:
    """Check every link of the tenant's chain (and that ``kept_head`` is still in it)."""
    rows = await scope.fetchall(
        "SELECT seq, tenant_id, kind, actor, subject, agent_id, detail, created_at, prev_hash, hash"
        " FROM audit_log WHERE tenant_id = :tenant ORDER BY seq"
    )
    return verify_rows(scope.db.signer, rows, kept_head)
