"""WAL checkpoints on their own connection, off the writer's path.

SQLite copies the write-ahead log back into the database file once the log
passes ~1,000 pages, and by default the connection whose commit crossed that
mark does the copy (and its fsyncs) inside that commit. In the runtime that
is the group commit: every few dozen commits one of them took several times
as long, and every cycle waiting on it waited too. While the runtime runs, a
checkpointer copies the log back on its own connection (its own thread)
after every few commits, with ``PRAGMA wal_checkpoint(PASSIVE)``: it never
blocks the writer or a reader, and copies what no reader still needs. The
writer's own automatic checkpoint stays on as a backstop at a much larger
log, and is put back to SQLite's default when the checkpointer stops.
"""

from __future__ import annotations

import logging
import sqlite3

import aiosqlite
import anyio

from chimera.errors import StoreError
from chimera.store.database import Database, connect

log = logging.getLogger("chimera.store")

#: SQLite's default ``wal_autocheckpoint`` (pages), restored when the checkpointer stops.
DEFAULT_AUTOCHECKPOINT = 1000


class Checkpointer:
    """Checkpoints the store's log after every ``every_commits`` commits reported to ``committed``."""

    def __init__(self, db: Database, every_commits: int = 8, backstop_pages: int = 20_000) -> None:
        self._db = db
        self._every = every_commits
        self.backstop_pages = backstop_pages
        self._since = 0
        self._due = anyio.Event()
        self.checkpoints = 0
        self.frames = 0
        """Log frames copied back into the database file."""
        self.failures = 0

    def committed(self) -> None:
        """A write transaction committed (called by the committer; cheap, never blocks)."""
        self._since += 1
        if self._since >= self._every:
            self._due.set()

    async def run(self) -> None:
        """Checkpoint when due, until cancelled; the writer's automatic checkpoint is a backstop meanwhile.

        Without a connection of its own (the store refused one) it logs why and
        leaves checkpoints to the writer, as before.
        """
        try:
            conn = await connect(self._db.path, readonly=False)
        except StoreError as exc:
            log.warning("no checkpointer connection (the writer will checkpoint instead): %s", exc)
            return
        try:
            await self._set_autocheckpoint(self.backstop_pages)
            try:
                while True:
                    await self._due.wait()
                    self._due = anyio.Event()
                    self._since = 0
                    await self._checkpoint(conn)
            finally:
                with anyio.CancelScope(shield=True):
                    await self._set_autocheckpoint(DEFAULT_AUTOCHECKPOINT)
        finally:
            with anyio.CancelScope(shield=True):
                await conn.close()

    async def _checkpoint(self, conn: aiosqlite.Connection) -> None:
        try:
            async with conn.execute("PRAGMA wal_checkpoint(PASSIVE)") as cur:
                row = await cur.fetchone()
        except sqlite3.Error as exc:  # the writer's backstop still bounds the log; say so and carry on
            self.failures += 1
            log.warning("checkpoint of %s failed (the writer will checkpoint instead): %s", self._db.path, exc)
            return
        self.checkpoints += 1
        if row is not None and row[2] > 0:
            self.frames += int(row[2])

    async def _set_autocheckpoint(self, pages: int) -> None:
        async with self._db.write_lock:
            await self._db.writer.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
