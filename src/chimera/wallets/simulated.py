"""The simulated wallet: an offline ledger of transfers in the store, labelled as simulated."""

from __future__ import annotations

import time

from chimera.errors import Refusal
from chimera.store.scope import TenantScope

NAME = "simulated"
_SPENT = "SELECT COALESCE(SUM(amount_cents), 0) AS s FROM sim_wallet WHERE tenant_id = :tenant AND agent_id = :a"


class SimulatedWallet:
    """A Wallet with a starting balance per agent; transfers are rows in ``sim_wallet``."""

    name = NAME
    simulated = True

    def __init__(self, scope: TenantScope, starting_cents: int) -> None:
        self._scope = scope
        self._starting = starting_cents

    async def balance(self, tenant_id: str, agent_id: str) -> int:
        """Starting balance minus every transfer applied."""
        row = await self._scope.fetchone(_SPENT, a=agent_id)
        return self._starting - (int(row["s"]) if row else 0)

    async def transfer(self, tenant_id: str, agent_id: str, key: str, recipient: str, amount_cents: int) -> str:
        """Apply once per key (a repeat returns the first reference)."""
        async with self._scope.transaction() as tx:
            found = await tx.fetchall(
                "SELECT transfer_id FROM sim_wallet WHERE tenant_id = :tenant AND idempotency_key = :k", k=key
            )
            if found:
                return f"sim-{found[0]['transfer_id']}"
            spent = await tx.fetchall(_SPENT, a=agent_id)
            if self._starting - int(spent[0]["s"]) < amount_cents:
                raise Refusal(f"simulated wallet of {agent_id} has too little balance")
            await tx.execute(
                "INSERT INTO sim_wallet (tenant_id, agent_id, idempotency_key, recipient, amount_cents, created_at)"
                " VALUES (:tenant, :a, :k, :r, :c, :now)",
                a=agent_id,
                k=key,
                r=recipient,
                c=amount_cents,
                now=time.time(),
            )
            row = await tx.fetchall("SELECT last_insert_rowid() AS id WHERE :tenant IS NOT NULL")
        return f"sim-{row[0]['id']}"

    async def deploy_token(
        self, tenant_id: str, agent_id: str, key: str, name: str, symbol: str, total_supply: str, budget_cents: int
    ) -> str:
        """Simulate a deployment: its budgeted cost leaves the balance; the address is made up and says so."""
        ref = await self.transfer(tenant_id, agent_id, key, f"token:{symbol}", budget_cents)
        return f"{ref}-token-{symbol}"

    async def lookup(self, tenant_id: str, agent_id: str, key: str) -> str | None:
        """Find a transfer by its key."""
        row = await self._scope.fetchone(
            "SELECT transfer_id FROM sim_wallet WHERE tenant_id = :tenant AND idempotency_key = :k", k=key
        )
        return f"sim-{row['transfer_id']}" if row else None
