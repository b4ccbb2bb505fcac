"""The seam between the treasury and whatever moves money."""

from __future__ import annotations

from typing import Protocol

from chimera.errors import Failure


class TransferUnknown(Failure):
    """The wallet may or may not have applied a transfer (a timeout, a dropped reply).

    The ledger keeps the reservation and resolves it later with ``lookup``;
    the transfer is never sent again.
    """


class Wallet(Protocol):
    """Holds the keys; nothing else in Chimera does."""

    name: str
    simulated: bool

    async def balance(self, tenant_id: str, agent_id: str) -> int:
        """Balance in cents."""
        ...

    async def transfer(self, tenant_id: str, agent_id: str, key: str, recipient: str, amount_cents: int) -> str:
        """Apply a transfer once per ``key``; return its reference. Raise TransferUnknown when unsure."""
        ...

    async def deploy_token(
        self, tenant_id: str, agent_id: str, key: str, name: str, symbol: str, total_supply: str, budget_cents: int
    ) -> str:
        """Deploy a token once per ``key``; return the contract address. Raise TransferUnknown when unsure."""
        ...

    async def lookup(self, tenant_id: str, agent_id: str, key: str) -> str | None:
        """The reference of the transfer made with ``key``, or None if there is none."""
        ...
