"""The local outbox records a batch of posts in one transaction, and a bad post fails alone, never silently."""

from __future__ import annotations

from pathlib import Path

import anyio

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import load_fleet
from chimera.errors import StoreError
from chimera.models.records import Task
from chimera.models.work import Priority
from chimera.platforms.base import PostRequest, Receipt
from chimera.platforms.outbox import LocalOutbox
from chimera.roles.planner import task_row
from chimera.runtime.runner import build_pipeline
from chimera.store import open_database
from chimera.store.committer import WriteOp
from chimera.store.statements import Stmt
from tests.conftest import query
from tests.helpers import ListNews

DISCLOSURE = "[AI-generated]"


def test_a_post_the_store_refuses_fails_alone_and_the_rest_of_its_batch_is_recorded(tmp_path: Path) -> None:
    home = Home(tmp_path / "fleet")
    write_sample_fleet(home.root)
    fleet = load_fleet(home)
    nova = next(c for c in fleet.campaigns if c.agent_id == "nova")

    def post(n: int, text: str) -> PostRequest:
        return PostRequest(f"p{n}", "demo", "nova", nova.campaign_id, text, DISCLOSURE, "test")

    posts = [
        post(1, f"Solar farms doubled their output. {DISCLOSURE}"),
        post(2, f"A post for a task the store does not have. {DISCLOSURE}"),  # its foreign key fails
        post(3, f"Storage prices fell again. {DISCLOSURE}"),
        post(4, "A post that lost its disclosure on the way."),  # the outbox's CHECK refuses it
    ]

    async def main() -> tuple[list[Receipt | Exception], int]:
        async with open_database(home.db_path) as db:
            p = await build_pipeline(fleet, db, ListNews(), workers=1)
            async with anyio.create_task_group() as tg:
                tg.start_soon(p.committer.run)
                op = WriteOp()
                for n in (1, 3, 4):
                    task = Task(f"p{n}", "demo", "nova", nova.campaign_id, "post_content", Priority.LOW, n, {})
                    op.add(Stmt.INSERT_TASK, task_row(task, 0.0))
                await p.committer.submit(op)
                before = p.committer.ops
                receipts = await LocalOutbox(p.committer).publish_many(posts)
                ops = p.committer.ops - before
                tg.cancel_scope.cancel()
        return receipts, ops

    receipts, ops = anyio.run(main)
    assert [r.ref if isinstance(r, Receipt) else None for r in receipts] == ["outbox:p1", None, "outbox:p3", None]
    assert isinstance(receipts[1], StoreError) and "FOREIGN KEY constraint failed" in str(receipts[1])
    assert isinstance(receipts[3], StoreError) and "CHECK constraint failed" in str(receipts[3])
    assert query(home.db_path, "SELECT task_id FROM outbox ORDER BY task_id") == [("p1",), ("p3",)]
    assert ops == 5, "not one op for the batch, then one per post"
