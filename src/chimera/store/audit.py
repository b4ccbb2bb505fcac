"""Appending to the audit log: the one place that writes it, always through the hash chain."""

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


async def append_audit(
    tx: ScopedWriter, kind: str, actor: str, subject: str, detail: dict[str, Any], *, agent_id: str | None = None
) -> None:
    """Add one chained audit record inside the caller's transaction."""
    await tx.append_audit(audit_entry(tx.tenant_id, kind, actor, subject, detail, agent_id))
