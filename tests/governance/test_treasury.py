"""Reserve, call, post or void: against a real store, with a wallet that drops replies."""

from __future__ import annotations

import tempfile
from pathlib import Path

import anyio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chimera.errors import Refusal
from chimera.governance.cfo import SpendRequest
from chimera.governance.treasury import SpendOutcome, Treasury
from chimera.store import open_database
from chimera.store.scope import TenantScope
from chimera.wallets.base import TransferUnknown
from chimera.wallets.simulated import SimulatedWallet
from tests.conftest import query
from tests.money_fixtures import money_home

DAY = 86_400.0
START = 1_795_000_000.0  # a fixed Monday-ish moment; periods come from the policy's timezone


class DroppingWallet(SimulatedWallet):
    """Applies the transfer, then loses the reply (as a network timeout would)."""

    name = "simulated"

    async def transfer(self, tenant_id: str, agent_id: str, key: str, recipient: str, amount_cents: int) -> str:
        await super().transfer(tenant_id, agent_id, key, recipient, amount_cents)
        raise TransferUnknown("connection reset after the request was sent")


def _req(cents: int, agent: str = "nova", to: str = "0xabc", category: str = "api") -> SpendRequest:
    return SpendRequest(agent, "transfer", category, to, cents, "pay for the headline API")


async def _spend(
    db_path: Path,
    fleet_tenant: str,
    req: SpendRequest,
    *,
    drop: bool = False,
    key: str | None = None,
    clock: float = START,
    recover: bool = False,
) -> tuple[SpendOutcome | None, list[SpendOutcome]]:
    from chimera.models.config import MoneyPolicy

    async with open_database(db_path) as db:
        scope = TenantScope(db, fleet_tenant)
        wallet = (DroppingWallet if drop else SimulatedWallet)(scope, 10_000)
        treasury = Treasury(scope, MoneyPolicy(recovery_grace_s=0), wallet, clock=lambda: clock)
        recovered = await treasury.recover() if recover else []
        return (await treasury.spend(req, key) if req.amount_cents else None), recovered


def test_a_dropped_reply_is_resolved_by_key_never_sent_twice(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    out, _ = anyio.run(lambda: _spend(home.db_path, fleet.tenant_id, _req(450), drop=True, key="k-1"))
    assert out is not None and out.status == "unknown"
    assert query(home.db_path, "SELECT state FROM ledger") == [("reserved",)]
    assert query(home.db_path, "SELECT COUNT(*) FROM sim_wallet") == [(1,)], "the wallet applied it once"
    # A retry with the same key does not pay again; recovery posts the reservation.
    again, recovered = anyio.run(lambda: _spend(home.db_path, fleet.tenant_id, _req(450), key="k-1", recover=True))
    assert [r.status for r in recovered] == ["posted"]
    assert again is not None and again.status == "posted"
    assert query(home.db_path, "SELECT COUNT(*) FROM sim_wallet") == [(1,)]
    assert query(home.db_path, "SELECT state, tx_ref FROM ledger") == [("posted", "sim-1")]


def test_a_reservation_the_wallet_never_saw_is_voided_on_recovery(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    # A crash between the reservation commit and the wallet call leaves this row:
    conn_rows = query(home.db_path, "SELECT COUNT(*) FROM ledger")
    assert conn_rows == [(0,)]

    async def reserve_only() -> None:
        from chimera.governance import cfo
        from chimera.governance.periods import period_keys, zone
        from chimera.store import ledger

        async with open_database(home.db_path) as db:
            scope = TenantScope(db, fleet.tenant_id)
            await ledger.reserve(
                scope,
                _req(300),
                key="lost",
                keys=period_keys(START, zone("UTC")),
                wallet="simulated",
                decide=lambda h: cfo.CfoDecision(cfo.Tier.AUTO, 0.1, "test"),
            )

    anyio.run(reserve_only)
    _, recovered = anyio.run(lambda: _spend(home.db_path, fleet.tenant_id, _req(0), recover=True))
    assert [r.status for r in recovered] == ["voided"]
    assert query(home.db_path, "SELECT spent_cents FROM budget_counters WHERE period = 'day'") == [(0,)]
    assert query(home.db_path, "SELECT COUNT(*) FROM sim_wallet") == [(0,)]


class MoneyMachine(RuleBasedStateMachine):
    """Random spends, concurrent bursts, dropped replies, recoveries and day roll-overs."""

    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        self.home, fleet = money_home(Path(self._tmp.name) / "fleet")
        self.tenant = fleet.tenant_id
        self.clock = START
        self.outcomes: list[SpendOutcome] = []

    def teardown(self) -> None:
        self._tmp.cleanup()

    @rule(
        cents=st.integers(1, 2500),
        agent=st.sampled_from(["nova", "byte"]),
        to=st.sampled_from(["0xabc", "0xdef", "0x123"]),
        category=st.sampled_from(["api", "compute", "other"]),
        drop=st.booleans(),
    )
    def spend(self, cents: int, agent: str, to: str, category: str, drop: bool) -> None:
        out, _ = anyio.run(
            lambda: _spend(
                self.home.db_path, self.tenant, _req(cents, agent, to, category), drop=drop, clock=self.clock
            )
        )
        assert out is not None
        self.outcomes.append(out)

    @rule(amounts=st.lists(st.integers(100, 1500), min_size=2, max_size=8))
    def concurrent_spends(self, amounts: list[int]) -> None:
        async def burst() -> None:
            async with anyio.create_task_group() as tg:
                for i, cents in enumerate(amounts):
                    tg.start_soon(self._one, _req(cents, to=f"0x{i % 3}"))

        anyio.run(burst)

    async def _one(self, req: SpendRequest) -> None:
        out, _ = await _spend(self.home.db_path, self.tenant, req, clock=self.clock)
        assert out is not None
        self.outcomes.append(out)

    @rule(approve=st.booleans(), budget=st.integers(100, 900))
    def human_decides_a_token_deployment(self, approve: bool, budget: int) -> None:
        async def main() -> None:
            from chimera.models.config import MoneyPolicy
            from chimera.store import reviews

            async with open_database(self.home.db_path) as db:
                scope = TenantScope(db, self.tenant)
                treasury = Treasury(
                    scope, MoneyPolicy(recovery_grace_s=0), SimulatedWallet(scope, 10_000), clock=lambda: self.clock
                )
                req = SpendRequest(
                    "byte",
                    "deploy_token",
                    "content",
                    "token:BYTE",
                    budget,
                    "reader rewards token",
                    {"name": "Byte", "symbol": "BYTE", "total_supply": "1000"},
                )
                asked = await treasury.spend(req)
                self.outcomes.append(asked)
                if asked.status != "review":
                    return
                # the deployment just queued is the newest spend review (a burst may have queued others)
                spends = [i for i in await reviews.list_reviews(scope) if i.kind == "spend"]
                item = max(spends, key=lambda i: i.review_id)
                if approve:
                    try:
                        self.outcomes.append(await treasury.approve_spend(item.review_id, "tester"))
                    except Refusal as exc:  # SQLite said no (a limit), the review stays pending: close it
                        assert "refused" in str(exc)
                        await reviews.reject(scope, item.review_id, "tester", "over a limit")
                else:
                    await reviews.reject(scope, item.review_id, "tester", "not now")

        anyio.run(main)

    @rule()
    def recover(self) -> None:
        anyio.run(lambda: _spend(self.home.db_path, self.tenant, _req(0), recover=True, clock=self.clock))

    @rule()
    def next_day(self) -> None:
        self.clock += DAY

    @rule()
    def resume_agents(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self.home.db_path)
        conn.execute("UPDATE agents SET status = 'active'")
        conn.commit()
        conn.close()

    @invariant()
    def counters_equal_ledger_and_stay_under_limits(self) -> None:
        db = self.home.db_path
        for period, col, cap in (("day", "day_key", 5000), ("week", "week_key", 20000), ("month", "month_key", 50000)):
            counters = {
                (a, k): s
                for a, k, s in query(
                    db, "SELECT agent_id, period_key, spent_cents FROM budget_counters WHERE period = ?", (period,)
                )
            }
            sums = {
                (a, k): s
                for a, k, s in query(
                    db, f"SELECT agent_id, {col}, SUM(amount_cents) FROM ledger WHERE state <> 'voided' GROUP BY 1, 2"
                )
            }
            assert {k: v for k, v in counters.items() if v} == sums
            assert all(v <= cap for v in counters.values())

    @invariant()
    def paid_once_and_only_with_a_ledger_row(self) -> None:
        paid = query(self.home.db_path, "SELECT idempotency_key FROM sim_wallet ORDER BY 1")
        booked = query(
            self.home.db_path, "SELECT idempotency_key FROM ledger WHERE state IN ('posted', 'reserved') ORDER BY 1"
        )
        assert set(paid) <= set(booked)
        posted = query(self.home.db_path, "SELECT idempotency_key FROM ledger WHERE state = 'posted' ORDER BY 1")
        assert set(posted) <= set(paid)

    @invariant()
    def every_refusal_has_a_reason(self) -> None:
        for out in self.outcomes:
            assert out.decision.reason
            if out.status in ("refused", "review"):
                assert out.entry is None


MoneyMachine.TestCase.settings = settings(
    max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestMoney = MoneyMachine.TestCase


def test_settling_an_entry_twice_differently_is_a_loud_error(tmp_path: Path) -> None:
    import pytest

    from chimera.errors import StoreError
    from chimera.store import ledger

    home, fleet = money_home(tmp_path / "fleet")
    out, _ = anyio.run(lambda: _spend(home.db_path, fleet.tenant_id, _req(200), key="k"))
    assert out is not None and out.status == "posted"

    async def void_it() -> None:
        async with open_database(home.db_path) as db:
            await ledger.settle(TenantScope(db, fleet.tenant_id), "k", posted=False, tx_ref=None, error="late")

    with pytest.raises(StoreError, match="already settled as posted"):
        anyio.run(void_it)
