"""Group commit: many writers, one transaction, one fsync.

Callers hand a WriteOp to ``submit`` and wait until it is durable. The
committer drains everything queued since its last flush into one
``BEGIN IMMEDIATE`` transaction, applying each statement's rows at once
(``store/bulk.py``). The whole transaction runs in one call on the writer's thread,
so SQLite works on the other core while the event loop carries on. If a
batch fails, each op is retried alone so one bad op reports its own error
and the others still commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio

from chimera.answer import Answer
from chimera.errors import StoreError
from chimera.store.audit_chain import AuditEntry, AuditSigner, append_chained
from chimera.store.bulk import write_rows
from chimera.store.database import Database
from chimera.store.statements import Stmt

Row = tuple[Any, ...]
CustomWrite = Callable[[sqlite3.Connection], None]
"""A step run inside the transaction, on the writer's thread (no awaiting there)."""

_ORDER = tuple(Stmt)


@dataclass(slots=True, eq=False)
class WriteOp:
    """Rows (and optionally one custom step) that must commit together."""

    rows: list[tuple[Stmt, Row]] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    custom: CustomWrite | None = None
    error: BaseException | None = None
    committed: Answer[None] | None = None
    """Set by ``submit``; settled once the op's batch is done (committed, or failed with ``error``)."""

    def add(self, stmt: Stmt, row: Row) -> None:
        """Queue one row for a statement."""
        self.rows.append((stmt, row))

    def audit(self, entry: AuditEntry) -> None:
        """Queue one audit record (chained when the batch commits)."""
        self.audits.append(entry)


class Committer:
    """Owns the writer connection while the runtime runs; batches every write."""

    def __init__(self, db: Database, on_commit: Callable[[], None] | None = None) -> None:
        self._db = db
        self._on_commit = on_commit
        self._pending: list[WriteOp] = []
        self._wake = anyio.Event()
        self.batches = 0
        self.ops = 0

    async def submit(self, op: WriteOp) -> None:
        """Queue ``op`` and wait until it is committed; raise StoreError if it failed."""
        op.committed = Answer()
        self._pending.append(op)
        self._wake.set()
        await op.committed.wait()
        if op.error is not None:
            raise StoreError(f"write failed: {op.error}") from op.error

    async def run(self) -> None:
        """Flush batches until cancelled; a flush in progress always finishes."""
        while True:
            if not self._pending:
                self._wake = anyio.Event()
                await self._wake.wait()
            batch, self._pending = self._pending, []
            with anyio.CancelScope(shield=True):
                await self._flush(batch)

    async def _flush(self, batch: list[WriteOp]) -> None:
        try:
            await self._commit(batch)
        except Exception:
            # Retry each op alone: a bad op (a constraint it breaks, a bug in its
            # custom step) fails with its own error and every other op commits.
            for op in batch:
                try:
                    await self._commit([op])
                except Exception as single:
                    op.error = single
        finally:
            self.batches += 1
            self.ops += len(batch)
            for op in batch:
                if op.committed is not None:
                    op.committed.set(None)

    async def _commit(self, batch: list[WriteOp]) -> None:
        work = _Transaction.of(batch)  # grouped here, so the writer's thread holds the GIL only to write
        async with self._db.write_lock:
            await self._db.on_writer(partial(_apply, work=work, signer=self._db.signer))
        if self._on_commit is not None:
            self._on_commit()


@dataclass(slots=True)
class _Transaction:
    """A batch of ops as one transaction: custom steps, then each statement's rows, then the audit records."""

    customs: list[CustomWrite]
    grouped: list[tuple[Stmt, list[Row]]]
    audits: list[AuditEntry]

    @classmethod
    def of(cls, batch: list[WriteOp]) -> _Transaction:
        by_stmt: dict[Stmt, list[Row]] = {}
        audits: list[AuditEntry] = []
        for op in batch:
            for stmt, row in op.rows:
                by_stmt.setdefault(stmt, []).append(row)
            audits.extend(op.audits)
        customs = [op.custom for op in batch if op.custom is not None]
        return cls(customs, [(stmt, by_stmt[stmt]) for stmt in _ORDER if stmt in by_stmt], audits)


def _apply(conn: sqlite3.Connection, *, work: _Transaction, signer: AuditSigner) -> None:
    """One transaction for the batch (runs on the writer's thread)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for custom in work.customs:
            custom(conn)
        for stmt, rows in work.grouped:
            write_rows(conn, stmt, rows)
        if work.audits:
            append_chained(conn, signer, work.audits)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


__all__ = ["Committer", "StoreError", "WriteOp"]
