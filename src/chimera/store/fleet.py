"""The fleet's definition in the store: sync from files, campaign state under OCC."""

from __future__ import annotations

import json
import time
from decimal import Decimal

from chimera.config.loader import Fleet
from chimera.errors import Refusal
from chimera.models.config import CampaignStatus
from chimera.pipeline.books import CampaignState
from chimera.store.audit import append_audit
from chimera.store.scope import TenantScope

_UPSERT_AGENT = """
INSERT INTO agents (tenant_id, agent_id, name, persona_json, updated_at)
VALUES (:tenant, :agent, :name, :persona, :now)
ON CONFLICT (tenant_id, agent_id) DO UPDATE SET
    name = excluded.name, persona_json = excluded.persona_json, updated_at = excluded.updated_at
WHERE agents.persona_json IS NOT excluded.persona_json
"""

# A definition change bumps the version; a changed status in the file wins over
# a CLI pause/resume only when the file's declared status itself changed.
_UPSERT_CAMPAIGN = """
INSERT INTO campaigns (tenant_id, campaign_id, agent_id, goal, topics_json, platforms_json,
                       budget_cents, status, declared_status, updated_at)
VALUES (:tenant, :campaign, :agent, :goal, :topics, :platforms, :budget, :status, :status, :now)
ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET
    agent_id = excluded.agent_id, goal = excluded.goal, topics_json = excluded.topics_json,
    platforms_json = excluded.platforms_json, budget_cents = excluded.budget_cents,
    status = CASE WHEN campaigns.declared_status IS NOT excluded.declared_status
                  THEN excluded.declared_status ELSE campaigns.status END,
    declared_status = excluded.declared_status,
    version = campaigns.version + 1, updated_at = excluded.updated_at
WHERE campaigns.agent_id IS NOT excluded.agent_id OR campaigns.goal IS NOT excluded.goal
   OR campaigns.topics_json IS NOT excluded.topics_json
   OR campaigns.platforms_json IS NOT excluded.platforms_json
   OR campaigns.budget_cents IS NOT excluded.budget_cents
   OR campaigns.declared_status IS NOT excluded.declared_status
"""

_RETIRE_MISSING = """
UPDATE campaigns SET status = 'paused', declared_status = 'paused', version = version + 1, updated_at = :now
WHERE tenant_id = :tenant AND status = 'active'
  AND campaign_id NOT IN (SELECT value FROM json_each(:ids))
"""


def cents(amount: Decimal) -> int:
    """Exact dollars to integer cents."""
    return int((amount * 100).to_integral_exact())


async def sync_fleet(scope: TenantScope, fleet: Fleet) -> None:
    """Write the loaded files' definitions into the store in one transaction."""
    now = time.time()
    async with scope.transaction() as tx:
        await tx.execute("INSERT OR IGNORE INTO tenants (tenant_id, created_at) VALUES (:tenant, :now)", now=now)
        await tx.execute_many(
            _UPSERT_AGENT,
            ({"agent": p.agent_id, "name": p.name, "persona": p.model_dump_json(), "now": now}
             for p in fleet.personas.values()),
        )  # fmt: skip
        await tx.execute_many(
            _UPSERT_CAMPAIGN,
            ({"campaign": c.campaign_id, "agent": c.agent_id, "goal": c.goal, "topics": json.dumps(c.topics),
              "platforms": json.dumps(c.platforms), "budget": cents(c.budget_usd), "status": c.status.value, "now": now}
             for c in fleet.campaigns),
        )  # fmt: skip
        await tx.execute(_RETIRE_MISSING, ids=json.dumps([c.campaign_id for c in fleet.campaigns]), now=now)


async def campaign_states(scope: TenantScope) -> dict[str, CampaignState]:
    """Version and status of every campaign of the tenant."""
    rows = await scope.fetchall("SELECT campaign_id, version, status FROM campaigns WHERE tenant_id = :tenant")
    return {str(r["campaign_id"]): CampaignState(int(r["version"]), r["status"] == "active") for r in rows}


async def set_campaign_status(scope: TenantScope, campaign_id: str, status: CampaignStatus) -> int:
    """Pause or resume a campaign with optimistic concurrency; return the new version.

    Reads the version, then writes only if it is unchanged; a concurrent
    writer makes the update miss, and it is retried on a fresh read.
    """
    for _ in range(20):
        row = await scope.fetchone(
            "SELECT version FROM campaigns WHERE tenant_id = :tenant AND campaign_id = :c", c=campaign_id
        )
        if row is None:
            raise Refusal(f"no campaign '{campaign_id}' in tenant '{scope.tenant_id}'")
        version = int(row["version"])
        async with scope.transaction() as tx:
            changed = await tx.execute(
                "UPDATE campaigns SET status = :s, version = version + 1, updated_at = :now"
                " WHERE tenant_id = :tenant AND campaign_id = :c AND version = :v",
                s=status.value,
                now=time.time(),
                c=campaign_id,
                v=version,
            )
            if changed == 1:
                await append_audit(
                    tx, "campaign.status", "cli", campaign_id, {"status": status.value, "version": version + 1}
                )
                return version + 1
    raise Refusal(f"campaign '{campaign_id}' kept changing; try again")


async def kill_switch_on(scope: TenantScope) -> bool:
    """Whether the tenant's kill switch is on."""
    row = await scope.fetchone(
        "SELECT 1 AS on_ FROM runtime_flags WHERE tenant_id = :tenant AND name = 'kill' AND value = 'on'"
    )
    return row is not None
