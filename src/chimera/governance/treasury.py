"""The treasury: every spend is reserve, then call, then post or void.

1. One transaction asks the CFO and writes the reservation (counted against
   every limit by SQLite), its idempotency key and the audit row.
2. Only after that commits is the wallet called, with the key.
3. The reservation is posted (applied) or voided (not applied). When the
   wallet cannot say (a timeout, a dropped reply, a crash), the reservation
   stays and ``recover`` settles it by looking the transfer up by its key:
   a transfer is never sent twice.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chimera.errors import PermissionRefused, Refusal
from chimera.governance import cfo
from chimera.governance.periods import period_keys, zone
from chimera.governance.permissions import RoleBook
from chimera.models.config import SPEND_CATEGORIES, MoneyPolicy
from chimera.models.money import PeriodKeys
from chimera.pipeline.crashpoints import CrashPoints
from chimera.store import ledger
from chimera.store.audit import append_audit
from chimera.store.fleet import cents
from chimera.store.scope import TenantScope
from chimera.wallets.base import TransferUnknown, Wallet


@dataclass(frozen=True, slots=True)
class SpendOutcome:
    """What happened to a spend request."""

    status: str
    """posted, voided, refused, review (needs a human) or unknown (awaiting recovery)."""
    decision: cfo.CfoDecision
    entry: dict[str, Any] | None


def limits_in_cents(money: MoneyPolicy, agent_id: str) -> cfo.Limits:
    """The CFO's view of an agent's limits."""
    lim = money.limits_for(agent_id)
    return cfo.Limits(
        per_tx=cents(lim.per_tx_usd),
        cfo_max=cents(lim.cfo_max_usd),
        day=cents(lim.day_usd),
        week=cents(lim.week_usd),
        month=cents(lim.month_usd),
        category_day={c: cents(money.category_day_usd.get(c, lim.day_usd)) for c in SPEND_CATEGORIES},
        deny=frozenset(money.deny_recipients),
        high_risk_at=money.high_risk_at,
    )


class Treasury:
    """Spends one tenant's money through one wallet."""

    def __init__(
        self,
        scope: TenantScope,
        money: MoneyPolicy,
        wallet: Wallet,
        clock: Callable[[], float] = time.time,
        crash: CrashPoints | None = None,
        roles: RoleBook | None = None,
    ) -> None:
        self._crash = crash or CrashPoints()
        self._roles = roles
        self._scope = scope
        self._money = money
        self._wallet = wallet
        self._clock = clock
        self._tz = zone(money.timezone)

    @property
    def wallet(self) -> Wallet:
        """The wallet in use."""
        return self._wallet

    @property
    def scope(self) -> TenantScope:
        """The tenant this treasury spends for."""
        return self._scope

    def period_keys(self) -> PeriodKeys:
        """The current day, week and month in the policy's timezone."""
        return period_keys(self._clock(), self._tz)

    async def spend(self, req: cfo.SpendRequest, key: str | None = None) -> SpendOutcome:
        """Review, reserve, transfer, settle. A repeated ``key`` never spends twice; a role may forbid the category."""
        key = key or uuid.uuid4().hex
        if self._roles is not None:
            try:
                self._roles.require(req.agent_id, "spend_categories", req.category)
            except PermissionRefused as exc:
                await self._refused(req, str(exc))
                raise
        limits = limits_in_cents(self._money, req.agent_id)
        res = await ledger.reserve(
            self._scope,
            req,
            key=key,
            keys=self.period_keys(),
            wallet=self._wallet.name,
            decide=lambda history: cfo.review(req, history, limits),
        )
        if res.entry is None:
            status = "review" if res.decision.tier == cfo.Tier.HUMAN else "refused"
            return SpendOutcome(status, res.decision, None)
        if res.existing and res.entry["state"] != "reserved":
            return SpendOutcome(str(res.entry["state"]), res.decision, res.entry)
        return await self._execute(res.decision, res.entry)

    async def _refused(self, req: cfo.SpendRequest, why: str) -> None:
        detail = {"category": req.category, "amount_cents": req.amount_cents, "reason": why}
        async with self._scope.transaction() as tx:
            await append_audit(tx, "permission.refused", "treasury", req.agent_id, detail, agent_id=req.agent_id)

    async def approve_spend(self, review_id: int, reviewer: str) -> SpendOutcome:
        """A human approved a spend in the review queue: reserve it, pay it, settle it."""
        entry = await ledger.reserve_approved(
            self._scope, review_id, reviewer, keys=self.period_keys(), wallet=self._wallet.name
        )
        decision = cfo.CfoDecision(cfo.Tier.HUMAN, float(entry["risk"]), str(entry["reason"]))
        return await self._execute(decision, entry)

    async def _execute(self, decision: cfo.CfoDecision, entry: dict[str, Any]) -> SpendOutcome:
        key = str(entry["idempotency_key"])
        self._crash.reach("after_reserve")
        try:
            if entry["kind"] == "deploy_token":
                token = json.loads(str(entry["details"]))
                ref = await self._wallet.deploy_token(
                    entry["tenant_id"], entry["agent_id"], key, str(token["name"]), str(token["symbol"]),
                    str(token["total_supply"]), int(entry["amount_cents"]),
                )  # fmt: skip
            else:
                ref = await self._wallet.transfer(
                    entry["tenant_id"], entry["agent_id"], key, entry["recipient"], int(entry["amount_cents"])
                )
            self._crash.reach("after_transfer")
        except TransferUnknown:
            return SpendOutcome("unknown", decision, entry)
        except Refusal as exc:
            settled = await ledger.settle(self._scope, key, posted=False, tx_ref=None, error=str(exc))
            return SpendOutcome("voided", decision, settled)
        settled = await ledger.settle(self._scope, key, posted=True, tx_ref=ref, error=None)
        return SpendOutcome("posted", decision, settled)

    async def recover(self) -> list[SpendOutcome]:
        """Settle reservations left in flight (older than the grace period) by asking the wallet about their key.

        Younger reservations may belong to a spend still running in another
        process; touching them could void a transfer that is about to land.
        """
        out = []
        for entry in await ledger.in_flight(self._scope, time.time() - self._money.recovery_grace_s):
            key = str(entry["idempotency_key"])
            ref = await self._wallet.lookup(entry["tenant_id"], entry["agent_id"], key)
            decision = cfo.CfoDecision(cfo.Tier(entry["approval"]), float(entry["risk"]), str(entry["reason"]))
            if ref is None and entry["kind"] == "deploy_token" and self._wallet.name != "simulated":
                # A deployment cannot be matched on chain safely: it stays reserved (and counted) for a human.
                out.append(SpendOutcome("unknown", decision, entry))
                continue
            if ref is not None:
                out.append(SpendOutcome("posted", decision, await ledger.settle(
                    self._scope, key, posted=True, tx_ref=ref, error=None)))  # fmt: skip
            else:
                settled = await ledger.settle(
                    self._scope, key, posted=False, tx_ref=None, error="not applied by the wallet; voided on recovery"
                )
                out.append(SpendOutcome("voided", decision, settled))
        return out
