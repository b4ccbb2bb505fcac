"""Money in the store: limits, reservations, settlement, history and budgets.

Every reservation is one ``BEGIN IMMEDIATE`` transaction that reads the
agent's history, asks the CFO, and writes the ledger row (which the triggers
count against every period) together with the CFO's audit row. SQLite's
CHECK constraints refuse anything past a limit, whatever the caller does.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from chimera.config.loader import Fleet
from chimera.errors import Refusal, StoreError
from chimera.models.money import CfoDecision, History, PeriodKeys, SpendRequest, Tier
from chimera.store.audit import append_audit
from chimera.store.fleet import cents
from chimera.store.scope import ScopedWriter, TenantScope

RECENT_S = 600
_PERIOD_SPENT = (
    "SELECT period, spent_cents FROM budget_counters WHERE tenant_id = :tenant AND agent_id = :a"
    " AND ((period = 'day' AND period_key = :d) OR (period = 'week' AND period_key = :w)"
    " OR (period = 'month' AND period_key = :m))"
)


@dataclass(frozen=True, slots=True)
class Reservation:
    """The outcome of asking to spend: a ledger entry (new or found by key) or a refusal."""

    decision: CfoDecision
    entry: dict[str, Any] | None
    existing: bool = False


async def sync_limits(scope: TenantScope, fleet: Fleet) -> None:
    """Write every agent's limits; the current counters take a changed limit (never below what is spent)."""
    money = fleet.policy.money
    now = time.time()
    async with scope.transaction() as tx:
        for agent in fleet.personas:
            lim = money.limits_for(agent)
            await tx.execute(
                "INSERT INTO spend_limits (tenant_id, agent_id, per_tx_cents, cfo_max_cents, day_cents, week_cents,"
                " month_cents, updated_at) VALUES (:tenant, :a, :tx, :cfo, :d, :w, :m, :now)"
                " ON CONFLICT (tenant_id, agent_id) DO UPDATE SET per_tx_cents = excluded.per_tx_cents,"
                " cfo_max_cents = excluded.cfo_max_cents, day_cents = excluded.day_cents,"
                " week_cents = excluded.week_cents, month_cents = excluded.month_cents,"
                " updated_at = excluded.updated_at",
                a=agent,
                tx=cents(lim.per_tx_usd),
                cfo=cents(lim.cfo_max_usd),
                d=cents(lim.day_usd),
                w=cents(lim.week_usd),
                m=cents(lim.month_usd),
                now=now,
            )
            for period, limit in (("day", lim.day_usd), ("week", lim.week_usd), ("month", lim.month_usd)):
                await tx.execute(
                    "UPDATE budget_counters SET limit_cents = MAX(:l, spent_cents)"
                    " WHERE tenant_id = :tenant AND agent_id = :a AND period = :p",
                    l=cents(limit),
                    a=agent,
                    p=period,
                )


async def _history(tx: ScopedWriter, req: SpendRequest, keys: PeriodKeys, now: float) -> History:
    spent = {
        r["period"]: int(r["spent_cents"])
        for r in await tx.fetchall(
            _PERIOD_SPENT,
            a=req.agent_id,
            d=keys.day,
            w=keys.week,
            m=keys.month,
        )
    }
    rows = await tx.fetchall(
        "SELECT amount_cents, recipient, category, day_key, created_at FROM ledger"
        " WHERE tenant_id = :tenant AND agent_id = :a AND state <> 'voided' ORDER BY entry_id DESC LIMIT 200",
        a=req.agent_id,
    )
    amounts = [int(r["amount_cents"]) for r in rows]
    return History(
        day=spent.get("day", 0),
        week=spent.get("week", 0),
        month=spent.get("month", 0),
        category_day=sum(
            int(r["amount_cents"]) for r in rows if r["category"] == req.category and r["day_key"] == keys.day
        ),
        known_recipient=any(r["recipient"] == req.recipient for r in rows),
        mean=statistics.fmean(amounts) if amounts else 0.0,
        std=statistics.pstdev(amounts) if len(amounts) > 1 else 0.0,
        count=len(amounts),
        recent=sum(1 for r in rows if now - float(r["created_at"]) <= RECENT_S),
    )


async def _entry(tx: ScopedWriter, key: str) -> dict[str, Any] | None:
    rows = await tx.fetchall("SELECT * FROM ledger WHERE tenant_id = :tenant AND idempotency_key = :k", k=key)
    return dict(rows[0]) if rows else None


async def reserve(
    scope: TenantScope,
    req: SpendRequest,
    *,
    key: str,
    keys: PeriodKeys,
    wallet: str,
    decide: Callable[[History], CfoDecision],
) -> Reservation:
    """Ask the CFO and, if approved, reserve the amount; all in one transaction."""
    now = time.time()
    async with scope.transaction() as tx:
        found = await _entry(tx, key)
        if found is not None:
            return Reservation(CfoDecision(Tier(found["approval"]), found["risk"], found["reason"]), found, True)
        waiting = await tx.fetchall(
            "SELECT risk, reason FROM spend_requests WHERE tenant_id = :tenant AND idempotency_key = :k", k=key
        )
        if waiting:
            return Reservation(CfoDecision(Tier.HUMAN, waiting[0]["risk"], waiting[0]["reason"]), None, True)
        kill = await tx.fetchall(
            "SELECT value FROM runtime_flags WHERE tenant_id = :tenant AND name = 'kill' AND value = 'on'"
        )
        status = await tx.fetchall(
            "SELECT status FROM agents WHERE tenant_id = :tenant AND agent_id = :a", a=req.agent_id
        )
        if kill or not status or status[0]["status"] != "active":
            why = "kill switch is on" if kill else ("unknown agent" if not status else "agent is paused")
            decision = CfoDecision(Tier.REFUSED, 1.0, f"no spending: {why}")
        else:
            decision = decide(await _history(tx, req, keys, now))
        detail = {
            "request": asdict(req),
            "key": key,
            "tier": decision.tier.value,
            "risk": decision.risk,
            "reason": decision.reason,
            "conditions": decision.conditions,
        }
        await append_audit(tx, f"spend.{decision.tier.value}", "cfo", req.agent_id, detail, agent_id=req.agent_id)
        if decision.pause_agent:
            await tx.execute(
                "UPDATE agents SET status = 'paused', updated_at = :now WHERE tenant_id = :tenant AND agent_id = :a",
                a=req.agent_id,
                now=now,
            )
            await append_audit(
                tx, "agent.pause", "circuit-breaker", req.agent_id, {"reason": decision.reason}, agent_id=req.agent_id
            )
        if decision.tier == Tier.HUMAN:
            await _queue_for_human(tx, req, key, decision, now)
        if not decision.approved:
            return Reservation(decision, None)
        await tx.execute(
            "INSERT INTO ledger (tenant_id, agent_id, idempotency_key, kind, category, recipient, purpose,"
            " amount_cents, state, approval, approved_by, risk, reason, day_key, week_key, month_key, wallet,"
            " details, created_at, updated_at) VALUES (:tenant, :a, :k, :kind, :cat, :to, :why, :amt, 'reserved',"
            " :tier, 'cfo', :risk, :reason, :d, :w, :m, :wallet, :details, :now, :now)",
            a=req.agent_id,
            k=key,
            kind=req.kind,
            cat=req.category,
            to=req.recipient,
            why=req.purpose,
            amt=req.amount_cents,
            tier=decision.tier.value,
            risk=decision.risk,
            reason=decision.reason,
            d=keys.day,
            w=keys.week,
            m=keys.month,
            wallet=wallet,
            details=json.dumps(req.details),
            now=now,
        )
        entry = await _entry(tx, key)
    return Reservation(decision, entry)


async def _queue_for_human(tx: ScopedWriter, req: SpendRequest, key: str, decision: CfoDecision, now: float) -> None:
    await tx.execute(
        "INSERT INTO spend_requests (idempotency_key, tenant_id, agent_id, kind, category, recipient, amount_cents,"
        " purpose, risk, reason, details, created_at)"
        " VALUES (:k, :tenant, :a, :kind, :cat, :to, :amt, :why, :risk, :reason, :details, :now)",
        k=key, a=req.agent_id, kind=req.kind, cat=req.category, to=req.recipient, amt=req.amount_cents,
        why=req.purpose, risk=decision.risk, reason=decision.reason, details=json.dumps(req.details), now=now,
    )  # fmt: skip
    if req.kind == "deploy_token":
        name, symbol, supply = (req.details.get(f, "?") for f in ("name", "symbol", "total_supply"))
        what = f"deploy token {name} ({symbol}, supply {supply}) for up to ${req.amount_cents / 100:,.2f}"
    else:
        what = f"pay ${req.amount_cents / 100:,.2f} to {req.recipient}"
    await tx.execute(
        "INSERT INTO reviews (tenant_id, task_id, attempt, spend_key, agent_id, campaign_id, kind, content, confidence,"
        " reasoning, escalation, created_at) VALUES (:tenant, NULL, 0, :k, :a, '', 'spend', :content, :conf,"
        " :reasoning, :escalation, :now)",
        k=key, a=req.agent_id, content=f"{req.agent_id} wants to {what} ({req.category}): {req.purpose}",
        conf=round(1 - decision.risk, 3), reasoning=json.dumps([decision.reason, *decision.conditions]),
        escalation=json.dumps([f"spend needs a human: {decision.reason}"]), now=now,
    )  # fmt: skip


async def reserve_approved(
    scope: TenantScope, review_id: int, reviewer: str, *, keys: PeriodKeys, wallet: str
) -> dict[str, Any]:
    """A human approved a spend review: reserve it (limits still enforced by SQLite) and close the review."""
    now = time.time()
    async with scope.transaction() as tx:
        rows = await tx.fetchall(
            "SELECT r.status, s.* FROM reviews r JOIN spend_requests s ON s.idempotency_key = r.spend_key"
            " WHERE r.tenant_id = :tenant AND r.review_id = :id",
            id=review_id,
        )
        if not rows:
            raise Refusal(f"no spend review {review_id}")
        req = rows[0]
        if req["status"] != "pending":
            raise Refusal(f"review item {review_id} is already {req['status']}")
        kill = await tx.fetchall(
            "SELECT 1 FROM runtime_flags WHERE tenant_id = :tenant AND name = 'kill' AND value = 'on'"
        )
        if kill:
            raise Refusal("no spending: kill switch is on")
        try:
            await tx.execute(
                "INSERT INTO ledger (tenant_id, agent_id, idempotency_key, kind, category, recipient, purpose,"
                " amount_cents, state, approval, approved_by, risk, reason, day_key, week_key, month_key, wallet,"
                " details, created_at, updated_at) VALUES (:tenant, :a, :k, :kind, :cat, :to, :why, :amt, 'reserved',"
                " 'human', :who, :risk, :reason, :d, :w, :m, :wallet, :details, :now, :now)",
                a=req["agent_id"], k=req["idempotency_key"], kind=req["kind"], cat=req["category"],
                to=req["recipient"], why=req["purpose"], amt=req["amount_cents"], who=reviewer, risk=req["risk"],
                reason=f"approved by {reviewer}: {req['reason']}", d=keys.day, w=keys.week, m=keys.month,
                wallet=wallet, details=req["details"], now=now,
            )  # fmt: skip
        except sqlite3.IntegrityError as exc:
            raise Refusal(f"the store refused this spend: {exc}") from None
        await tx.execute(
            "UPDATE reviews SET status = 'approved', decided_by = :who, decided_at = :now"
            " WHERE tenant_id = :tenant AND review_id = :id",
            who=reviewer, now=now, id=review_id,
        )  # fmt: skip
        await append_audit(
            tx,
            "review.approve",
            reviewer,
            req["agent_id"],
            {"review_id": review_id, "spend_key": req["idempotency_key"]},
            agent_id=req["agent_id"],
        )
        entry = await _entry(tx, req["idempotency_key"])
    assert entry is not None
    return entry


async def settle(
    scope: TenantScope, key: str, *, posted: bool, tx_ref: str | None, error: str | None
) -> dict[str, Any]:
    """Post (the wallet applied it) or void (it did not) a reservation; audited."""
    state = "posted" if posted else "voided"
    async with scope.transaction() as tx:
        await tx.execute(
            "UPDATE ledger SET state = :s, tx_ref = :ref, error = :err, updated_at = :now"
            " WHERE tenant_id = :tenant AND idempotency_key = :k AND state = 'reserved'",
            s=state,
            ref=tx_ref,
            err=error,
            now=time.time(),
            k=key,
        )
        entry = await _entry(tx, key)
        if entry is None or entry["state"] != state or entry["tx_ref"] != tx_ref:
            raise StoreError(
                f"ledger entry {key} was already settled as {entry['state'] if entry else 'missing'};"
                f" this {state} (tx {tx_ref}) needs a human to reconcile"
            )
        await append_audit(
            tx,
            f"spend.{state}",
            "treasury",
            entry["agent_id"],
            {"key": key, "tx_ref": tx_ref, "error": error},
            agent_id=entry["agent_id"],
        )
    return entry


async def in_flight(scope: TenantScope, created_before: float) -> list[dict[str, Any]]:
    """Reservations made before ``created_before`` whose transfer has not been settled."""
    rows = await scope.fetchall(
        "SELECT * FROM ledger WHERE tenant_id = :tenant AND state = 'reserved' AND created_at < :before"
        " ORDER BY entry_id",
        before=created_before,
    )
    return [dict(r) for r in rows]


async def history(scope: TenantScope, agent_id: str, limit: int = 100) -> dict[str, list[dict[str, Any]]]:
    """Ledger entries and money-related audit rows of one agent, newest first."""
    entries = [
        dict(r)
        for r in await scope.fetchall(
            "SELECT entry_id, idempotency_key, kind, category, recipient, purpose, amount_cents, state, approval,"
            " risk, reason, wallet, tx_ref, error, created_at FROM ledger"
            " WHERE tenant_id = :tenant AND agent_id = :a ORDER BY entry_id DESC LIMIT :n",
            a=agent_id,
            n=limit,
        )
    ]
    events = [
        {**dict(r), "detail": json.loads(r["detail"])}
        for r in await scope.fetchall(
            "SELECT seq, kind, actor, detail, created_at FROM audit_log WHERE tenant_id = :tenant AND subject = :a"
            " AND (kind LIKE 'spend.%' OR kind LIKE 'agent.%') ORDER BY seq DESC LIMIT :n",
            a=agent_id,
            n=limit,
        )
    ]
    return {"ledger": entries, "events": events}


async def budget(scope: TenantScope, agent_id: str, keys: PeriodKeys) -> dict[str, Any]:
    """Spent and left for the current day, week and month, and spent per category today."""
    limits = await scope.fetchone("SELECT * FROM spend_limits WHERE tenant_id = :tenant AND agent_id = :a", a=agent_id)
    if limits is None:
        return {}
    spent = {
        r["period"]: int(r["spent_cents"])
        for r in await scope.fetchall(
            _PERIOD_SPENT,
            a=agent_id,
            d=keys.day,
            w=keys.week,
            m=keys.month,
        )
    }
    categories = {
        r["category"]: int(r["s"])
        for r in await scope.fetchall(
            "SELECT category, SUM(amount_cents) AS s FROM ledger WHERE tenant_id = :tenant AND agent_id = :a"
            " AND day_key = :d AND state <> 'voided' GROUP BY category",
            a=agent_id,
            d=keys.day,
        )
    }
    periods = {}
    for period, key in (("day", keys.day), ("week", keys.week), ("month", keys.month)):
        limit = int(limits[f"{period}_cents"])
        used = spent.get(period, 0)
        periods[period] = {"key": key, "limit_cents": limit, "spent_cents": used, "left_cents": max(0, limit - used)}
    return {
        "agent_id": agent_id,
        "per_tx_cents": int(limits["per_tx_cents"]),
        "cfo_max_cents": int(limits["cfo_max_cents"]),
        "periods": periods,
        "categories_today": categories,
    }


async def set_flag(scope: TenantScope, name: str, value: str, actor: str) -> None:
    """Set a runtime flag (the kill switch) and audit it."""
    async with scope.transaction() as tx:
        await tx.execute(
            "INSERT INTO runtime_flags (tenant_id, name, value, updated_at) VALUES (:tenant, :n, :v, :now)"
            " ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            n=name,
            v=value,
            now=time.time(),
        )
        await append_audit(tx, f"flag.{name}", actor, name, {"value": value})


async def set_agent_status(scope: TenantScope, agent_id: str, status: str, actor: str) -> bool:
    """Pause or resume an agent; False if there is no such agent."""
    async with scope.transaction() as tx:
        changed = await tx.execute(
            "UPDATE agents SET status = :s, updated_at = :now WHERE tenant_id = :tenant AND agent_id = :a",
            s=status,
            now=time.time(),
            a=agent_id,
        )
        if changed:
            kind = f"agent.{'pause' if status == 'paused' else 'resume'}"
            await append_audit(tx, kind, actor, agent_id, {}, agent_id=agent_id)
    return bool(changed)
