"""Model spend counted against each agent's ``compute`` budget, through the money rules.

Every call's tokens and cost are recorded (``model_usage``). Whole cents are
billed as they accrue: each charge goes through the treasury (CFO review,
category cap, the per-transaction, daily, weekly and monthly limits in
SQLite) against the provider account. When a charge is refused, the agent's
model calls stop with a Refusal until the next run, so a budget cannot be
overrun by calls that were already cheap one by one.
"""

from __future__ import annotations

import logging
import time

from chimera.errors import ChimeraError, Refusal
from chimera.governance.treasury import Treasury
from chimera.models.money import SpendRequest
from chimera.providers.usage import Usage
from chimera.store.scope import TenantScope

log = logging.getLogger("chimera.model_spend")

MICROS_PER_CENT = 10_000

_UPSERT = (
    "INSERT INTO model_usage (tenant_id, agent_id, provider, model, calls, tokens_in, tokens_out, cost_micros,"
    " updated_at) VALUES (:tenant, :a, :p, :m, 1, :i, :o, :c, :now)"
    " ON CONFLICT (tenant_id, agent_id, provider, model) DO UPDATE SET calls = calls + 1,"
    " tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out,"
    " cost_micros = cost_micros + excluded.cost_micros, updated_at = excluded.updated_at"
)


class ModelSpend:
    """The UsageSink of a run: records usage, bills whole cents, cuts an agent off when refused."""

    def __init__(self, scope: TenantScope, treasury: Treasury) -> None:
        self._scope = scope
        self._treasury = treasury
        self._unbilled: dict[str, int] = {}
        self.stopped: dict[str, str] = {}

    async def before_call(self, agent_id: str) -> None:
        """Refuse if the agent's model spend was stopped."""
        reason = self.stopped.get(agent_id)
        if reason is not None:
            raise Refusal(f"model calls for {agent_id} are stopped: {reason}")

    async def record(self, usage: Usage) -> None:
        """Record one call; bill the agent's whole cents when they add up."""
        async with self._scope.transaction() as tx:
            await tx.execute(
                _UPSERT, a=usage.agent_id, p=usage.provider, m=usage.model, i=usage.tokens_in, o=usage.tokens_out,
                c=usage.cost_micros, now=time.time(),
            )  # fmt: skip
        owed = self._unbilled.get(usage.agent_id, 0) + usage.cost_micros
        cents, self._unbilled[usage.agent_id] = divmod(owed, MICROS_PER_CENT)
        if cents:
            await self._bill(usage, cents)

    async def _bill(self, usage: Usage, cents: int) -> None:
        request = SpendRequest(usage.agent_id, "transfer", "compute", f"provider:{usage.provider}", cents,
                               f"model usage on {usage.provider}/{usage.model}")  # fmt: skip
        try:
            outcome = await self._treasury.spend(request)
        except ChimeraError as exc:
            self.stopped[usage.agent_id] = str(exc)
        else:
            if outcome.status != "posted":
                self.stopped[usage.agent_id] = f"the compute charge was {outcome.status}: {outcome.decision.reason}"
        if usage.agent_id in self.stopped:
            log.warning("model spend of %s stopped: %s", usage.agent_id, self.stopped[usage.agent_id])
