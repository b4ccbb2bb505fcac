"""Group commits: many ops share a transaction, a bad op fails alone, and writes are durable."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.errors import StoreError
from chimera.store import open_database
from chimera.store.audit_chain import AuditEntry
from chimera.store.committer import Committer, WriteOp
from chimera.store.statements import Stmt


def _audit(n: int, tenant: str = "t") -> WriteOp:
    op = WriteOp()
    op.audit(AuditEntry(tenant, "test", "a", f"s{n}", "{}", time.time()))
    return op


async def _submit_all(path: Path, ops: list[WriteOp]) -> tuple[Committer, list[BaseException | None]]:
    async with open_database(path) as db:
        committer = Committer(db)
        errors: list[BaseException | None] = [None] * len(ops)

        async def one(i: int, op: WriteOp) -> None:
            try:
                await committer.submit(op)
            except StoreError as exc:
                errors[i] = exc

        async with anyio.create_task_group() as tg:
            tg.start_soon(committer.run)
            async with anyio.create_task_group() as clients:
                for i, op in enumerate(ops):
                    clients.start_soon(one, i, op)
            tg.cancel_scope.cancel()
        return committer, errors


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 300))
def test_concurrent_ops_are_batched_and_all_committed(n: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.db"
        committer, errors = anyio.run(_submit_all, path, [_audit(i) for i in range(n)])
        assert errors == [None] * n
        assert committer.ops == n and committer.batches <= n
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT subject) FROM audit_log").fetchone() == (n, n)
        conn.close()


def test_many_ops_share_few_transactions(tmp_path: Path) -> None:
    committer, _ = anyio.run(_submit_all, tmp_path / "c.db", [_audit(i) for i in range(500)])
    assert committer.batches < 50


def test_a_failing_op_fails_alone(tmp_path: Path) -> None:
    bad = WriteOp()
    no_such_task = ("no-such-task", 0, "t", 1, "{}", 0.9, "[]", None, "w", 0.0, "approve", 0.9, "[]", 0.0)
    bad.add(Stmt.INSERT_ATTEMPT, no_such_task)  # FK violation
    ops = [_audit(1), bad, _audit(2)]
    _, errors = anyio.run(_submit_all, tmp_path / "c.db", ops)
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], StoreError) and "FOREIGN KEY" in str(errors[1])
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (2,)
    assert conn.execute("SELECT COUNT(*) FROM decisions").fetchone() == (0,)
    conn.close()


def test_submit_without_a_running_committer_waits_rather_than_losing_the_op(tmp_path: Path) -> None:
    async def main() -> bool:
        async with open_database(tmp_path / "c.db") as db:
            committer = Committer(db)
            with anyio.move_on_after(0.05) as scope:
                await committer.submit(_audit(1))
            return scope.cancelled_caught

    assert anyio.run(main) is True


@pytest.mark.parametrize("n", [1, 3])
def test_written_rows_survive_reopen(tmp_path: Path, n: int) -> None:
    anyio.run(_submit_all, tmp_path / "c.db", [_audit(i) for i in range(n)])
    anyio.run(_submit_all, tmp_path / "c.db", [])
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (n,)
    conn.close()


def test_a_custom_step_that_raises_fails_its_op_only(tmp_path: Path) -> None:
    def broken(conn: object) -> None:
        raise ValueError("bug in a custom write")

    bad = WriteOp(custom=broken)
    bad.audit(AuditEntry("t", "test", "a", "from-bad-op", "{}", 0.0))
    _, errors = anyio.run(_submit_all, tmp_path / "c.db", [_audit(1), bad, _audit(2)])
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], StoreError) and "bug in a custom write" in str(errors[1])
    conn = sqlite3.connect(tmp_path / "c.db")
    assert conn.execute("SELECT subject FROM audit_log ORDER BY seq").fetchall() == [("s1",), ("s2",)]
    conn.close()
