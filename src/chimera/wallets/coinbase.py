"""The Coinbase wallet: pays through the CDP SDK's ``Wallet`` (the object cdp-agentkit-core's actions drive).

Opt-in: ``[money] wallet = "coinbase"`` in fleet.toml plus CDP_API_KEY_NAME,
CDP_API_KEY_PRIVATE_KEY and CDP_WALLET_DATA (the exported wallet seed file)
in the environment. Only this module ever sees the key.

CDP transfers carry no idempotency key (and AgentKit retries have paid twice,
coinbase/agentkit#1483), so before every call the key, recipient and amount
are written to ``cdp_sends``; after it, the transaction hash. A call whose
answer is lost is never sent again: ``lookup`` matches the key's row against
the wallet's own transfers on chain. AgentKit's action functions are not used
directly because they turn every error into prose, which would hide the
difference between "failed" and "unknown".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Protocol

import anyio

from chimera.errors import ConfigError, Refusal
from chimera.settings import CdpCredentials
from chimera.store.scope import TenantScope
from chimera.wallets.base import TransferUnknown

NAME = "coinbase"
FAILED_STATES = frozenset({"failed"})


class ChainTransfer(Protocol):
    """The part of ``cdp.Transfer`` this adapter reads."""

    @property
    def transaction_hash(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def destination_address_id(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def asset_id(self) -> str: ...


class PendingTransfer(ChainTransfer, Protocol):
    """A transfer that can be waited on."""

    def wait(self, interval_seconds: float = 0.2, timeout_seconds: float = 20) -> Any: ...


class ChainAddress(Protocol):
    """The part of ``cdp.WalletAddress`` this adapter reads."""

    def transfers(self) -> Iterable[ChainTransfer]: ...


class DeployedContract(Protocol):
    """The part of ``cdp.SmartContract`` this adapter reads."""

    @property
    def contract_address(self) -> str: ...

    def wait(self, interval_seconds: float = 0.2, timeout_seconds: float = 20) -> Any: ...


class ChainWallet(Protocol):
    """The part of ``cdp.Wallet`` this adapter calls."""

    def deploy_token(self, name: str, symbol: str, total_supply: Any) -> DeployedContract: ...
    def balance(self, asset_id: str) -> Decimal: ...
    def transfer(self, amount: Any, asset_id: str, destination: Any, gasless: bool = False) -> PendingTransfer: ...
    @property
    def default_address(self) -> ChainAddress | None: ...


def usd_amount(amount_cents: int) -> str:
    """Cents as the exact decimal string CDP takes ("4.50")."""
    return str((Decimal(amount_cents) / 100).quantize(Decimal("0.01")))


class CoinbaseWallet:
    """A Wallet over one CDP wallet (the fleet's); budgets stay per agent in the ledger."""

    name = NAME
    simulated = False

    def __init__(
        self,
        scope: TenantScope,
        wallet: ChainWallet,
        *,
        asset_id: str = "usdc",
        gasless: bool = True,
        timeout_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._scope = scope
        self._wallet = wallet
        self._asset = asset_id
        self._gasless = gasless
        self._timeout = timeout_s
        self._clock = clock

    async def balance(self, tenant_id: str, agent_id: str) -> int:
        """The fleet wallet's balance of the asset, in cents."""
        units = await anyio.to_thread.run_sync(self._wallet.balance, self._asset)
        return int((Decimal(units) * 100).to_integral_value())

    async def transfer(self, tenant_id: str, agent_id: str, key: str, recipient: str, amount_cents: int) -> str:
        """Record the intent, send once, record the hash; a lost answer raises TransferUnknown."""
        amount = usd_amount(amount_cents)
        earlier = await self._record_intent(key, agent_id, recipient, amount, self._asset)
        if earlier is not None:
            return earlier

        def send() -> Any:
            pending = self._wallet.transfer(
                amount=Decimal(amount), asset_id=self._asset, destination=recipient, gasless=self._gasless
            )
            return pending.wait(timeout_seconds=self._timeout)

        try:
            done = await anyio.to_thread.run_sync(send)
        except Exception as exc:  # the SDK raises API, network and timeout errors alike: outcome unknown
            raise TransferUnknown(f"Coinbase did not confirm transfer {key}: {type(exc).__name__}") from exc
        if str(done.status).lower() in FAILED_STATES:
            raise Refusal(f"Coinbase reports transfer {key} failed on chain")
        tx_hash = str(done.transaction_hash)
        await self._record_hash(key, tx_hash)
        return tx_hash

    async def deploy_token(
        self, tenant_id: str, agent_id: str, key: str, name: str, symbol: str, total_supply: str, budget_cents: int
    ) -> str:
        """Deploy once per key; an unanswered deployment is left for a human (it cannot be matched safely)."""
        earlier = await self._record_intent(key, agent_id, f"token:{symbol}", total_supply, "token")
        if earlier is not None:
            return earlier

        def deploy() -> Any:
            contract = self._wallet.deploy_token(name=name, symbol=symbol, total_supply=Decimal(total_supply))
            return contract.wait(timeout_seconds=self._timeout)

        try:
            done = await anyio.to_thread.run_sync(deploy)
        except Exception as exc:  # outcome unknown: never redeploy automatically
            raise TransferUnknown(f"Coinbase did not confirm token deployment {key}: {type(exc).__name__}") from exc
        address = str(done.contract_address)
        await self._record_hash(key, address)
        return address

    async def _record_intent(self, key: str, agent_id: str, recipient: str, amount: str, asset: str) -> str | None:
        """Write what is about to be sent, before sending; return the hash if this key was already answered."""
        async with self._scope.transaction() as tx:
            sent = await tx.fetchall(
                "SELECT tx_hash FROM cdp_sends WHERE tenant_id = :tenant AND idempotency_key = :k", k=key
            )
            if sent:
                if sent[0]["tx_hash"]:
                    return str(sent[0]["tx_hash"])
                raise TransferUnknown(f"{key} was sent before without an answer; it is resolved by lookup, not resent")
            await tx.execute(
                "INSERT INTO cdp_sends (idempotency_key, tenant_id, agent_id, recipient, amount, asset_id, sent_at)"
                " VALUES (:k, :tenant, :a, :to, :amt, :asset, :now)",
                k=key, a=agent_id, to=recipient, amt=amount, asset=asset, now=self._clock(),
            )  # fmt: skip
        return None

    async def _record_hash(self, key: str, tx_hash: str) -> None:
        async with self._scope.transaction() as tx:
            await tx.execute(
                "UPDATE cdp_sends SET tx_hash = :h WHERE tenant_id = :tenant AND idempotency_key = :k", h=tx_hash, k=key
            )

    async def lookup(self, tenant_id: str, agent_id: str, key: str) -> str | None:
        """The hash for ``key``: recorded, or found among the wallet's transfers to the same recipient and amount."""
        row = await self._scope.fetchone(
            "SELECT recipient, amount, asset_id, tx_hash FROM cdp_sends"
            " WHERE tenant_id = :tenant AND idempotency_key = :k",
            k=key,
        )
        if row is None:
            return None  # never sent
        if row["tx_hash"]:
            return str(row["tx_hash"])
        claimed = {
            str(r["tx_hash"])
            for r in await self._scope.fetchall(
                "SELECT tx_hash FROM cdp_sends WHERE tenant_id = :tenant AND tx_hash IS NOT NULL"
            )
        }
        address = self._wallet.default_address
        transfers = await anyio.to_thread.run_sync(lambda: list(address.transfers()) if address else [])
        for t in transfers:
            if (
                t.transaction_hash
                and str(t.transaction_hash) not in claimed
                and str(t.destination_address_id).lower() == str(row["recipient"]).lower()
                and Decimal(t.amount) == Decimal(row["amount"])
                and str(t.asset_id).lower() == str(row["asset_id"]).lower()
                and str(t.status).lower() not in FAILED_STATES
            ):
                await self._record_hash(key, str(t.transaction_hash))
                return str(t.transaction_hash)
        return None


def open_cdp_wallet(credentials: CdpCredentials | None) -> ChainWallet:
    """Configure the CDP SDK and load the fleet's wallet; a ConfigError says what is missing."""
    if credentials is None:
        raise ConfigError(
            "environment", "wallet = 'coinbase' needs CDP_API_KEY_NAME and CDP_API_KEY_PRIVATE_KEY", "money.wallet"
        )
    if credentials.wallet_data is None or not credentials.wallet_data.is_file():
        raise ConfigError("environment", "CDP_WALLET_DATA must name the exported wallet data file", "money.wallet")
    from cdp import Cdp, Wallet, WalletData

    Cdp.configure(credentials.api_key_name, credentials.private_key.reveal())
    data = json.loads(credentials.wallet_data.read_text(encoding="utf-8"))
    wallet: ChainWallet = Wallet.import_data(WalletData.from_dict(data))
    return wallet
