"""Batch audit records: one chained row for many items, listed item by item, filters and limits intact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from chimera.store import open_database
from chimera.store.audit import AuditItem, audit_batches, audit_entry
from chimera.store.audit_log import audit_rows, verify_chain
from chimera.store.committer import Committer, WriteOp
from chimera.store.scope import TenantScope


def _decision(task: str, agent: str, tenant: str = "demo") -> AuditItem:
    return tenant, task, {"attempt": 0, "verdict": "approve"}, agent


async def _write_and_read(path: Path) -> dict[str, Any]:
    async with open_database(path) as db:
        committer = Committer(db)
        async with anyio.create_task_group() as tg:
            tg.start_soon(committer.run)
            op = WriteOp()
            op.audit(audit_entry("demo", "spend.auto", "cfo", "k1", {"cents": 5}, "nova"))
            decisions = [_decision("t1", "nova"), _decision("t2", "byte"), _decision("x1", "ada", "other"),
                         _decision("t3", "nova")]  # fmt: skip
            op.audits += audit_batches("judge.decision", "judge", decisions)
            op.audits += audit_batches("post.publish", "outbox", [("demo", "t9", {"ref": "outbox:t9"}, "vita")])
            await committer.submit(op)
            tg.cancel_scope.cancel()
        scope = TenantScope(db, "demo")
        return {
            "rows": await scope.fetchall("SELECT kind, agent_id FROM audit_log WHERE tenant_id = :tenant ORDER BY seq"),
            "all": await audit_rows(scope),
            "nova": await audit_rows(scope, agent="nova"),
            "judge": await audit_rows(scope, kind="judge"),
            "two": await audit_rows(scope, limit=2),
            "nova_one": await audit_rows(scope, agent="nova", limit=1),
            "verify": await verify_chain(scope),
            "other": await audit_rows(TenantScope(db, "other")),
        }


def test_a_batch_is_one_chained_row_listed_as_its_items(tmp_path: Path) -> None:
    seen = anyio.run(_write_and_read, tmp_path / "a.db")
    # three rows: a plain record, a batch of three decisions, and a batch of one written as a plain record
    assert [(r["kind"], r["agent_id"]) for r in seen["rows"]] == [
        ("spend.auto", "nova"), ("judge.decision.batch", None), ("post.publish", "vita"),
    ]  # fmt: skip
    assert seen["verify"].ok and seen["verify"].records == 3

    def listed(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [(r["kind"], r["subject"], r["agent_id"]) for r in rows]

    assert listed(seen["all"]) == [
        ("post.publish", "t9", "vita"),
        ("judge.decision", "t3", "nova"), ("judge.decision", "t2", "byte"), ("judge.decision", "t1", "nova"),
        ("spend.auto", "k1", "nova"),
    ]  # fmt: skip
    assert all(r["detail"]["verdict"] == "approve" for r in seen["all"] if r["kind"] == "judge.decision")
    assert len({r["seq"] for r in seen["all"] if r["kind"] == "judge.decision"}) == 1, "one record, one seq"
    assert listed(seen["nova"]) == [
        ("judge.decision", "t3", "nova"), ("judge.decision", "t1", "nova"), ("spend.auto", "k1", "nova"),
    ]  # fmt: skip
    assert [r["subject"] for r in seen["judge"]] == ["t3", "t2", "t1"]
    assert [r["subject"] for r in seen["two"]] == ["t9", "t3"]
    assert [r["subject"] for r in seen["nova_one"]] == ["t3"]
    # another tenant's item in the same batch went to that tenant's own chain, as a plain record
    assert [(r["kind"], r["subject"], r["agent_id"]) for r in seen["other"]] == [("judge.decision", "x1", "ada")]
