"""Appending to the audit log: the one place that writes it, always through the hash chain.

Work done in batches is audited as one record per batch: kind ``<kind>.batch``,
whose detail lists every item (its subject, agent and detail). The chain
covers the record, so every item is as tamper-evident as a record of its
own, at one row instead of hundreds (a Judge batch of 250 decisions wrote
250 rows). ``chimera audit show`` lists a batch record's items one by one,
as records of ``<kind>`` (see ``store/audit_log.py``).
"""

from __future__ import annotations

import time
from typing import Any

from chimera.json_text import dumps
from chimera.store.audit_chain import AuditEntry
from chimera.store.scope import ScopedWriter


def audit_entry(
    tenant_id: str, kind: str, actor: str, subject: str, detail: dict[str, Any], agent_id: str | None = None
) -> AuditEntry:
    """An audit record with its detail as JSON, stamped now."""
    return AuditEntry(tenant_id, kind, actor, subject, dumps(detail), time.time(), agent_id)


#: What a batch record's kind ends with.
BATCH_SUFFIX = ".batch"


def audit_batch(
    tenant_id: str, kind: str, actor: str, items: list[tuple[str, dict[str, Any], str | None]]
) -> AuditEntry:
    """One record for many ``(subject, detail, agent_id)`` items of ``kind`` (a single item gets a plain record)."""
    if len(items) == 1:
        subject, detail, agent_id = items[0]
        return audit_entry(tenant_id, kind, actor, subject, detail, agent_id)
    listed = [{"subject": subject, "agent_id": agent_id, "detail": detail} for subject, detail, agent_id in items]
    return audit_entry(tenant_id, kind + BATCH_SUFFIX, actor, f"{len(items)} records", {"items": listed})


async def append_audit(
    tx: ScopedWriter, kind: str, actor: str, subject: str, detail: dict[str, Any], *, agent_id: str | None = None
) -> None:
    """Add one chained audit record inside the caller's transaction."""
    await tx.append_audit(audit_entry(tx.tenant_id, kind, actor, subject, detail, agent_id))
