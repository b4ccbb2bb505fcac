"""The Coinbase adapter, without a network: the calls it makes and how it survives a lost answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest

from chimera.errors import ConfigError
from chimera.governance.cfo import SpendRequest
from chimera.governance.treasury import SpendOutcome, Treasury
from chimera.models.config import MoneyPolicy
from chimera.settings import CdpCredentials, Secret
from chimera.store import open_database
from chimera.store.scope import TenantScope
from chimera.wallets.coinbase import CoinbaseWallet, open_cdp_wallet, usd_amount
from tests.conftest import query
from tests.money_fixtures import money_home


@dataclass
class ChainTransferRecord:
    """What the chain knows of a transfer (the fields cdp.Transfer exposes)."""

    transaction_hash: str | None
    status: str
    destination_address_id: str
    amount: Decimal
    asset_id: str

    def wait(self, interval_seconds: float = 0.2, timeout_seconds: float = 20) -> ChainTransferRecord:
        return self


@dataclass
class ChainAddressRecord:
    chain: FakeChainWallet

    def transfers(self) -> Iterable[ChainTransferRecord]:
        return list(self.chain.applied)


@dataclass
class FakeChainWallet:
    """An in-memory chain wallet with cdp.Wallet's call shapes; it can lose its answers."""

    balance_units: Decimal = Decimal("100")
    lose_answer: bool = False
    fail: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)
    applied: list[ChainTransferRecord] = field(default_factory=list)

    def balance(self, asset_id: str) -> Decimal:
        return self.balance_units

    def transfer(self, amount: Any, asset_id: str, destination: Any, gasless: bool = False) -> ChainTransferRecord:
        self.calls.append({"amount": amount, "asset_id": asset_id, "destination": destination, "gasless": gasless})
        record = ChainTransferRecord(f"0xhash{len(self.calls)}", "failed" if self.fail else "complete",
                                     destination, Decimal(amount), asset_id)  # fmt: skip
        if not self.fail:
            self.applied.append(record)
            self.balance_units -= Decimal(amount)
        if self.lose_answer:
            raise TimeoutError("read timed out")
        return record

    @property
    def default_address(self) -> ChainAddressRecord:
        return ChainAddressRecord(self)

    def deploy_token(self, name: str, symbol: str, total_supply: Any) -> DeployedToken:
        self.calls.append({"deploy": name, "symbol": symbol, "total_supply": total_supply})
        return DeployedToken(f"0xcontract{len(self.calls)}")


@dataclass
class DeployedToken:
    contract_address: str

    def wait(self, interval_seconds: float = 0.2, timeout_seconds: float = 20) -> DeployedToken:
        return self


async def _spend(db: Path, tenant: str, chain: FakeChainWallet, cents: int, key: str,
                 recover: bool = False) -> tuple[SpendOutcome, list[SpendOutcome]]:  # fmt: skip
    async with open_database(db) as database:
        scope = TenantScope(database, tenant)
        treasury = Treasury(scope, MoneyPolicy(wallet="coinbase", recovery_grace_s=0), CoinbaseWallet(scope, chain))
        recovered = await treasury.recover() if recover else []
        req = SpendRequest("nova", "transfer", "api", "0xVendor", cents, "pay for the headline API")
        return await treasury.spend(req, key), recovered


def test_transfer_builds_the_right_call_and_records_the_hash(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    chain = FakeChainWallet()
    out, _ = anyio.run(_spend, home.db_path, fleet.tenant_id, chain, 450, "k1")
    assert out.status == "posted" and out.entry is not None and out.entry["tx_ref"] == "0xhash1"
    assert chain.calls == [{"amount": Decimal("4.50"), "asset_id": "usdc", "destination": "0xVendor", "gasless": True}]
    assert query(home.db_path, "SELECT amount, tx_hash FROM cdp_sends") == [("4.50", "0xhash1")]
    assert usd_amount(1) == "0.01" and usd_amount(1234) == "12.34"


def test_a_lost_answer_is_matched_on_chain_not_resent(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    chain = FakeChainWallet(lose_answer=True)
    out, _ = anyio.run(_spend, home.db_path, fleet.tenant_id, chain, 700, "k2")
    assert out.status == "unknown"
    chain.lose_answer = False
    again, recovered = anyio.run(lambda: _spend(home.db_path, fleet.tenant_id, chain, 700, "k2", recover=True))
    assert [r.status for r in recovered] == ["posted"] and again.status == "posted"
    assert len(chain.calls) == 1, "the transfer was sent exactly once"
    assert query(home.db_path, "SELECT state, tx_ref FROM ledger") == [("posted", "0xhash1")]


def test_a_failed_transfer_is_voided_and_returns_the_budget(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    out, _ = anyio.run(_spend, home.db_path, fleet.tenant_id, FakeChainWallet(fail=True), 300, "k3")
    assert out.status == "voided"
    assert query(home.db_path, "SELECT spent_cents FROM budget_counters WHERE period = 'day'") == [(0,)]


def test_missing_credentials_are_a_config_error_that_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CDP_API_KEY_NAME and CDP_API_KEY_PRIVATE_KEY"):
        open_cdp_wallet(None)
    creds = CdpCredentials("organizations/x/apiKeys/y", Secret("-----BEGIN EC PRIVATE KEY-----"), None, "base-sepolia")
    with pytest.raises(ConfigError, match="CDP_WALLET_DATA"):
        open_cdp_wallet(creds)
    assert "BEGIN" not in repr(creds) and "BEGIN" not in str(creds.private_key)


def test_deploy_token_builds_the_right_call(tmp_path: Path) -> None:
    home, fleet = money_home(tmp_path / "fleet")
    chain = FakeChainWallet()

    async def main() -> str:
        async with open_database(home.db_path) as database:
            wallet = CoinbaseWallet(TenantScope(database, fleet.tenant_id), chain)
            first = await wallet.deploy_token(fleet.tenant_id, "nova", "t1", "Nova Points", "NOVA", "1000000", 500)
            again = await wallet.deploy_token(fleet.tenant_id, "nova", "t1", "Nova Points", "NOVA", "1000000", 500)
            assert again == first
            return first

    assert anyio.run(main) == "0xcontract1"
    assert chain.calls == [{"deploy": "Nova Points", "symbol": "NOVA", "total_supply": Decimal("1000000")}]
