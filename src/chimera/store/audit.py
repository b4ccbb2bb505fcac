"""Appending to the audit log (the one place that writes it)."""

from __future__ import annotations

import json
import time
from typing import Any

from chimera.store.scope import ScopedWriter


async def append_audit(tx: ScopedWriter, kind: str, actor: str, subject: str, detail: dict[str, Any]) -> None:
    """Add one audit row inside the caller's transaction."""
    await tx.execute(
        "INSERT INTO audit_log (tenant_id, kind, actor, subject, detail, created_at)"
        " VALUES (:tenant, :kind, :actor, :subject, :detail, :now)",
        kind=kind,
        actor=actor,
        subject=subject,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
        now=time.time(),
    )
