"""Tenant isolation: whatever one tenant (or a made-up tenant id) does, another tenant's rows never change.

Two tenants share one store and use the same agent and campaign ids; random
operations run in one tenant's scope, with ids taken from both tenants and
fuzzed tenant ids; afterwards every row of the other tenant is byte-for-byte
what it was, its audit chain still verifies, and no read returned a row of
another tenant.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import Fleet, load_fleet
from chimera.errors import ChimeraError
from chimera.governance.treasury import Treasury
from chimera.models.config import CampaignStatus
from chimera.models.money import SpendRequest
from chimera.runtime.runner import build_pipeline, start_roles
from chimera.store import open_database, reviews
from chimera.store.audit_log import audit_rows, verify_chain
from chimera.store.database import Database
from chimera.store.fleet import cents, set_campaign_status, sync_fleet
from chimera.store.ledger import history, set_agent_status, set_flag, sync_limits
from chimera.store.reports import outbox_posts, status_report
from chimera.store.scope import TenantScope
from chimera.wallets.simulated import SimulatedWallet
from tests.helpers import ListNews

TABLES = ("agents", "campaigns", "tasks", "results", "decisions", "reviews", "outbox", "perception_seen",
          "audit_log", "runtime_flags", "spend_limits", "budget_counters", "ledger", "sim_wallet")  # fmt: skip
KEY = b"k" * 32


def _fleet_for(root: Path, tenant: str) -> Fleet:
    fleet = load_fleet(Home(root))
    return Fleet(fleet.policy.model_copy(update={"tenant_id": tenant}), fleet.personas, fleet.campaigns)


async def _populate(db: Database, fleet: Fleet) -> None:
    p = await build_pipeline(fleet, db, ListNews(), workers=4)
    async with anyio.create_task_group() as tg:
        start_roles(tg, p)
        await p.perception.poll_once()
        await p.tracker.wait_idle()
        tg.cancel_scope.cancel()
    await sync_limits(p.scope, fleet)
    treasury = _treasury(p.scope, fleet)
    await treasury.spend(SpendRequest("nova", "transfer", "api", "0xabc", 250, "news API"))


def _treasury(scope: TenantScope, fleet: Fleet) -> Treasury:
    money = fleet.policy.money
    return Treasury(scope, money, SimulatedWallet(scope, cents(money.starting_balance_usd)))


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tenants") / "fleet"
    write_sample_fleet(root)
    db_path = root / "data" / "chimera.db"

    async def main() -> None:
        async with open_database(db_path, KEY) as db:
            for tenant in ("alpha", "beta"):
                await _populate(db, _fleet_for(root, tenant))

    anyio.run(main)
    return root, db_path


def _rows(db_path: Path, tenant: str) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} WHERE tenant_id = ? ORDER BY 1, 2", (tenant,)).fetchall()
                for t in TABLES}  # fmt: skip
    finally:
        conn.close()


OPS = st.sampled_from(["approve", "reject", "campaign", "kill", "pause_agent", "spend", "read"])
TENANT = st.one_of(
    st.just("alpha"), st.text(min_size=0, max_size=12), st.sampled_from(["beta ", "BETA", "' OR 1=1 --"])
)


async def _apply(scope: TenantScope, fleet: Fleet, op: str, n: int, review_ids: list[int]) -> None:
    rid = review_ids[n % len(review_ids)]
    try:
        if op == "approve":
            await reviews.approve(scope, rid, "fuzzer", "A reviewer's text about solar storage.")
        elif op == "reject":
            await reviews.reject(scope, rid, "fuzzer", "not ours")
        elif op == "campaign":
            status = (CampaignStatus.PAUSED, CampaignStatus.ACTIVE)[n % 2]
            await set_campaign_status(scope, ["nova-solar", "byte-agents", "vita-habits"][n % 3], status)
        elif op == "kill":
            await set_flag(scope, "kill", ("on", "off")[n % 2], "fuzzer")
        elif op == "pause_agent":
            await set_agent_status(scope, ["nova", "byte", "vita"][n % 3], ("paused", "active")[n % 2], "fuzzer")
        elif op == "spend":
            await _treasury(scope, fleet).spend(SpendRequest("byte", "transfer", "api", "0xdef", 100 + n, "data feed"))
    except ChimeraError:
        pass  # refused or failed: fine, as long as nothing leaked (checked below)
    for row in await reviews.list_reviews(scope, None):
        assert row.tenant_id == scope.tenant_id
    report = await status_report(scope, _treasury(scope, fleet).period_keys(), "simulated")
    assert report["tenant_id"] == scope.tenant_id
    own_tasks = {r["task_id"] for r in await scope.fetchall("SELECT task_id FROM tasks WHERE tenant_id = :tenant")}
    assert all(post["task_id"] in own_tasks for post in await outbox_posts(scope, 500))
    own_keys = {r[0] for r in await scope.fetchall("SELECT idempotency_key FROM ledger WHERE tenant_id = :tenant")}
    for agent in ("nova", "byte"):
        for entry in (await history(scope, agent))["ledger"]:
            assert entry["idempotency_key"] in own_keys
    assert all(r["kind"] for r in await audit_rows(scope, limit=1000))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tenant=TENANT, ops=st.lists(st.tuples(OPS, st.integers(0, 50)), min_size=1, max_size=8))
def test_nothing_done_in_one_tenant_touches_another(base_store: tuple[Path, Path], tenant: str,
                                                    ops: list[tuple[str, int]]) -> None:  # fmt: skip
    root, base = base_store
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "chimera.db"
        shutil.copy(base, db_path)
        before = _rows(db_path, "beta")
        conn = sqlite3.connect(db_path)
        review_ids = [r[0] for r in conn.execute("SELECT review_id FROM reviews ORDER BY review_id")]
        conn.close()

        async def main() -> bool:
            async with open_database(db_path, KEY) as db:
                fleet = _fleet_for(root, tenant) if tenant == "alpha" else _fleet_for(root, "alpha")
                scope = TenantScope(db, tenant)
                if tenant == "alpha":
                    await sync_fleet(scope, fleet)
                for op, n in ops:
                    await _apply(scope, fleet, op, n, review_ids)
                return (await verify_chain(TenantScope(db, "beta"))).ok

        assert anyio.run(main), "beta's audit chain still verifies"
        assert _rows(db_path, "beta") == before, "beta's rows are untouched"
