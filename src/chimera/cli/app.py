"""The ``chimera`` command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from chimera.cli import context as cx
from chimera.cli.init_cmd import holds_fleet, write_sample_fleet
from chimera.cli.review_cmd import approve_item, interactive, render_item, review_table
from chimera.cli.status_cmd import outbox_view, status_view
from chimera.config.loader import Fleet, load_fleet
from chimera.errors import ChimeraError, Refusal
from chimera.governance.cfo import SpendRequest
from chimera.governance.treasury import SpendOutcome, Treasury
from chimera.logs import configure as configure_logging
from chimera.models.config import CampaignStatus
from chimera.models.work import ReviewItem, ReviewStatus
from chimera.pipeline.crashpoints import CrashPoints
from chimera.runtime.runner import RunOptions, RunSummary, run_fleet
from chimera.settings import Settings
from chimera.store import ledger, open_database, reviews
from chimera.store.fleet import cents, set_campaign_status, sync_fleet
from chimera.store.ledger import sync_limits
from chimera.store.reports import outbox_posts, status_report
from chimera.store.scope import TenantScope
from chimera.wallets.base import Wallet
from chimera.wallets.coinbase import CoinbaseWallet, open_cdp_wallet
from chimera.wallets.simulated import SimulatedWallet

T = TypeVar("T")

app = typer.Typer(
    name="chimera",
    help="Chimera: a fleet of AI personas that perceive, plan, write, get judged and publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help="Review escalated items (interactive when no subcommand is given).")
campaign_app = typer.Typer(help="List, pause and resume campaigns.", no_args_is_help=True)
mcp_app = typer.Typer(help="The bundled MCP servers.", no_args_is_help=True)
wallet_app = typer.Typer(help="Agent wallets: balance, transfers, history.", no_args_is_help=True)
budget_app = typer.Typer(help="Budgets: spent and left per period and category.", no_args_is_help=True)
app.add_typer(wallet_app, name="wallet")
app.add_typer(budget_app, name="budget")
app.add_typer(review_app, name="review")
app.add_typer(campaign_app, name="campaign")
app.add_typer(mcp_app, name="mcp")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Fleet directory (default: $CHIMERA_HOME, else the current directory)."),
    ] = None,
) -> None:
    """Global options."""
    settings = Settings.from_env()
    ctx.obj = cx.CliContext(cx.resolve_home(home, settings), settings)


def _fleet(c: cx.CliContext) -> Fleet:
    try:
        return load_fleet(c.home)
    except ChimeraError as exc:
        cx.fail(str(exc), exc.exit_code)


def _in_scope(ctx: typer.Context, action: Callable[[TenantScope], Awaitable[T]], *, sync: bool = False) -> T:
    """Load the fleet, open the store, and run ``action`` in the fleet's tenant scope."""
    c = cx.get(ctx)
    fleet = _fleet(c)

    async def main() -> T:
        async with open_database(c.home.db_path) as db:
            scope = TenantScope(db, fleet.tenant_id)
            if sync:
                await sync_fleet(scope, fleet)
            return await action(scope)

    return cx.run_async(main)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Directory to create the sample fleet in.")],
    force: Annotated[bool, typer.Option(help="Overwrite sample files that exist.")] = False,
) -> None:
    """Create a sample fleet: 3 personas, 3 campaigns and a fleet policy (an existing fleet is left as it is)."""
    if holds_fleet(directory) and not force:
        cx.console.print(f"{directory} already holds a fleet; nothing changed (--force rewrites the sample files)")
        return
    try:
        written = write_sample_fleet(directory, force=force)
    except ChimeraError as exc:
        cx.fail(str(exc), exc.exit_code)
    for path in written:
        cx.console.print(f"wrote {path}")
    cx.console.print(f"\nNext: cd {directory} && uv run chimera run --until-idle")


@app.command()
def run(
    ctx: typer.Context,
    until_idle: Annotated[bool, typer.Option("--until-idle", help="Poll once, finish all work, exit.")] = False,
    poll_interval: Annotated[float | None, typer.Option(help="Seconds between news polls.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker coroutines.")] = None,
    llm_latency_ms: Annotated[int | None, typer.Option(min=0, help="Simulated latency of the offline writer.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the fleet: perception -> planner -> workers -> judge."""
    c = cx.get(ctx)
    fleet = _fleet(c)
    options = RunOptions(
        until_idle=until_idle, poll_interval_s=poll_interval, workers=workers,
        llm_latency_ms=llm_latency_ms, crash_at=c.settings.crash_at,
    )  # fmt: skip
    handler = configure_logging(c.home.log_path)

    def ready(summary: RunSummary) -> None:
        if not as_json:
            mode = "until idle" if until_idle else "until Ctrl-C"
            cx.err_console.print(
                f"chimera run ({mode}): tenant {fleet.tenant_id}, {len(fleet.campaigns)} campaigns, "
                f"writer [bold]{summary.writer}[/] (offline, deterministic templates), news {summary.news}, "
                f"outbox local; resumed {summary.resumed} unfinished tasks"
            )
            if summary.orphaned:
                cx.err_console.print(
                    f"[yellow]warning:[/] {summary.orphaned} unfinished tasks belong to campaigns removed from "
                    "campaigns.toml; they stay pending until the campaign is back"
                )

    async def main() -> RunSummary:
        async with open_database(c.home.db_path) as db:
            return await run_fleet(fleet, db, options, on_ready=ready)

    try:
        summary = cx.run_async(main)
    finally:
        handler.close()
    data = {
        "stopped_by": summary.stopped_by, "resumed": summary.resumed, "orphaned": summary.orphaned,
        "alerts": summary.alerts,
        "cycles": summary.cycles, "occ_conflicts": summary.conflicts,
        "decisions": {v: summary.decisions.get(v, 0) for v in ("approve", "escalate", "reject")},
        "writer": summary.writer, "news": summary.news, "perception_errors": summary.perception_errors,
    }  # fmt: skip
    if as_json:
        cx.print_json(data)
    else:
        table = Table(title="Run summary")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key, value in data.items():
            table.add_row(key, str(value))
        cx.console.print(table)
    if summary.perception_errors:
        cx.fail("perception failed: " + "; ".join(summary.perception_errors), 4)


@app.command()
def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Fleet, queues, review depth, decisions, posts, and spend against limits."""
    report = _treasury_scope(ctx, lambda t: status_report(t.scope, t.period_keys(), t.wallet.name))
    if as_json:
        cx.print_json(report)
    else:
        cx.console.print(status_view(report))


@app.command()
def outbox(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many posts.")] = 20,
    agent: Annotated[str | None, typer.Option(help="Only this agent's posts.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What was published to the local outbox, with its AI disclosure."""
    posts = _in_scope(ctx, lambda scope: outbox_posts(scope, limit, agent))
    if as_json:
        cx.print_json(posts)
    else:
        cx.console.print(outbox_view(posts))


@review_app.callback(invoke_without_command=True)
def review(ctx: typer.Context) -> None:
    """Walk the review queue at a prompt."""
    if ctx.invoked_subcommand is not None:
        return
    reviewer = cx.get(ctx).settings.reviewer
    _treasury_scope(ctx, lambda t: interactive(t.scope, reviewer, cx.console, _spend_approver(t, reviewer)))


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    all_items: Annotated[bool, typer.Option("--all", help="Decided items too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List review items (pending ones by default)."""
    items = _in_scope(ctx, lambda scope: reviews.list_reviews(scope, None if all_items else ReviewStatus.PENDING))
    if as_json:
        cx.print_json([i.model_dump(mode="json") for i in items])
    else:
        cx.console.print(review_table(items))


@review_app.command("show")
def review_show(ctx: typer.Context, review_id: int) -> None:
    """Show one review item in full."""
    items = [i for i in _in_scope(ctx, lambda scope: reviews.list_reviews(scope, None)) if i.review_id == review_id]
    if not items:
        cx.fail(f"no review item {review_id}", 3)
    cx.console.print(render_item(items[0]))


@review_app.command("approve")
def review_approve(
    ctx: typer.Context,
    review_id: int,
    edit: Annotated[str | None, typer.Option(help="Approve this text instead of the original.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve an item (optionally with edited text); what waited on it continues, a spend is paid."""
    reviewer = cx.get(ctx).settings.reviewer

    async def action(t: Treasury) -> tuple[ReviewItem, str]:
        found = [i for i in await reviews.list_reviews(t.scope, None) if i.review_id == review_id]
        if not found:
            raise Refusal(f"no review item {review_id}")
        note = await approve_item(t.scope, found[0], reviewer, _spend_approver(t, reviewer), edit)
        decided = [i for i in await reviews.list_reviews(t.scope, None) if i.review_id == review_id]
        return decided[0], note

    item, note = _treasury_scope(ctx, action)
    _show_decided(item, as_json, note)


@review_app.command("reject")
def review_reject(
    ctx: typer.Context,
    review_id: int,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    as_json: JsonOpt = False,
) -> None:
    """Reject an item with a reason; what waited on it is cancelled."""
    reviewer = cx.get(ctx).settings.reviewer
    item = _in_scope(ctx, lambda scope: reviews.reject(scope, review_id, reviewer, reason))
    _show_decided(item, as_json)


def _show_decided(item: ReviewItem, as_json: bool, note: str = "") -> None:
    if as_json:
        cx.print_json({**item.model_dump(mode="json"), "outcome": note or item.status.value})
    else:
        why = f": {item.reason}" if item.reason else ""
        subject = f"spend {item.spend_key}" if item.spend_key else f"task {item.task_id}"
        cx.console.print(f"{note or item.status.value}: review #{item.review_id} ({subject}){why}")


def _spend_approver(t: Treasury, reviewer: str) -> Callable[[int], Awaitable[SpendOutcome]]:
    return lambda review_id: t.approve_spend(review_id, reviewer)


def _set_status(ctx: typer.Context, campaign_id: str, status: CampaignStatus) -> None:
    version = _in_scope(ctx, lambda scope: set_campaign_status(scope, campaign_id, status), sync=True)
    cx.console.print(f"campaign {campaign_id} is {status.value} (version {version})")


@campaign_app.command("pause")
def campaign_pause(ctx: typer.Context, campaign_id: str) -> None:
    """Stop planning a campaign (takes effect in a running fleet too)."""
    _set_status(ctx, campaign_id, CampaignStatus.PAUSED)


@campaign_app.command("resume")
def campaign_resume(ctx: typer.Context, campaign_id: str) -> None:
    """Plan a paused campaign again."""
    _set_status(ctx, campaign_id, CampaignStatus.ACTIVE)


@campaign_app.command("list")
def campaign_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Campaigns with their state in the store."""
    report = _treasury_scope(ctx, lambda t: status_report(t.scope, t.period_keys(), t.wallet.name))
    if as_json:
        cx.print_json(report["campaigns"])
    else:
        cx.console.print(status_view(report).renderables[0])


@app.command()
def bench(
    agents: Annotated[int, typer.Option(min=1, help="Agents, one campaign each.")] = 10_000,
    llm_latency_ms: Annotated[int, typer.Option(min=0, help="Simulated model latency per generate_content.")] = 200,
    tenants: Annotated[int, typer.Option(min=1, help="Spread the agents over this many tenants.")] = 1,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker coroutines (default: one per agent, max 10k).")
    ] = None,
    db: Annotated[Path | None, typer.Option(help="Store file to use (default: a temporary file).")] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the result object to this file.")] = None,
    cfo: Annotated[bool, typer.Option("--cfo", help="Time CFO decisions (100,000 random requests) instead.")] = False,
) -> None:
    """Run the reference workload RW-1 through the real runtime; print one JSON line."""
    import json
    import tempfile

    if cfo:
        from chimera.runtime.cfo_bench import run_cfo_bench

        figures = run_cfo_bench()
        line = json.dumps(figures, sort_keys=True)
        if json_path is not None:
            json_path.write_text(line + "\n", encoding="utf-8")
        cx.err_console.print(f"CFO: median {figures['median_us']} µs, p99 {figures['p99_us']} µs per decision")
        print(line)
        return

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from chimera.runtime.bench import BenchOptions, run_rw1

    options = BenchOptions(agents=agents, llm_latency_ms=llm_latency_ms, tenants=tenants, db=db, workers=workers)
    expected = agents * 3
    with tempfile.TemporaryDirectory() as tmp, Progress(
        TextColumn("RW-1"), BarColumn(), MofNCompleteColumn(), TextColumn("decisions · {task.fields[open]} open"),
        TimeElapsedColumn(), console=cx.err_console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("rw1", total=expected, open=0)

        def progress(done: int, open_work: int) -> None:
            bar.update(task, completed=min(done, expected), open=open_work)

        result = cx.run_async(lambda: run_rw1(options, Path(tmp), progress))
    table = Table(title=f"RW-1: {agents} agents, {llm_latency_ms} ms model latency")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in ("tasks", "wall_s", "tasks_per_s", "p50_cycle_ms", "p95_cycle_ms", "peak_rss_mib", "decisions",
                "posts", "db_bytes", "self_check"):  # fmt: skip
        table.add_row(key, str(result[key]))
    line = json.dumps(result, sort_keys=True)
    if json_path is not None:
        json_path.write_text(line + "\n", encoding="utf-8")
    cx.err_console.print(table)
    print(line)
    if result["self_check"]:
        cx.fail("self-check failed: " + "; ".join(result["self_check"]), 4)


def _treasury_scope(ctx: typer.Context, action: Callable[[Treasury], Awaitable[T]]) -> T:
    """Run ``action`` with the tenant's treasury (simulated wallet), limits synced and in-flight spends recovered."""
    c = cx.get(ctx)
    fleet = _fleet(c)
    money = fleet.policy.money

    async def main() -> T:
        async with open_database(c.home.db_path) as db:
            scope = TenantScope(db, fleet.tenant_id)
            await sync_fleet(scope, fleet)
            await sync_limits(scope, fleet)
            wallet: Wallet
            if money.wallet == "coinbase":
                wallet = CoinbaseWallet(scope, open_cdp_wallet(c.settings.cdp), asset_id=money.asset_id)
            else:
                wallet = SimulatedWallet(scope, cents(money.starting_balance_usd))
            treasury = Treasury(scope, money, wallet, crash=CrashPoints(c.settings.crash_at))
            await treasury.recover()
            return await action(treasury)

    return cx.run_async(main)


def _usd(amount_cents: int) -> str:
    return f"${amount_cents / 100:,.2f}"


AgentOpt = Annotated[str, typer.Option("--agent", help="Agent id.")]


@wallet_app.command("balance")
def wallet_balance(ctx: typer.Context, agent: AgentOpt, as_json: JsonOpt = False) -> None:
    """An agent's wallet balance."""

    async def action(t: Treasury) -> tuple[int, str, bool]:
        return await t.wallet.balance(t.scope.tenant_id, agent), t.wallet.name, t.wallet.simulated

    balance, name, simulated = _treasury_scope(ctx, action)
    data = {"agent_id": agent, "balance_cents": balance, "balance_usd": f"{balance / 100:.2f}",
            "wallet": name, "simulated": simulated}  # fmt: skip
    if as_json:
        cx.print_json(data)
    else:
        label = "simulated wallet, offline" if simulated else f"{name} wallet, shared by the fleet"
        cx.console.print(f"{agent}: {_usd(balance)} ({label})")


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
    outcome = _treasury_scope(ctx, lambda t: t.spend(req, key))
    data = {"status": outcome.status, "tier": outcome.decision.tier.value, "risk": outcome.decision.risk,
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
    outcome = _treasury_scope(ctx, lambda t: t.spend(req))
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
    rows = _treasury_scope(ctx, lambda t: ledger.history(t.scope, agent))[0]
    wallet = _fleet(cx.get(ctx)).policy.money.wallet
    if as_json:
        cx.print_json(rows)
        return
    table = Table(title=f"Ledger of {agent} ({wallet} wallet)")
    for col in ("id", "state", "amount", "category", "to", "approval", "risk", "reason"):
        table.add_column(col)
    for e in rows["ledger"]:
        table.add_row(str(e["entry_id"]), e["state"], _usd(e["amount_cents"]), e["category"], e["recipient"],
                      e["approval"], f"{e['risk']:.2f}", e["reason"][:60])  # fmt: skip
    cx.console.print(table)


@budget_app.command("show")
def budget_show(ctx: typer.Context, agent: AgentOpt, as_json: JsonOpt = False) -> None:
    """Spent and left for the current day, week and month, and per category today."""
    data = _treasury_scope(ctx, lambda t: ledger.budget(t.scope, agent, t.period_keys()))
    if not data:
        cx.fail(f"no agent '{agent}'", 3)
    if as_json:
        cx.print_json(data)
        return
    table = Table(title=f"Budget of {agent}")
    for col in ("period", "key", "spent", "limit", "left"):
        table.add_column(col)
    for name, p in data["periods"].items():
        table.add_row(name, p["key"], _usd(p["spent_cents"]), _usd(p["limit_cents"]), _usd(p["left_cents"]))
    cx.console.print(table)


@app.command()
def kill(ctx: typer.Context) -> None:
    """Fleet-wide kill switch: stop all spending now."""
    _treasury_scope(ctx, lambda t: ledger.set_flag(t.scope, "kill", "on", cx.get(ctx).settings.reviewer))
    cx.console.print("kill switch ON: no spending until `chimera resume`")


@app.command()
def resume(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option("--agent", help="Resume one paused agent instead.")] = None,
) -> None:
    """Turn the kill switch off, or resume one paused agent."""
    who = cx.get(ctx).settings.reviewer
    if agent is None:
        _treasury_scope(ctx, lambda t: ledger.set_flag(t.scope, "kill", "off", who))
        cx.console.print("kill switch OFF")
        return
    if not _treasury_scope(ctx, lambda t: ledger.set_agent_status(t.scope, agent, "active", who)):
        cx.fail(f"no agent '{agent}'", 3)
    cx.console.print(f"agent {agent} resumed")


@mcp_app.command("serve")
def mcp_serve(
    server: Annotated[str, typer.Argument(help="Which bundled server: news.")],
    snapshot: Annotated[
        Path | None, typer.Option(help="News snapshot JSON to serve instead of the bundled one.")
    ] = None,
) -> None:
    """Run a bundled MCP server on stdio (for any MCP client)."""
    if server != "news":
        cx.fail(f"unknown server '{server}' (available: news)", 2)
    from chimera.mcp.servers import news

    news.main(["--snapshot", str(snapshot)] if snapshot else [])


def main() -> None:
    """Console-script entry point."""
    app()
