"""The one place tenant scoping happens: every tenant-owned query goes through a TenantScope.

A scope refuses SQL that does not bind ``:tenant``, so a query cannot forget
its tenant filter; the tenant id is bound here and nowhere else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

from chimera.store.audit_chain import AuditEntry, append_chained
from chimera.store.database import Database


def _require_tenant(sql: str) -> None:
    if ":tenant" not in sql:
        raise ValueError(f"tenant-owned query does not bind :tenant: {sql[:80]}")


class TenantScope:
    """Reads and writes of one tenant."""

    def __init__(self, db: Database, tenant_id: str) -> None:
        self.db = db
        self.tenant_id = tenant_id

    def params(self, **params: Any) -> dict[str, Any]:
        """Named parameters with the tenant bound."""
        return {**params, "tenant": self.tenant_id}

    async def fetchall(self, sql: str, **params: Any) -> list[sqlite3.Row]:
        """A scoped read."""
        _require_tenant(sql)
        return await self.db.fetchall(sql, self.params(**params))

    async def fetchone(self, sql: str, **params: Any) -> sqlite3.Row | None:
        """A scoped read of one row."""
        _require_tenant(sql)
        return await self.db.fetchone(sql, self.params(**params))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[ScopedWriter]:
        """A ``BEGIN IMMEDIATE`` transaction whose statements are all tenant-scoped."""
        async with self.db.transaction() as conn:
            yield ScopedWriter(conn, self)


class ScopedWriter:
    """Statements inside a scoped transaction."""

    def __init__(self, conn: aiosqlite.Connection, scope: TenantScope) -> None:
        self._conn = conn
        self._scope = scope

    @property
    def tenant_id(self) -> str:
        """The tenant this transaction writes for."""
        return self._scope.tenant_id

    async def append_audit(self, entry: AuditEntry) -> None:
        """Chain an audit record of this tenant into the log (refuses another tenant's record)."""
        if entry.tenant_id != self._scope.tenant_id:
            raise ValueError(f"audit record for tenant {entry.tenant_id!r} in a scope of {self._scope.tenant_id!r}")
        signer = self._scope.db.signer
        await self._scope.db.on_writer(lambda conn: append_chained(conn, signer, [entry]))

    async def execute(self, sql: str, **params: Any) -> int:
        """Run a scoped statement; return the number of rows it changed."""
        _require_tenant(sql)
        async with self._conn.execute(sql, self._scope.params(**params)) as cur:
            return cur.rowcount

    async def execute_many(self, sql: str, rows: Iterable[dict[str, Any]]) -> None:
        """Run a scoped statement once per row of named parameters, in one hop to the writer's thread."""
        _require_tenant(sql)
        await self._conn.executemany(sql, [self._scope.params(**row) for row in rows])

    async def fetchall(self, sql: str, **params: Any) -> list[sqlite3.Row]:
        """A scoped read inside the transaction (sees its own writes)."""
        _require_tenant(sql)
        self._conn.row_factory = sqlite3.Row
        try:
            async with self._conn.execute(sql, self._scope.params(**params)) as cur:
                return list(await cur.fetchall())
        finally:
            self._conn.row_factory = None
