"""Rendering for ``chimera status`` and ``chimera outbox``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from chimera.models.config import FleetPolicy


def platform_rows(report: dict[str, Any], policy: FleetPolicy) -> list[dict[str, Any]]:
    """Each configured account: posts sent this month, the monthly quota left, deliveries by state."""
    rows = []
    for name, p in sorted(policy.platforms.items()):
        sent = report["sent_this_month"].get(name, 0)
        left = None if p.monthly_quota is None else max(0, p.monthly_quota - sent)
        rows.append({"platform": name, "kind": p.kind_for(name), "sent_this_month": sent,
                     "monthly_quota": p.monthly_quota, "quota_left": left,
                     "deliveries": report["deliveries"].get(name, {})})  # fmt: skip
    return rows


def status_view(report: dict[str, Any]) -> Group:
    """The status report as rich tables."""
    fleet = Table(title=f"Fleet (tenant {report['tenant_id']})")
    for col in ("campaign", "agent", "status", "version", "cycles", "tasks", "topics"):
        fleet.add_column(col)
    for c in report["campaigns"]:
        fleet.add_row(c["campaign_id"], c["agent_id"], c["status"], str(c["version"]), str(c["cycles"]),
                      str(c["tasks_planned"]), ", ".join(c["topics"]))  # fmt: skip
    work = Table(title="Work")
    work.add_column("measure")
    work.add_column("count", justify="right")
    q = report["queues"]
    d = report["decisions"]
    for name, value in (
        ("pending tasks", q["pending"]),
        ("blocked tasks (waiting on approval)", q["blocked"]),
        ("review queue depth", q["review"]),
        ("decisions: approve", d["approve"]),
        ("decisions: escalate", d["escalate"]),
        ("decisions: reject (retried)", d["reject"]),
        ("reviews approved / rejected", f"{report['reviews']['approved']} / {report['reviews']['rejected']}"),
        ("posts published", report["posts"]),
    ):
        work.add_row(name, str(value))
    money = report["money"]
    spend = Table(title=f"Money (wallet: {money['wallet']}, kill switch: {money['kill_switch']})")
    for col in ("agent", "status", "today", "this month", "in flight"):
        spend.add_column(col)
    for a in money["agents"]:
        spend.add_row(
            a["agent_id"],
            a["status"],
            f"${a['day_spent_cents'] / 100:,.2f} of ${a['day_limit_cents'] / 100:,.2f}",
            f"${a['month_spent_cents'] / 100:,.2f} of ${a['month_limit_cents'] / 100:,.2f}",
            str(a["in_flight"]),
        )
    servers = Table(title="MCP servers (as the last run saw them)")
    for col in ("server", "state", "restarts", "tools", "last error", "as of"):
        servers.add_column(col)
    for m in report["mcp_servers"]:
        when = dt.datetime.fromtimestamp(m["updated_at"], dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        state = f"[red]{m['state']}[/]" if m["state"] == "down" else m["state"]
        servers.add_row(m["name"], state, str(m["restarts"]), ", ".join(m["tools"]), m["last_error"] or "", when)
    platforms = Table(title="Platforms")
    for col in ("platform", "kind", "sent this month", "quota left", "deliveries"):
        platforms.add_column(col)
    for pl in report.get("platforms", []):
        left = "no monthly cap" if pl["quota_left"] is None else f"{pl['quota_left']} of {pl['monthly_quota']}"
        states = ", ".join(f"{k} {v}" for k, v in sorted(pl["deliveries"].items())) or "none"
        platforms.add_row(pl["platform"], pl["kind"], str(pl["sent_this_month"]), left, states)
    usage = Table(title="Model usage")
    for col in ("agent", "provider/model", "calls", "tokens in/out", "cost"):
        usage.add_column(col)
    for u in report["model_usage"]:
        usage.add_row(u["agent_id"], f"{u['provider']}/{u['model']}", str(u["calls"]),
                      f"{u['tokens_in']}/{u['tokens_out']}", f"${u['cost_micros'] / 1_000_000:,.4f}")  # fmt: skip
    return Group(fleet, work, spend, servers, platforms, usage)


def outbox_view(posts: list[dict[str, Any]]) -> Group:
    """Published posts as panels, newest first."""
    if not posts:
        return Group("The outbox is empty.")
    panels = []
    for p in posts:
        when = dt.datetime.fromtimestamp(p["created_at"], dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        panels.append(
            Panel(
                p["text"],
                title=f"#{p['post_id']} {p['agent_id']} → {p['platform']}",
                subtitle=f"{when} · writer: {p['writer']}",
            )
        )
    return Group(*panels)
