"""Money commands: wallet, budget, kill switch."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.table import Table

from chimera.cli import context as cx
from chimera.cli.scopes import fleet_of, in_treasury
from chimera.governance.cfo import SpendRequest
from chimera.governance.treasury import Treasury
from chimera.store import ledger
from chimera.store.fleet import cents

wallet_app = typer.Typer(help="Agent wallets: balance, transfers, token deployment, history.", no_args_is_help=True)
budget_app = typer.Typer(help="Budgets: spent and left per period and category.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def usd(amount_cents: int) -> str:
    return f"${amount_cents / 100:,.2f}"


AgentOpt = Annotated[str, typer.Option("--agent", help="Agent id.")]


@wallet_app.command("balance")
def wallet_balance(ctx: typer.Context, agent: AgentOpt, as_json: JsonOpt = False) -> None:
    """An agent's wallet balance."""

    async def action(t: Treasury) -> tuple[int, str, bool]:
        return await t.wallet.balance(t.scope.tenant_id, agent), t.wallet.name, t.wallet.simulated

    balance, name, simulated = in_treasury(ctx, action)
    data = {"agent_id": agent, "balance_cents": balance, "balance_usd": f"{balance / 100:.2f}",
            "wallet": name, "simulated": simulated}  # fmt: skip
    if as_json:
        cx.print_json(data)
    else:
        label = "simulated wallet, offline" if simulated else f"{name} wallet, shared by the fleet"
        cx.console.print(f"{agent}: {usd(balance)} ({label})")


@wallet_app.command("transfer")
def wallet_transfer(
    ctx: typer.Context,
    agent: AgentOpt,
    to: Annotated[str, typer.Option("--to", help="Recipient address.")],
    amount: Annotated[str, typer.Option("--amount", help="US dollars, e.g. 4.50.")],
    category: Annotated[str, typer.Option(help="compute, storage, api, content or other.")] = "other",
    purpose: Annotated[str, typer.Option(help="Why this payment is needed.")] = "",
    key: Annotated[
        str | None, typer.Option(help="Idempotency key (a retry with the same key never pays twice).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Pay from an agent's wallet through the CFO and the ledger; exit 3 when refused or sent to a human."""
    try:
        amount_cents = cents(Decimal(amount))
    except (InvalidOperation, ArithmeticError):
        cx.fail(f"--amount: '{amount}' is not an amount in dollars", 2)
    req = SpendRequest(agent, "transfer", category, to, amount_cents, purpose)
    outcome = in_treasury(ctx, lambda t: t.spend(req, key))
    data = {"status": outcome.status, "approved": outcome.decision.approved, "tier": outcome.decision.tier.value,
            "risk": outcome.decision.risk,
            "reason": outcome.decision.reason, "conditions": outcome.decision.conditions,
            "paused_agent": outcome.decision.pause_agent, "entry": outcome.entry}  # fmt: skip
    if as_json:
        cx.print_json(data)
    else:
        cx.console.print(f"{outcome.status}: {outcome.decision.reason} (risk {outcome.decision.risk:.2f})")
    if outcome.status == "review":
        cx.fail("sent to a human: approve or reject it in `chimera review`", 3)
    if outcome.status in ("refused", "voided"):
        cx.fail(f"{outcome.status}: {outcome.decision.reason}", 3)
    if outcome.status == "unknown":
        cx.fail("the wallet did not confirm; the reservation is kept and will be settled by key", 4)


@wallet_app.command("deploy-token")
def wallet_deploy_token(
    ctx: typer.Context,
    agent: AgentOpt,
    name: Annotated[str, typer.Option(help="Token name.")],
    symbol: Annotated[str, typer.Option(help="Token symbol.")],
    supply: Annotated[str, typer.Option(help="Total supply, e.g. 1000000.")],
    budget: Annotated[str, typer.Option(help="Most it may cost, in US dollars.")],
    purpose: Annotated[str, typer.Option(help="Why this token is needed.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Ask to deploy a token; it always goes to a human in `chimera review` (exit 3 until approved)."""
    try:
        budget_cents = cents(Decimal(budget))
        Decimal(supply)
    except (InvalidOperation, ArithmeticError):
        cx.fail("--budget and --supply must be numbers", 2)
    req = SpendRequest(agent, "deploy_token", "other", f"token:{symbol}", budget_cents, purpose,
                       {"name": name, "symbol": symbol, "total_supply": supply})  # fmt: skip
    outcome = in_treasury(ctx, lambda t: t.spend(req))
    if as_json:
        cx.print_json(
            {"status": outcome.status, "tier": outcome.decision.tier.value, "reason": outcome.decision.reason}
        )
    if outcome.status == "review":
        cx.fail("sent to a human: approve or reject it in `chimera review`", 3)
    cx.fail(f"{outcome.status}: {outcome.decision.reason}", 3)


@wallet_app.command("history")
def wallet_history(ctx: typer.Context, agent: AgentOpt, as_json: JsonOpt = False) -> None:
    """Ledger entries and money events of an agent, newest first."""
    rows = in_treasury(ctx, lambda t: ledger.history(t.scope, agent))
    wallet = fleet_of(cx.get(ctx)).policy.money.wallet
    if as_json:
        cx.print_json(rows)
        return
    table = Table(title=f"Ledger of {agent} ({wallet} wallet)")
    for col in ("id", "state", "amount", "category", "to", "approval", "risk", "reason"):
        table.add_column(col)
    for e in rows["ledger"]:
        table.add_row(str(e["entry_id"]), e["state"], usd(e["amount_cents"]), e["category"], e["recipient"],
                      e["approval"], f"{e['risk']:.2f}", e["reason"][:60])  # fmt: skip
    cx.console.print(table)


@budget_app.command("show")
def budget_show(ctx: typer.Context, agent: AgentOpt, as_json: JsonOpt = False) -> None:
    """Spent and left for the current day, week and month, and per category today."""
    data = in_treasury(ctx, lambda t: ledger.budget(t.scope, agent, t.period_keys()))
    if not data:
        cx.fail(f"no agent '{agent}'", 3)
    if as_json:
        cx.print_json(data)
        return
    table = Table(title=f"Budget of {agent}")
    for col in ("period", "key", "spent", "limit", "left"):
        table.add_column(col)
    for name, p in data["periods"].items():
        table.add_row(name, p["key"], usd(p["spent_cents"]), usd(p["limit_cents"]), usd(p["left_cents"]))
    cx.console.print(table)


def _say(as_json: bool, data: dict[str, str], text: str) -> None:
    if as_json:
        cx.print_json(data)
    else:
        cx.console.print(text)


def kill(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Fleet-wide kill switch: stop all spending and publishing now."""
    in_treasury(ctx, lambda t: ledger.set_flag(t.scope, "kill", "on", cx.get(ctx).settings.reviewer))
    _say(as_json, {"kill_switch": "on"}, "kill switch ON: no spending or publishing until `chimera resume`")


def resume(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option("--agent", help="Resume one paused agent instead.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn the kill switch off, or resume one paused agent."""
    who = cx.get(ctx).settings.reviewer
    if agent is None:
        in_treasury(ctx, lambda t: ledger.set_flag(t.scope, "kill", "off", who))
        _say(as_json, {"kill_switch": "off"}, "kill switch OFF")
        return
    if not in_treasury(ctx, lambda t: ledger.set_agent_status(t.scope, agent, "active", who)):
        cx.fail(f"no agent '{agent}'", 3)
    _say(as_json, {"agent_id": agent, "status": "active"}, f"agent {agent} resumed")
