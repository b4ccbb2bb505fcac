"""Reading the audit log back: filtered views and the chain check."""

from __future__ import annotations

import json
from typing import Any

from chimera.store.audit import BATCH_SUFFIX
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
    """The tenant's audit records, newest first; ``kind`` matches a prefix (``spend`` matches ``spend.auto``).

    A batch record is listed as its items, each as a record of the batch's
    kind with its own subject, agent and detail (and the batch's ``seq``,
    time and hash, which the chain checks).
    """
    found: list[dict[str, Any]] = []
    before: int | None = None
    while len(found) < limit:
        rows = await scope.fetchall(
            "SELECT seq, kind, actor, subject, agent_id, detail, created_at, hash FROM audit_log"
            " WHERE tenant_id = :tenant AND (:before IS NULL OR seq < :before)"
            " AND (:agent IS NULL OR agent_id = :agent OR (agent_id IS NULL AND kind LIKE '%' || :batch))"
            " AND (:kind IS NULL OR kind = :kind OR kind LIKE :kind || '.%')"
            " AND (:since IS NULL OR created_at >= :since) AND (:until IS NULL OR created_at < :until)"
            " ORDER BY seq DESC LIMIT :limit",
            agent=agent, kind=kind, since=since, until=until, limit=limit, before=before, batch=BATCH_SUFFIX,
        )  # fmt: skip
        for r in rows:
            found += [line for line in _lines(dict(r)) if _wanted(line, agent, kind)]
        if len(rows) < limit:
            break
        before = rows[-1]["seq"]
    return found[:limit]


def _lines(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A record as ``audit show`` lists it: itself, or a batch record's items (newest first, like the records)."""
    detail = json.loads(record["detail"])
    kind = str(record["kind"])
    if not kind.endswith(BATCH_SUFFIX) or not isinstance(detail, dict) or not isinstance(detail.get("items"), list):
        return [{**record, "detail": detail}]
    base = kind.removesuffix(BATCH_SUFFIX)
    return [
        {**record, "kind": base, "subject": item.get("subject"), "agent_id": item.get("agent_id"),
         "detail": item.get("detail")}
        for item in reversed(detail["items"])
        if isinstance(item, dict)
    ]  # fmt: skip


def _wanted(line: dict[str, Any], agent: str | None, kind: str | None) -> bool:
    """The filters again, on a listed line (a batch record passed them as a whole)."""
    if agent is not None and line["agent_id"] != agent:
        return False
    return kind is None or line["kind"] == kind or str(line["kind"]).startswith(kind + ".")


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
