"""Read-only views for ``chimera status`` and ``chimera outbox``."""

from __future__ import annotations

import json
from typing import Any

from chimera.models.money import PeriodKeys
from chimera.store import deliveries
from chimera.store.mcp_state import server_states
from chimera.store.scope import TenantScope


async def status_report(scope: TenantScope, today: PeriodKeys, wallet: str, month_start: float = 0.0) -> dict[str, Any]:
    """Fleet, work by status and type, review depth, decisions, posts, deliveries and model usage of one tenant."""
    campaigns = [
        {
            "campaign_id": r["campaign_id"],
            "agent_id": r["agent_id"],
            "status": r["status"],
            "version": r["version"],
            "cycles": r["cycles"],
            "tasks_planned": r["tasks_planned"],
            "topics": json.loads(r["topics_json"]),
        }
        for r in await scope.fetchall(
            "SELECT campaign_id, agent_id, status, version, cycles, tasks_planned, topics_json"
            " FROM campaigns WHERE tenant_id = :tenant ORDER BY campaign_id"
        )
    ]
    agents = [
        {"agent_id": r["agent_id"], "name": r["name"], "status": r["status"]}
        for r in await scope.fetchall(
            "SELECT agent_id, name, status FROM agents WHERE tenant_id = :tenant ORDER BY agent_id"
        )
    ]
    tasks: dict[str, dict[str, int]] = {}
    for r in await scope.fetchall(
        "SELECT type, status, COUNT(*) AS n FROM tasks WHERE tenant_id = :tenant GROUP BY type, status"
    ):
        tasks.setdefault(r["type"], {})[r["status"]] = r["n"]
    by_status: dict[str, int] = {}
    for per_type in tasks.values():
        for status, n in per_type.items():
            by_status[status] = by_status.get(status, 0) + n
    decisions = {
        r["verdict"]: r["n"]
        for r in await scope.fetchall(
            "SELECT verdict, COUNT(*) AS n FROM decisions WHERE tenant_id = :tenant GROUP BY verdict"
        )
    }
    reviews = {
        r["status"]: r["n"]
        for r in await scope.fetchall(
            "SELECT status, COUNT(*) AS n FROM reviews WHERE tenant_id = :tenant GROUP BY status"
        )
    }
    posts = await scope.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE tenant_id = :tenant")
    kill = await scope.fetchone(
        "SELECT value FROM runtime_flags WHERE tenant_id = :tenant AND name = 'kill' AND value = 'on'"
    )
    spend = [
        {
            "agent_id": r["agent_id"],
            "status": r["status"],
            "day_spent_cents": r["day_spent"],
            "day_limit_cents": r["day_cents"],
            "month_spent_cents": r["month_spent"],
            "month_limit_cents": r["month_cents"],
            "in_flight": r["in_flight"],
        }
        for r in await scope.fetchall(
            "SELECT a.agent_id, a.status, l.day_cents, l.month_cents,"
            " (SELECT COALESCE(SUM(amount_cents), 0) FROM ledger g WHERE g.tenant_id = a.tenant_id"
            "   AND g.agent_id = a.agent_id AND g.state <> 'voided' AND g.day_key = :day) AS day_spent,"
            " (SELECT COALESCE(SUM(amount_cents), 0) FROM ledger g WHERE g.tenant_id = a.tenant_id"
            "   AND g.agent_id = a.agent_id AND g.state <> 'voided' AND g.month_key = :month) AS month_spent,"
            " (SELECT COUNT(*) FROM ledger g WHERE g.tenant_id = a.tenant_id AND g.agent_id = a.agent_id"
            "   AND g.state = 'reserved') AS in_flight"
            " FROM agents a JOIN spend_limits l USING (tenant_id, agent_id)"
            " WHERE a.tenant_id = :tenant ORDER BY a.agent_id",
            day=today.day,
            month=today.month,
        )
    ]
    return {
        "tenant_id": scope.tenant_id,
        "agents": agents,
        "campaigns": campaigns,
        "queues": {
            "pending": by_status.get("pending", 0),
            "blocked": by_status.get("blocked", 0),
            "review": reviews.get("pending", 0),
        },
        "tasks": {"by_status": by_status, "by_type": tasks},
        "decisions": {v: decisions.get(v, 0) for v in ("approve", "escalate", "reject")},
        "reviews": {s: reviews.get(s, 0) for s in ("pending", "approved", "rejected")},
        "posts": int(posts["n"]) if posts else 0,
        "money": {"kill_switch": "on" if kill else "off", "wallet": wallet, "agents": spend},
        "mcp_servers": await server_states(scope),
        "deliveries": await deliveries.summary(scope),
        "sent_this_month": {
            r["platform"]: int(r["n"])
            for r in await scope.fetchall(
                "SELECT platform, COUNT(*) AS n FROM deliveries WHERE tenant_id = :tenant AND state = 'sent'"
                " AND sent_at >= :since GROUP BY platform",
                since=month_start,
            )
        },
        "model_usage": [
            dict(r)
            for r in await scope.fetchall(
                "SELECT agent_id, provider, model, calls, tokens_in, tokens_out, cost_micros FROM model_usage"
                " WHERE tenant_id = :tenant ORDER BY agent_id, provider"
            )
        ],
    }


async def outbox_posts(scope: TenantScope, limit: int = 50, agent: str | None = None) -> list[dict[str, Any]]:
    """Published posts, newest first."""
    rows = await scope.fetchall(
        "SELECT post_id, agent_id, campaign_id, task_id, platform, text, disclosure, writer, created_at"
        " FROM outbox WHERE tenant_id = :tenant AND (:agent IS NULL OR agent_id = :agent)"
        " ORDER BY post_id DESC LIMIT :limit",
        agent=agent,
        limit=limit,
    )
    return [dict(r) for r in rows]
