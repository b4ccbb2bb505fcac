"""SQLite itself refuses spending past a limit, whatever writes to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.money_fixtures import money_home

INSERT = (
    "INSERT INTO ledger (tenant_id, agent_id, idempotency_key, kind, category, recipient, purpose, amount_cents,"
    " state, approval, approved_by, risk, reason, day_key, week_key, month_key, wallet, created_at, updated_at)"
    " VALUES ('demo', 'nova', ?, ?, 'api', '0xabc', 'test', ?, ?, ?, 'test', 0.1, 'direct write',"
    " ?, '2026-W48', '2026-11', 'simulated', 0, 0)"
)


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    home, _ = money_home(tmp_path / "fleet")
    conn = sqlite3.connect(home.db_path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _row(conn: sqlite3.Connection, key: str, cents: int, *, approval: str = "auto", kind: str = "transfer",
         state: str = "reserved", day: str = "2026-11-23") -> None:  # fmt: skip
    conn.execute(INSERT, (key, kind, cents, state, approval, day))


def test_an_11_dollar_row_without_approval_is_refused(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="per-transaction limit"):
        _row(db, "k1", 1100)
    _row(db, "k2", 1100, approval="cfo")  # with a CFO approval it is within limits
    with pytest.raises(sqlite3.IntegrityError, match="CFO limit without human approval"):
        _row(db, "k3", 5001, approval="cfo")


def test_a_row_that_takes_the_day_past_50_dollars_is_refused(db: sqlite3.Connection) -> None:
    for n in range(5):
        _row(db, f"k{n}", 1000)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: spent_cents <= limit_cents"):
        _row(db, "k5", 1)
    _row(db, "next-day", 1000, day="2026-11-24")  # a new day has its own counter
    counters = dict(db.execute("SELECT period_key, spent_cents FROM budget_counters WHERE period = 'day'").fetchall())
    assert counters == {"2026-11-23": 5000, "2026-11-24": 1000}


def test_token_deployment_needs_a_human_and_entries_start_reserved(db: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="token deployment needs human approval"):
        _row(db, "t1", 100, kind="deploy_token", approval="cfo")
    with pytest.raises(sqlite3.IntegrityError, match="starts reserved"):
        _row(db, "p1", 100, state="posted")


def test_the_ledger_is_append_only_and_voiding_returns_the_budget(db: sqlite3.Connection) -> None:
    _row(db, "v1", 900)
    db.execute("UPDATE ledger SET state = 'voided' WHERE idempotency_key = 'v1'")
    assert db.execute("SELECT spent_cents FROM budget_counters WHERE period = 'day'").fetchone() == (0,)
    with pytest.raises(sqlite3.IntegrityError, match="only move from reserved"):
        db.execute("UPDATE ledger SET state = 'reserved' WHERE idempotency_key = 'v1'")
    _row(db, "v2", 900)
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        db.execute("UPDATE ledger SET amount_cents = 1 WHERE idempotency_key = 'v2'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM ledger")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _row(db, "v2", 100)


def test_an_agent_without_limits_cannot_spend(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM spend_limits WHERE agent_id = 'nova'")
    with pytest.raises(sqlite3.IntegrityError, match="no spend limits"):
        _row(db, "n1", 100)
