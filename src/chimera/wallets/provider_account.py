"""Model spend: the provider bills the account, so nothing moves from the agent's wallet.

The treasury still reviews, reserves and posts each charge (the CFO, the
category caps and the SQLite limits all apply); this wallet just records
that the charge stands. Labelled ``provider-account`` wherever it shows.
"""

from __future__ import annotations

from chimera.errors import Refusal

NAME = "provider-account"


class ProviderAccount:
    """A Wallet for charges billed by a model provider; transfers only acknowledge, by key."""

    name = NAME
    simulated = False

    async def balance(self, tenant_id: str, agent_id: str) -> int:
        """Not tracked here: the provider's invoice is the balance."""
        return 0

    async def transfer(self, tenant_id: str, agent_id: str, key: str, recipient: str, amount_cents: int) -> str:
        """Acknowledge the charge; the reference is the key, so a repeat is the same charge."""
        return f"provider-bill:{key}"

    async def deploy_token(
        self, tenant_id: str, agent_id: str, key: str, name: str, symbol: str, total_supply: str, budget_cents: int
    ) -> str:
        """Model charges never deploy tokens."""
        raise Refusal("the provider account cannot deploy tokens")

    async def lookup(self, tenant_id: str, agent_id: str, key: str) -> str | None:
        """Every reserved charge stands (the usage happened)."""
        return f"provider-bill:{key}"
