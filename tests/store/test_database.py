"""The store file: durability pragmas, STRICT tables, migrations, append-only audit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio
import pytest

from chimera.errors import StoreError
from chimera.store import open_database
from chimera.store.schema import SCHEMA_VERSION


async def _pragmas(path: Path) -> dict[str, object]:
    async with open_database(path) as db:
        out: dict[str, object] = {}
        for name in ("journal_mode", "synchronous", "foreign_keys", "user_version"):
            async with db.writer.execute(f"PRAGMA {name}") as cur:
                row = await cur.fetchone()
                out[name] = row[0] if row else None
        out["problems"] = await db.integrity_problems()
        return out


def test_durability_settings_and_schema_version(tmp_path: Path) -> None:
    got = anyio.run(_pragmas, tmp_path / "c.db")
    assert got == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "user_version": SCHEMA_VERSION,
                   "problems": []}  # fmt: skip


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    anyio.run(_pragmas, tmp_path / "c.db")
    assert anyio.run(_pragmas, tmp_path / "c.db")["user_version"] == SCHEMA_VERSION


def test_tables_are_strict_and_checked(tmp_path: Path) -> None:
    anyio.run(_pragmas, tmp_path / "c.db")
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("INSERT INTO tenants VALUES ('t', 0)")
    with pytest.raises(sqlite3.IntegrityError, match="cannot store TEXT value in REAL column"):
        conn.execute("INSERT INTO tenants VALUES ('u', 'yesterday')")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute("INSERT INTO agents VALUES ('nope', 'a', 'A', '{}', 'active', 0)")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("INSERT INTO agents VALUES ('t', 'a', 'A', '{}', 'asleep', 0)")
    conn.execute(
        "INSERT INTO audit_log (tenant_id, kind, actor, subject, detail, created_at) VALUES ('t','k','a','s','{}',0)"
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET detail = 'forged'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    conn.close()


def test_a_newer_schema_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    anyio.run(_pragmas, path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this Chimera"):
        anyio.run(_pragmas, path)


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite store"):
        anyio.run(_pragmas, path)


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    from chimera.store.database import split_statements
    from chimera.store.schema import MIGRATIONS

    parts = split_statements(MIGRATIONS[1])
    triggers = [p for p in parts if "CREATE TRIGGER" in p]
    assert len(triggers) == 5 and all(t.endswith("END;") for t in triggers)


def test_many_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "c.db"
    code = "\n".join(
        [
            "import anyio, sys",
            "from pathlib import Path",
            "from chimera.store import open_database",
            "async def main():",
            "    async with open_database(Path(sys.argv[1])):",
            "        pass",
            "anyio.run(main)",
        ]
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE, text=True)
             for _ in range(6)]  # fmt: skip
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert anyio.run(_pragmas, path)["user_version"] == SCHEMA_VERSION


async def _create_while_another_holds_the_lock(path: Path, hold_s: float) -> None:
    import threading

    import aiosqlite

    from chimera.store.database import _execute_waiting_for_lock

    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(hold_s, holder.execute, ("COMMIT",))
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await conn.execute("PRAGMA busy_timeout = 0")  # SQLite says "locked" at once, as when waiting could deadlock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await conn.execute("CREATE TABLE plain (a)")
        release.start()
        await _execute_waiting_for_lock(conn, "CREATE TABLE waited (a)")  # answered "locked" until the commit
        with pytest.raises(sqlite3.OperationalError, match="syntax"):
            await _execute_waiting_for_lock(conn, "CREATE TABEL nope (a)")  # other errors are not retried
    finally:
        if release.is_alive():
            release.join()
        await conn.close()
        holder.close()


def test_a_statement_answered_locked_at_once_is_retried_until_the_lock_is_gone(tmp_path: Path) -> None:
    anyio.run(_create_while_another_holds_the_lock, tmp_path / "l.db", 0.3)
    tables = sqlite3.connect(tmp_path / "l.db").execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("waited",)]


def _store_at_version(path: Path, version: int) -> sqlite3.Connection:
    """A store file made by the first ``version`` migrations, as an older Chimera left it."""
    from chimera.store.database import split_statements
    from chimera.store.schema import MIGRATIONS

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for migration in MIGRATIONS[:version]:
        for statement in split_statements(migration):
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO tenants (tenant_id, created_at) VALUES ('t', 0)")
    conn.execute("INSERT INTO agents VALUES ('t', 'a', 'A', '{}', 'active', 0)")
    conn.execute("INSERT INTO campaigns (tenant_id, campaign_id, agent_id, goal, topics_json, platforms_json,"
                 " budget_cents, status, declared_status, updated_at)"
                 " VALUES ('t', 'c', 'a', 'g', '[]', '[]', 0, 'active', 'active', 0)")  # fmt: skip
    for task in ("k1", "k2"):
        conn.execute("INSERT INTO tasks (task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status,"
                     " attempt, payload, created_at, updated_at) VALUES (?, 't', 'a', 'c', 'generate_content', 1,"
                     " 1, 'done', 1, '{}', 0, 0)", (task,))  # fmt: skip
    return conn


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _attempt_rows(path: Path, table: str) -> list[tuple[object, ...]]:
    return _rows(path, f"SELECT * FROM {table} ORDER BY task_id, attempt")


def test_results_and_decisions_of_an_older_store_become_one_row_each(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = _store_at_version(path, 5)
    for task, attempt, verdict in (("k1", 0, "reject"), ("k1", 1, "approve"), ("k2", 0, "escalate")):
        conn.execute("INSERT INTO results VALUES (?, ?, 't', 1, '{\"text\": \"hi\"}', 0.5, '[\"r\"]', NULL, 'w', 1.5)",
                     (task, attempt))  # fmt: skip
        conn.execute("INSERT INTO decisions VALUES (?, ?, 't', ?, 0.25, '[\"why\"]', 2.5)", (task, attempt, verdict))
    before = {t: _attempt_rows(path, t) for t in ("results", "decisions")}
    conn.close()
    assert anyio.run(_pragmas, path)["user_version"] == SCHEMA_VERSION
    assert {t: _attempt_rows(path, t) for t in ("results", "decisions")} == before  # read as before, as views
    merged = _attempt_rows(path, "attempts")
    assert [(r[0], r[1], r[10], r[11], r[12], r[13]) for r in merged] == [
        ("k1", 0, "reject", 0.25, '["why"]', 2.5), ("k1", 1, "approve", 0.25, '["why"]', 2.5),
        ("k2", 0, "escalate", 0.25, '["why"]', 2.5),
    ]  # fmt: skip


def test_a_result_without_its_decision_stops_the_migration_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = _store_at_version(path, 5)
    conn.execute("INSERT INTO results VALUES ('k1', 0, 't', 1, '{}', 0.5, '[]', NULL, 'w', 1.5)")
    conn.close()
    with pytest.raises(StoreError, match=r"migration 6 failed.*NOT NULL constraint failed: attempts\.verdict"):
        anyio.run(_pragmas, path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone() == (5,)
    assert conn.execute("SELECT task_id, attempt FROM results").fetchall() == [("k1", 0)]
    conn.close()


_KEPT = {
    "tasks": "SELECT rowid, * FROM tasks ORDER BY task_id",
    "attempts": "SELECT rowid, * FROM attempts ORDER BY task_id, attempt",
    "results": "SELECT * FROM results ORDER BY task_id, attempt",
    "decisions": "SELECT * FROM decisions ORDER BY task_id, attempt",
    "reviews": "SELECT * FROM reviews ORDER BY review_id",
    "outbox": "SELECT * FROM outbox ORDER BY post_id",
}


def test_a_version_6_store_keeps_every_row_and_rule_when_its_checks_become_comparisons(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = _store_at_version(path, 6)
    conn.execute("INSERT INTO tasks (task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status, attempt,"
                 " depends_on, payload, created_at, updated_at) VALUES ('k3', 't', 'a', 'c', 'post_content', 2, 2,"
                 " 'blocked', 0, 'k1', '{\"x\": 1}', 0, 0)")  # fmt: skip
    conn.execute("INSERT INTO attempts VALUES ('k1', 0, 't', 1, '{}', 0.5, '[]', NULL, 'w', 1.5, 'reject', 0.25, '[]',"
                 " 2.5)")  # fmt: skip
    conn.execute("INSERT INTO attempts VALUES ('k1', 1, 't', 1, '{}', 0.5, '[]', NULL, 'w', 1.5, 'approve', 0.9, '[]',"
                 " 2.5)")  # fmt: skip
    conn.execute("INSERT INTO reviews (review_id, tenant_id, task_id, attempt, agent_id, campaign_id, kind, content,"
                 " confidence, reasoning, escalation, status, reason, created_at) VALUES (7, 't', 'k2', 0, 'a', 'c',"
                 " 'generate_content', 'hi', 0.4, '[]', '[]', 'rejected', 'off topic', 3)")  # fmt: skip
    conn.execute("INSERT INTO outbox (tenant_id, agent_id, campaign_id, task_id, platform, text, disclosure, writer,"
                 " created_at) VALUES ('t', 'a', 'c', 'k1', 'outbox', 'hi [AI]', '[AI]', 'w', 4)")  # fmt: skip
    conn.close()
    before = {name: _rows(path, sql) for name, sql in _KEPT.items()}
    got = anyio.run(_pragmas, path)
    assert (got["user_version"], got["foreign_keys"], got["problems"]) == (SCHEMA_VERSION, 1, [])
    assert {name: _rows(path, sql) for name, sql in _KEPT.items()} == before
    indexes = {r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tasks_open", "tasks_depends", "reviews_pending"} <= indexes
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    task = ("INSERT INTO tasks (task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status, payload,"
            " created_at, updated_at) VALUES (?, 't', 'a', 'c', 'x', ?, 1, ?, '{}', 0, 0)")  # fmt: skip
    for bad in (("k8", 3, "pending"), ("k9", 1, "asleep")):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(task, bad)
    conn.execute(task, ("k10", 2, "cancelled"))
    attempt = "INSERT INTO attempts VALUES (?, 0, 't', 1, '{}', 0.5, '[]', NULL, 'w', 1, ?, 0.5, '[]', 1)"
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(attempt, ("k10", "maybe"))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(attempt, ("nope", "approve"))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE reviews SET status = 'lost' WHERE review_id = 7")
    conn.close()


def test_a_migration_that_would_leave_rows_without_parents_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = _store_at_version(path, 6)
    conn.execute("PRAGMA foreign_keys = OFF")  # as a store written by a tool without them could be
    conn.execute("INSERT INTO attempts VALUES ('ghost', 0, 't', 1, '{}', 0.5, '[]', NULL, 'w', 1, 'approve', 0.5,"
                 " '[]', 1)")  # fmt: skip
    conn.close()
    with pytest.raises(StoreError, match=r"without their parents.*'attempts'"):
        anyio.run(_pragmas, path)
    assert _rows(path, "PRAGMA user_version") == [(6,)]
    assert _rows(path, "SELECT task_id FROM attempts") == [("ghost",)]
    assert "IN ('approve'" in _rows(path, "SELECT sql FROM sqlite_master WHERE name = 'attempts'")[0][0]


def test_no_statement_of_the_pipeline_fills_a_throwaway_index_per_row(tmp_path: Path) -> None:
    # A CHECK of the form ``x IN (a, b, c)`` does (SQLite gives it no once-only guard); on these tables it
    # cost ~12% of the writer's time.
    from chimera.store.statements import Stmt

    anyio.run(_pragmas, tmp_path / "c.db")
    conn = sqlite3.connect(tmp_path / "c.db")
    ephemeral = {
        stmt.name: [r[1] for r in conn.execute(f"EXPLAIN {stmt.value}", [None] * stmt.value.count("?"))].count(
            "OpenEphemeral"
        )
        for stmt in Stmt
    }
    conn.close()
    assert ephemeral == dict.fromkeys(ephemeral, 0)


def test_none_is_bound_as_null_through_the_registered_adapter(tmp_path: Path) -> None:
    anyio.run(_pragmas, tmp_path / "c.db")  # opening a store registers it
    adapter = sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)]
    assert adapter(None) is None
    conn = sqlite3.connect(tmp_path / "c.db")
    sql = "SELECT typeof(?), typeof(?), typeof(?)"
    assert conn.execute(sql, (None, "x", 1)).fetchall() == [("null", "text", "integer")]
    conn.close()
