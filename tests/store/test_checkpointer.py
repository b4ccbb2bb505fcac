"""The checkpointer copies the log back on its own connection while the writer only commits."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite
import anyio
import pytest

import chimera.store.checkpointer as checkpointer_module
from chimera.store import open_database
from chimera.store.audit_chain import AuditEntry
from chimera.store.checkpointer import DEFAULT_AUTOCHECKPOINT, Checkpointer
from chimera.store.committer import Committer, WriteOp

COMMITS = 40
ROWS_PER_COMMIT = 40
DETAIL = "x" * 1000  # ~1.6 MB of audit records in all: ~400 log pages, far below the writer's backstop


def _op(n: int) -> WriteOp:
    op = WriteOp()
    for i in range(ROWS_PER_COMMIT):
        op.audit(AuditEntry("t", "test", "a", f"s{n}-{i}", DETAIL, time.time()))
    return op


async def _autocheckpoint(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA wal_autocheckpoint") as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


def test_the_log_is_copied_back_by_the_checkpointer_not_by_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "chimera.db"

    async def main() -> tuple[int, int, int, Checkpointer]:
        async with open_database(path, audit_key=b"k" * 32) as db:
            checkpointer = Checkpointer(db, every_commits=4)
            committer = Committer(db, on_commit=checkpointer.committed)
            size_before = path.stat().st_size
            async with anyio.create_task_group() as tg:
                tg.start_soon(committer.run)
                tg.start_soon(checkpointer.run)
                for n in range(COMMITS):  # one commit each: the writer's backstop is never reached
                    await committer.submit(_op(n))
                # the checkpointer set the backstop before its first checkpoint, and frames > 0 below shows one ran
                during = await _autocheckpoint(db.writer)
                tg.cancel_scope.cancel()  # a checkpoint in progress finishes before its connection closes
            # read before the store closes: closing checkpoints whatever is left on its own
            grown = path.stat().st_size - size_before
            return during, grown, await _autocheckpoint(db.writer), checkpointer

    during, grown, after, checkpointer = anyio.run(main)
    assert checkpointer.frames > 0 and 1 <= checkpointer.checkpoints <= COMMITS // 4
    assert during == 20_000, "the writer's own checkpoint is only a backstop while the checkpointer runs"
    assert after == DEFAULT_AUTOCHECKPOINT
    assert grown > 1_000_000, "the records reached the database file"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == COMMITS * ROWS_PER_COMMIT
    finally:
        conn.close()


def test_without_a_connection_of_its_own_it_says_so_and_leaves_checkpoints_to_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> int:
        async with open_database(tmp_path / "chimera.db", audit_key=b"k" * 32) as db:
            checkpointer = Checkpointer(db)
            db.path = tmp_path / "gone" / "chimera.db"  # the file can no longer be opened a second time
            with anyio.fail_after(10):
                await checkpointer.run()  # returns instead of failing the run
            return await _autocheckpoint(db.writer)

    with caplog.at_level(logging.WARNING, logger="chimera.store"):
        autocheckpoint = anyio.run(main)
    assert autocheckpoint == DEFAULT_AUTOCHECKPOINT
    assert any("no checkpointer connection" in r.getMessage() for r in caplog.records)


def test_a_checkpoint_that_fails_is_counted_and_logged_and_nothing_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = checkpointer_module.connect

    async def connect_refusing_checkpoints(path: Path, *, readonly: bool) -> aiosqlite.Connection:
        conn = await real_connect(path, readonly=readonly)  # a real connection, told by SQLite to refuse one pragma

        def deny(action: int, arg1: str | None, *_: object) -> int:
            refused = action == sqlite3.SQLITE_PRAGMA and arg1 == "wal_checkpoint"
            return sqlite3.SQLITE_DENY if refused else sqlite3.SQLITE_OK

        await conn.set_authorizer(deny)
        return conn

    monkeypatch.setattr(checkpointer_module, "connect", connect_refusing_checkpoints)

    async def main() -> tuple[Checkpointer, int, int]:
        async with open_database(tmp_path / "chimera.db", audit_key=b"k" * 32) as db:
            checkpointer = Checkpointer(db, every_commits=1)
            committer = Committer(db, on_commit=checkpointer.committed)
            submitted = 0
            async with anyio.create_task_group() as tg:
                tg.start_soon(committer.run)
                tg.start_soon(checkpointer.run)
                with anyio.fail_after(10):
                    while submitted < 3 or checkpointer.failures < 2:  # it keeps trying after a failure
                        await committer.submit(_op(submitted))
                        submitted += 1
                        await anyio.sleep(0.01)
                tg.cancel_scope.cancel()
            rows = await db.fetchall("SELECT count(*) AS n FROM audit_log")
            return checkpointer, submitted, int(rows[0]["n"])

    with caplog.at_level(logging.WARNING, logger="chimera.store"):
        checkpointer, submitted, records = anyio.run(main)
    assert checkpointer.checkpoints == 0 and checkpointer.failures >= 2
    assert records == submitted * ROWS_PER_COMMIT, "every committed record is kept"
    assert any("checkpoint of" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)
