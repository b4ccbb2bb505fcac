"""The planner's optimistic concurrency: concurrent writers never make it lose or double a plan."""

from __future__ import annotations

import tempfile
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import load_fleet
from chimera.models.config import CampaignStatus
from chimera.models.work import Priority
from chimera.pipeline.messages import PlanRequest
from chimera.runtime.runner import build_pipeline, start_roles
from chimera.store import open_database
from chimera.store.fleet import set_campaign_status
from chimera.store.scope import TenantScope
from tests.conftest import query
from tests.helpers import ListNews

CAMPAIGN = "nova-solar"


async def _scenario(root: Path, chunks: list[int], external: list[int]) -> tuple[int, int]:
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    news = ListNews()
    requested = sum(chunks)
    async with open_database(home.db_path) as db, open_database(home.db_path) as other:
        p = await build_pipeline(fleet, db, news, workers=1)
        outsider = TenantScope(other, fleet.tenant_id)

        async def feed() -> None:
            for n in chunks:
                for _ in range(n):
                    p.tracker.opened()
                    p.inbox.put(PlanRequest(CAMPAIGN, Priority.MEDIUM), Priority.MEDIUM)
                await anyio.lowlevel.checkpoint()

        async def meddle() -> None:
            for pause in external:
                for _ in range(pause):
                    await anyio.lowlevel.checkpoint()
                # re-activating an active campaign still bumps its version: a concurrent write
                await set_campaign_status(outsider, CAMPAIGN, CampaignStatus.ACTIVE)

        async with anyio.create_task_group() as tg:
            start_roles(tg, p)
            async with anyio.create_task_group() as writers:
                writers.start_soon(feed)
                writers.start_soon(meddle)
            await p.tracker.wait_idle()
            tg.cancel_scope.cancel()
        return requested, p.planner.conflicts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 5), min_size=1, max_size=6), st.lists(st.integers(0, 3), max_size=6))
def test_no_plan_lost_or_doubled_under_concurrent_campaign_writes(chunks: list[int], external: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        requested, _ = anyio.run(_scenario, root, chunks, external)
        db = Home(root).db_path
        version, cycles, planned = query(
            db, "SELECT version, cycles, tasks_planned FROM campaigns WHERE campaign_id = ?", (CAMPAIGN,)
        )[0]
        tasks = query(db, "SELECT COUNT(*) FROM tasks WHERE campaign_id = ?", (CAMPAIGN,))[0][0]
        outside = query(db, "SELECT COUNT(*) FROM audit_log WHERE kind = 'campaign.status'")[0][0]
        assert cycles == requested
        assert planned == tasks == 3 * requested
        assert outside == len(external)
        # every write, ours (one per committed planner batch) and theirs, moved the version exactly once
        batches = query(db, "SELECT COUNT(DISTINCT created_at) FROM tasks WHERE campaign_id = ?", (CAMPAIGN,))[0][0]
        assert version == 1 + outside + batches


async def _write_between_read_and_plan(root: Path, status: CampaignStatus) -> tuple[int, int, bool]:
    """The planner has read the campaign; another connection writes it; then the planner plans."""
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    async with open_database(home.db_path) as db, open_database(home.db_path) as other:
        p = await build_pipeline(fleet, db, ListNews(), workers=1)
        await set_campaign_status(TenantScope(other, fleet.tenant_id), CAMPAIGN, status)
        async with anyio.create_task_group() as tg:
            tg.start_soon(p.committer.run)
            await p.planner.plan([PlanRequest(CAMPAIGN, Priority.HIGH)])
            retried = len(p.inbox) == 1
            await p.planner.plan(p.inbox.drain(10))
            tg.cancel_scope.cancel()
        return p.planner.cycles, p.planner.conflicts, retried


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        # paused under the planner: the stale plan is dropped, nothing is written
        (CampaignStatus.PAUSED, (0, 1, False, 2, 0)),
        # still active but changed: the stale write is retried on the fresh version, not lost
        (CampaignStatus.ACTIVE, (1, 1, True, 3, 3)),
    ],
)
def test_a_write_between_read_and_plan(status: CampaignStatus, expected: tuple[int, int, bool, int, int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        cycles, conflicts, retried = anyio.run(_write_between_read_and_plan, root, status)
        db = Home(root).db_path
        version = query(db, "SELECT version FROM campaigns WHERE campaign_id = ?", (CAMPAIGN,))[0][0]
        tasks = query(db, "SELECT COUNT(*) FROM tasks")[0][0]
        assert (cycles, conflicts, retried, version, tasks) == expected
