"""What most commands do first: load the fleet, open the store, enter the tenant's scope or treasury."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

import typer

from chimera.cli import context as cx
from chimera.cli.review_cmd import ReviewActions
from chimera.config.loader import Fleet, load_fleet
from chimera.errors import ChimeraError
from chimera.governance.permissions import RoleBook
from chimera.governance.security.edits import check_edit
from chimera.governance.security.gateway import SecurityGateway
from chimera.governance.treasury import Treasury
from chimera.models.config import SecurityPolicy
from chimera.pipeline.crashpoints import CrashPoints
from chimera.secret_store import audit_key
from chimera.store import open_database
from chimera.store.audit_chain import AuditEntry
from chimera.store.database import Database
from chimera.store.fleet import cents, sync_fleet
from chimera.store.ledger import sync_limits
from chimera.store.scope import TenantScope
from chimera.wallets.base import Wallet
from chimera.wallets.coinbase import CoinbaseWallet, open_cdp_wallet
from chimera.wallets.simulated import SimulatedWallet

T = TypeVar("T")


def fleet_of(c: cx.CliContext) -> Fleet:
    """The fleet in the home, or exit with the file, field and problem."""
    try:
        return load_fleet(c.home)
    except ChimeraError as exc:
        cx.fail(str(exc), exc.exit_code)


def open_store(c: cx.CliContext) -> AbstractAsyncContextManager[Database]:
    """The fleet's store, its audit chain keyed from CHIMERA_AUDIT_KEY (environment or keyring) if set."""
    return open_database(c.home.db_path, audit_key(c.secrets))


def in_scope(ctx: typer.Context, action: Callable[[TenantScope], Awaitable[T]], *, sync: bool = False) -> T:
    """Load the fleet, open the store, and run ``action`` in the fleet's tenant scope."""
    c = cx.get(ctx)
    fleet = fleet_of(c)

    async def main() -> T:
        async with open_store(c) as db:
            scope = TenantScope(db, fleet.tenant_id)
            if sync:
                await sync_fleet(scope, fleet)
            return await action(scope)

    return cx.run_async(main)


def in_treasury(ctx: typer.Context, action: Callable[[Treasury], Awaitable[T]]) -> T:
    """Run ``action`` with the tenant's treasury (the configured wallet), limits synced, in-flight spends recovered."""
    c = cx.get(ctx)
    fleet = fleet_of(c)
    money = fleet.policy.money

    async def main() -> T:
        async with open_store(c) as db:
            scope = TenantScope(db, fleet.tenant_id)
            await sync_fleet(scope, fleet)
            await sync_limits(scope, fleet)
            wallet: Wallet
            if money.wallet == "coinbase":
                wallet = CoinbaseWallet(scope, open_cdp_wallet(c.settings.cdp), asset_id=money.asset_id)
            else:
                wallet = SimulatedWallet(scope, cents(money.starting_balance_usd))
            roles = RoleBook(fleet.policy.roles, fleet.personas)
            treasury = Treasury(scope, money, wallet, crash=CrashPoints(c.settings.crash_at), roles=roles)
            await treasury.recover()
            return await action(treasury)

    return cx.run_async(main)


def review_actions(t: Treasury, reviewer: str, security: SecurityPolicy) -> ReviewActions:
    """What approving does: a spend is paid through the treasury as ``reviewer``; an edit passes the gateway."""

    async def audit(entries: list[AuditEntry]) -> None:
        async with t.scope.transaction() as tx:
            for entry in entries:
                await tx.append_audit(entry)

    gateway = SecurityGateway(security, tenant_id=t.scope.tenant_id, audit=audit)

    async def edit(text: str, agent_id: str) -> None:
        await check_edit(gateway, text, agent_id=agent_id, link_allowlist=security.link_allowlist)

    return ReviewActions(lambda review_id: t.approve_spend(review_id, reviewer), edit)
