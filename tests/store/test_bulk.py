"""A bulk statement over a JSON array writes exactly what the same rows written one by one would."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.store import open_database
from chimera.store.audit_chain import AuditEntry, AuditSigner, append_chained, verify_rows
from chimera.store.bulk import BULK_MIN, write_rows
from chimera.store.statements import Stmt


@contextmanager
def _stores() -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    """Two migrated store files (foreign keys off: these tests write one table at a time)."""
    with tempfile.TemporaryDirectory() as tmp:

        async def create(path: Path) -> None:
            async with open_database(path, audit_key=b"k" * 32):
                pass

        conns = []
        for name in ("bulk.db", "rows.db"):
            anyio.run(create, Path(tmp) / name)
            conn = sqlite3.connect(Path(tmp) / name, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = OFF")
            conns.append(conn)
        try:
            yield conns[0], conns[1]
        finally:
            for conn in conns:
                conn.close()


def _traced(conn: sqlite3.Connection) -> list[str]:
    """Every SQL statement ``conn`` runs from now on."""
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    return seen


def _went_at_once(seen: list[str], rows: int) -> bool:
    """Fewer statements ran than there were rows (row by row, the trace shows one statement per row).

    Counting statements, not looking for ``), (`` in the SQL: the trace fills the parameters in, and a
    random text value could hold that string.
    """
    return 0 < len(seen) < rows


_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
_TIME = st.floats(min_value=0, max_value=4e9, allow_nan=False)


def _same_as_row_by_row(stmt: Stmt, rows: list[tuple[object, ...]], query: str) -> list[tuple[object, ...]]:
    """Write ``rows`` in bulk and one by one into two stores; both read back alike (returned)."""
    with _stores() as (bulk, one_by_one):
        seen = _traced(bulk)
        write_rows(bulk, stmt, rows)
        assert _went_at_once(seen, len(rows))
        one_by_one.executemany(stmt.value, rows)
        written: list[tuple[object, ...]] = bulk.execute(query).fetchall()
        assert written == one_by_one.execute(query).fetchall()
        return written


_CONFIDENCE = st.floats(min_value=0, max_value=1, allow_nan=False)


def _attempt_rows() -> st.SearchStrategy[list[tuple[object, ...]]]:
    row = st.tuples(
        _TEXT, st.integers(0, 5), _TEXT, st.sampled_from([0, 1]), _TEXT, _CONFIDENCE, _TEXT, st.none() | _TEXT,
        _TEXT, _TIME, st.sampled_from(["approve", "escalate", "reject"]), _CONFIDENCE, _TEXT, _TIME,
    )  # fmt: skip
    return st.lists(row, min_size=BULK_MIN, max_size=80, unique_by=lambda r: (r[0], r[1]))


@settings(max_examples=60, deadline=None)
@given(_attempt_rows())
def test_inserted_values_come_back_identical(rows: list[tuple[object, ...]]) -> None:
    query = "SELECT *, typeof(confidence), typeof(error), typeof(judged_confidence) FROM attempts ORDER BY rowid"
    _same_as_row_by_row(Stmt.INSERT_ATTEMPT, rows, query)


def test_chunks_stay_within_the_connections_parameter_limit() -> None:
    rows = [(f"t{n}", 0, "ten", 1, "{}", 0.5, "[]", None, "w", float(n), "approve", 0.9, "[]", float(n))
            for n in range(50)]  # fmt: skip
    with _stores() as (bulk, _):
        bulk.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)  # 16 rows of 14 would need 224
        seen = _traced(bulk)
        write_rows(bulk, Stmt.INSERT_ATTEMPT, rows)
        sizes = [sql.count("), (") + 1 for sql in seen if sql.startswith("INSERT")]
        assert max(sizes) == 4 and sum(sizes) == 50
        assert bulk.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 50


_STATUS = st.sampled_from(["pending", "blocked", "done", "review"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 70), _STATUS, st.integers(0, 2)), min_size=20, max_size=70, unique_by=lambda t: t[0]
    ),
    # one update per task in a group (the runtime's shape; repeated keys go row by row, also compared here)
    st.lists(
        st.tuples(_STATUS, st.integers(0, 3), _TIME, st.integers(0, 70), st.integers(0, 2)),
        min_size=BULK_MIN,
        max_size=70,
        unique_by=lambda r: r[3],
    )
    | st.lists(st.tuples(_STATUS, st.integers(0, 3), _TIME, st.integers(0, 5), st.integers(0, 2)), max_size=40),
    st.lists(st.tuples(_TEXT, _TIME, st.integers(0, 70)), min_size=BULK_MIN, max_size=70, unique_by=lambda r: r[2]),
)
def test_settling_and_unblocking_tasks_match_row_by_row(
    tasks: list[tuple[int, str, int]],
    settles: list[tuple[str, int, float, int, int]],
    unblocks: list[tuple[str, float, int]],
) -> None:
    task_rows = {
        n: (f"t{n}", "ten", "a", "c", "generate_content", 1, n, status, attempt, None, "{}", 0.0, 0.0)
        for n, status, attempt in tasks
    }
    settle_rows = [(status, attempt, at, "ten", f"t{n}", old) for status, attempt, at, n, old in settles]
    unblock_rows = [(payload, at, "ten", f"t{n}") for payload, at, n in unblocks]
    with _stores() as (bulk, one_by_one):
        for conn in (bulk, one_by_one):
            conn.executemany(Stmt.INSERT_TASK.value, list(task_rows.values()))
        seen = _traced(bulk)
        write_rows(bulk, Stmt.SETTLE_TASK, settle_rows)
        distinct = len({r[4] for r in settle_rows}) == len(settle_rows)
        assert _went_at_once(seen, len(settle_rows)) is (len(settle_rows) >= BULK_MIN and distinct)
        seen.clear()
        write_rows(bulk, Stmt.UNBLOCK_TASK, unblock_rows)
        assert _went_at_once(seen, len(unblock_rows))
        one_by_one.executemany(Stmt.SETTLE_TASK.value, settle_rows)
        one_by_one.executemany(Stmt.UNBLOCK_TASK.value, unblock_rows)
        query = "SELECT * FROM tasks ORDER BY task_id"
        assert bulk.execute(query).fetchall() == one_by_one.execute(query).fetchall()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 3)), min_size=10, max_size=60, unique_by=lambda c: c[0]),
    # the planner bumps each campaign once per commit, from the version it read (sometimes stale)
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 9), _TIME, st.integers(0, 60), st.integers(1, 3)),
        min_size=BULK_MIN,
        max_size=60,
        unique_by=lambda r: r[3],
    ),
)
def test_bumping_campaign_versions_matches_row_by_row(
    campaigns: list[tuple[int, int]], bumps: list[tuple[int, int, float, int, int]]
) -> None:
    rows = [(cycles, tasks, at, "ten", f"c{n}", version) for cycles, tasks, at, n, version in bumps]
    with _stores() as (bulk, one_by_one):
        for conn in (bulk, one_by_one):
            conn.executemany(
                "INSERT INTO campaigns (tenant_id, campaign_id, agent_id, goal, topics_json, platforms_json,"
                " budget_cents, status, declared_status, version, updated_at)"
                " VALUES ('ten', ?, 'a', 'g', '[]', '[]', 0, 'active', 'active', ?, 0.0)",
                [(f"c{n}", version) for n, version in campaigns],
            )
        seen = _traced(bulk)
        write_rows(bulk, Stmt.BUMP_CAMPAIGN, rows)
        assert _went_at_once(seen, len(rows))
        one_by_one.executemany(Stmt.BUMP_CAMPAIGN.value, rows)
        query = "SELECT campaign_id, version, cycles, tasks_planned, updated_at, typeof(updated_at) FROM campaigns"
        assert bulk.execute(query + " ORDER BY 1").fetchall() == one_by_one.execute(query + " ORDER BY 1").fetchall()


@pytest.mark.parametrize("n", [BULK_MIN - 1, BULK_MIN, 500])
def test_a_chain_appended_at_once_verifies(n: int) -> None:
    signer = AuditSigner(b"k" * 32)
    entries = [AuditEntry("ten", "judge.decision", "judge", f"s{i}", f'{{"n": {i}}}', 1795400000.0 + i / 7, "a")
               for i in range(n)]  # fmt: skip
    with _stores() as (conn, _):
        conn.row_factory = sqlite3.Row
        conn.execute("BEGIN IMMEDIATE")
        seen = _traced(conn)
        append_chained(conn, signer, entries)
        conn.commit()
        inserts = [sql for sql in seen if sql.startswith("INSERT INTO audit_log")]
        assert _went_at_once(inserts, n) is (n >= BULK_MIN)
        rows = conn.execute("SELECT * FROM audit_log WHERE tenant_id = 'ten' ORDER BY seq").fetchall()
        assert len(rows) == n
        assert [r["created_at"] for r in rows] == [e.created_at for e in entries]
        report = verify_rows(signer, rows)
        assert report.ok and report.records == n


def _outbox_rows() -> st.SearchStrategy[list[tuple[object, ...]]]:
    disclosure = st.sampled_from(["[AI]", "#ai"])
    row = st.tuples(_TEXT, _TEXT, _TEXT, st.sampled_from(["p1", "p2", "p3", "p4", "p5"]), _TEXT, _TEXT, disclosure,
                    _TEXT, _TIME)  # fmt: skip
    # the text carries the disclosure (the table's CHECK); task ids repeat: a second post of a task changes nothing
    return st.lists(row.map(lambda r: (*r[:5], f"{r[5]} {r[6]}", *r[6:])), min_size=BULK_MIN, max_size=40)


@settings(max_examples=40, deadline=None)
@given(_outbox_rows())
def test_outbox_rows_written_at_once_keep_the_first_post_of_each_task(rows: list[tuple[object, ...]]) -> None:
    written = _same_as_row_by_row(Stmt.INSERT_OUTBOX, rows, "SELECT * FROM outbox ORDER BY post_id")
    assert len(written) == len({r[3] for r in rows})


def test_a_post_without_its_disclosure_is_an_error_not_silently_dropped() -> None:
    row = ("ten", "nova", "c1", "p1", "outbox", "no label here", "[AI-generated]", "w", 0.0)
    with _stores() as (bulk, _), pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        write_rows(bulk, Stmt.INSERT_OUTBOX, [row])
