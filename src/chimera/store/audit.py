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


AuditItem = tuple[str, str, dict[str, Any], str | None]
"""One item of a batch to audit: ``(tenant_id, subject, detail, agent_id)``."""


def audit_batches(kind: str, actor: str, items: list[AuditItem]) -> list[AuditEntry]:
    """One record per tenant listing its items of ``kind`` (a tenant with a single item gets a plain record)."""
    by_tenant: dict[str, list[AuditItem]] = {}
    for item in items:
        by_tenant.setdefault(item[0], []).append(item)
    entries = []
    for tenant_id, own in by_tenant.items():
        if len(own) == 1:
            _, subject, detail, agent_id = own[0]
            entries.append(audit_entry(tenant_id, kind, actor, subject, detail, agent_id))
            continue
        listed = [{"subject": subject, "agent_id": agent_id, "detail": detail} for _, subject, detail, agent_id in own]
        entries.append(audit_entry(tenant_id, kind + BATCH_SUFFIX, actor, f"{len(own)} records", {"items": listed}))
    return entries


async def append_audit(
    tx: ScopedWriter, kind: str, actor: str, subject: str, detail: dict[str, Any], *, agent_id: str | None = None
) -> None:
    """Add one chained audit record inside the caller's transaction."""
    await tx.append_audit(audit_entry(tx.tenant_id, kind, actor, subject, detail, agent_id))
