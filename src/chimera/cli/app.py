"""The ``chimera`` command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from chimera import native
from chimera.cli import context as cx
from chimera.cli import money_cmd
from chimera.cli.audit_cmd import audit_app
from chimera.cli.doctor_cmd import doctor
from chimera.cli.init_cmd import holds_fleet, write_sample_fleet
from chimera.cli.review_cmd import approve_item, interactive, render_item, review_table
from chimera.cli.scopes import fleet_of, in_scope, in_treasury, open_store, review_actions
from chimera.cli.security_cmd import security_app
from chimera.cli.status_cmd import outbox_view, platform_rows, status_view
from chimera.errors import ChimeraError, Refusal
from chimera.governance.treasury import Treasury
from chimera.logs import configure as configure_logging
from chimera.logs import configure_stderr
from chimera.mcp.command import ServerCommand
from chimera.models.config import BUNDLED_SERVERS, CampaignStatus, FleetPolicy
from chimera.models.contracts import ReviewItem
from chimera.models.work import ReviewStatus
from chimera.pipeline.window import BENCH_WINDOW
from chimera.runtime.interpreter import run_as_process
from chimera.secret_store import Redactor, SecretStore
from chimera.settings import Settings
from chimera.store import reviews
from chimera.store.fleet import set_campaign_status
from chimera.store.reports import outbox_posts, status_report

if TYPE_CHECKING:  # the MCP SDK and the runtime are imported by the commands that use them (start-up stays fast)
    from chimera.mcp.pool import ServerSpec
    from chimera.runtime.runner import RunSummary

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
app.add_typer(money_cmd.wallet_app, name="wallet")
app.add_typer(money_cmd.budget_app, name="budget")
app.command()(money_cmd.kill)
app.command()(doctor)
app.command()(money_cmd.resume)
app.add_typer(review_app, name="review")
app.add_typer(campaign_app, name="campaign")
app.add_typer(mcp_app, name="mcp")
app.add_typer(audit_app, name="audit")
app.add_typer(security_app, name="security")

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
    redactor = Redactor()
    for value in settings.secret_values():
        redactor.register(value)
    configure_stderr(redactor)
    ctx.obj = cx.CliContext(cx.resolve_home(home, settings), settings, SecretStore(redactor))


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
    from chimera.runtime.runner import RunOptions, run_fleet

    c = cx.get(ctx)
    fleet = fleet_of(c)
    options = RunOptions(
        until_idle=until_idle, poll_interval_s=poll_interval, workers=workers,
        llm_latency_ms=llm_latency_ms, crash_at=c.settings.crash_at,
    )  # fmt: skip
    handler = configure_logging(c.home.log_path, c.secrets.redactor)

    def ready(summary: RunSummary) -> None:
        if not as_json:
            mode = "until idle" if until_idle else "until Ctrl-C"
            cx.err_console.print(
                f"chimera run ({mode}): tenant {fleet.tenant_id}, {len(fleet.campaigns)} campaigns, "
                f"writer [bold]{summary.writer}[/] (offline, deterministic templates), news {summary.news}, "
                f"memory {summary.memory}, outbox local; hot modules {native.STATE}; "
                f"resumed {summary.resumed} unfinished tasks"
            )
            for server in summary.servers:
                if server.state != "up":
                    cx.err_console.print(
                        f"[yellow]warning:[/] MCP server {server.name} is {server.state.value}: {server.last_error}"
                    )
            if summary.orphaned:
                cx.err_console.print(
                    f"[yellow]warning:[/] {summary.orphaned} unfinished tasks belong to campaigns removed from "
                    "campaigns.toml; they stay pending until the campaign is back"
                )

    async def main() -> RunSummary:
        async with open_store(c) as db:
            return await run_fleet(fleet, db, options, home=c.home, secrets=c.secrets, on_ready=ready)

    try:
        summary = cx.run_async(main)
    finally:
        handler.close()
    data = {
        "stopped_by": summary.stopped_by, "resumed": summary.resumed, "orphaned": summary.orphaned,
        "alerts": summary.alerts,
        "cycles": summary.cycles, "occ_conflicts": summary.conflicts,
        "decisions": {v: summary.decisions.get(v, 0) for v in ("approve", "escalate", "reject")},
        "writer": summary.writer, "news": summary.news, "memory": summary.memory, "build": native.STATE,
        "perception_errors": summary.perception_errors, "blocked_items": summary.blocked_items,
        "replies_requested": summary.replies_requested, "platforms": summary.platforms,
        "mcp_servers": {s.name: {"state": s.state.value, "restarts": s.restarts} for s in summary.servers},
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
    """Fleet, queues, review depth, decisions, posts, platforms and quotas, model usage, spend against limits."""
    import time

    from chimera.platforms.pacing import month_start

    since = month_start(time.time())
    report = in_treasury(ctx, lambda t: status_report(t.scope, t.period_keys(), t.wallet.name, since))
    report["platforms"] = platform_rows(report, fleet_of(cx.get(ctx)).policy)
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
    posts = in_scope(ctx, lambda scope: outbox_posts(scope, limit, agent))
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
    security = fleet_of(cx.get(ctx)).policy.security
    in_treasury(ctx, lambda t: interactive(t.scope, reviewer, cx.console, review_actions(t, reviewer, security)))


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    all_items: Annotated[bool, typer.Option("--all", help="Decided items too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List review items (pending ones by default)."""
    items = in_scope(ctx, lambda scope: reviews.list_reviews(scope, None if all_items else ReviewStatus.PENDING))
    if as_json:
        cx.print_json([i.model_dump(mode="json") for i in items])
    else:
        cx.console.print(review_table(items))


@review_app.command("show")
def review_show(ctx: typer.Context, review_id: int) -> None:
    """Show one review item in full."""
    items = [i for i in in_scope(ctx, lambda scope: reviews.list_reviews(scope, None)) if i.review_id == review_id]
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
    security = fleet_of(cx.get(ctx)).policy.security

    async def action(t: Treasury) -> tuple[ReviewItem, str]:
        found = [i for i in await reviews.list_reviews(t.scope, None) if i.review_id == review_id]
        if not found:
            raise Refusal(f"no review item {review_id}")
        note = await approve_item(t.scope, found[0], reviewer, review_actions(t, reviewer, security), edit)
        decided = [i for i in await reviews.list_reviews(t.scope, None) if i.review_id == review_id]
        return decided[0], note

    item, note = in_treasury(ctx, action)
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
    item = in_scope(ctx, lambda scope: reviews.reject(scope, review_id, reviewer, reason))
    _show_decided(item, as_json)


def _show_decided(item: ReviewItem, as_json: bool, note: str = "") -> None:
    if as_json:
        cx.print_json({**item.model_dump(mode="json"), "outcome": note or item.status.value})
    else:
        why = f": {item.reason}" if item.reason else ""
        subject = f"spend {item.spend_key}" if item.spend_key else f"task {item.task_id}"
        cx.console.print(f"{note or item.status.value}: review #{item.review_id} ({subject}){why}")


def _set_status(ctx: typer.Context, campaign_id: str, status: CampaignStatus) -> None:
    version = in_scope(ctx, lambda scope: set_campaign_status(scope, campaign_id, status), sync=True)
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
    report = in_treasury(ctx, lambda t: status_report(t.scope, t.period_keys(), t.wallet.name))
    if as_json:
        cx.print_json(report["campaigns"])
    else:
        cx.console.print(status_view(report).renderables[0])


def _writable_output(path: Path) -> None:
    """Make ``path``'s folder if needed and open the file once for writing; exit 2 if either fails."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        cx.fail(f"cannot write {path}: {exc.strerror or exc}", 2)
    if not existed:
        path.unlink()  # nothing is left behind if the run then fails


def _result_line(result: dict[str, Any], json_path: Path | None) -> None:
    """Print the bench's result as one JSON line on stdout, and write the same line to ``json_path``."""
    import json

    line = json.dumps(result, sort_keys=True)
    if json_path is not None:
        json_path.write_text(line + "\n", encoding="utf-8")
    print(line, flush=True)


@app.command()
def bench(
    agents: Annotated[int, typer.Option(min=1, help="Agents, one campaign each.")] = 10_000,
    llm_latency_ms: Annotated[int, typer.Option(min=0, help="Simulated model latency per generate_content.")] = 200,
    tenants: Annotated[int, typer.Option(min=1, help="Spread the agents over this many tenants.")] = 1,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker coroutines (default: one per 16 cycles in the window, else per 16 agents; 16 to 2,000)."
        ),
    ] = None,
    db: Annotated[
        Path | None, typer.Option(help="Store file to use (default: a temporary file); only a bench store is replaced.")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="Also write the result object to this file.")] = None,
    cfo: Annotated[bool, typer.Option("--cfo", help="Time CFO decisions (100,000 random requests) instead.")] = False,
    window: Annotated[
        int, typer.Option(min=0, help="Cycles in flight at once (runtime.max_cycles_in_flight); 0: all at once.")
    ] = BENCH_WINDOW,
) -> None:
    """Run the reference workload RW-1 through the real runtime; print one JSON line."""
    import tempfile

    if json_path is not None:
        _writable_output(json_path)  # before the run, not after minutes of it
    if cfo:
        from chimera.runtime.cfo_bench import run_cfo_bench

        figures = run_cfo_bench()
        _result_line(figures, json_path)
        cx.err_console.print(f"CFO: median {figures['median_us']} µs, p99 {figures['p99_us']} µs per decision")
        return

    if tenants > agents:
        cx.fail(f"--tenants ({tenants}) cannot be more than --agents ({agents}): every tenant needs an agent", 2)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from chimera.runtime.bench import BenchOptions, run_rw1

    options = BenchOptions(agents=agents, llm_latency_ms=llm_latency_ms, tenants=tenants, db=db, workers=workers,
                           window=window)  # fmt: skip
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
    for key in ("tasks", "wall_s", "tasks_per_s", "p50_cycle_ms", "p95_cycle_ms", "p95_finish_ms", "window",
                "peak_rss_mib", "cpu_us_per_task", "cores_busy", "decisions",
                "posts", "db_bytes", "build", "self_check"):  # fmt: skip
        table.add_row(key, str(result[key]))
    _result_line(result, json_path)  # stdout's last line stays the JSON; the table follows it on stderr
    cx.err_console.print(table)
    if result["self_check"]:
        cx.fail("self-check failed: " + "; ".join(result["self_check"]), 4)


@mcp_app.command("serve")
def mcp_serve(
    ctx: typer.Context,
    server: Annotated[str, typer.Argument(help="Which bundled server: news or memory.")],
    snapshot: Annotated[
        Path | None, typer.Option(help="News snapshot JSON to serve instead of the bundled one.")
    ] = None,
    db: Annotated[Path | None, typer.Option(help="Memory file (default: data/memory.db in the fleet home).")] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant of the memories (default: the fleet's).")] = None,
) -> None:
    """Run a bundled MCP server on stdio (for any MCP client); it uses the fleet's [news] / [memory] settings."""
    c = cx.get(ctx)
    if server not in BUNDLED_SERVERS:
        cx.fail(f"unknown server '{server}' (available: {', '.join(BUNDLED_SERVERS)})", 2)
    fleet = fleet_of(c) if c.home.fleet_file.exists() else None
    policy = fleet.policy if fleet is not None else FleetPolicy()
    if server == "news":
        from chimera.mcp.servers import news

        command = ServerCommand.bundled_news(
            str(snapshot) if snapshot else None, policy.news, c.home.data_dir / "news-cache.db"
        )
        news.main(command.args[2:])
    else:
        from chimera.mcp.servers import memory

        if fleet is None and tenant is None:
            cx.fail(f"no fleet in {c.home.root}: give --tenant (and --db)", 2)
        path = db or c.home.data_dir / "memory.db"
        command = ServerCommand.bundled_memory(path, tenant or policy.tenant_id, policy.memory)
        memory.main(command.args[2:])


def _fleet_specs(c: cx.CliContext) -> list[ServerSpec]:
    from chimera.mcp.fleet_servers import fleet_server_specs

    return fleet_server_specs(fleet_of(c).policy, c.home.data_dir)


@mcp_app.command("list")
def mcp_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Start every configured server (bundled and third-party) and show its state, tools and resources."""
    c = cx.get(ctx)
    specs = _fleet_specs(c)
    policy = fleet_of(c).policy.mcp.model_copy(update={"max_restarts": 0})

    from chimera.mcp.pool import open_pool

    async def main() -> list[dict[str, object]]:
        async with open_pool(specs, policy) as pool:
            return [
                {"server": s.name, "state": s.state.value, "tools": s.tools, "resources": s.resources,
                 "error": s.last_error if s.state != "up" else None}
                for s in pool.statuses()
            ]  # fmt: skip

    listed = cx.run_async(main)
    if as_json:
        cx.print_json(listed)
        return
    table = Table(title="MCP servers")
    for col in ("server", "state", "tools", "resources"):
        table.add_column(col)
    for row in listed:
        tools, resources = row["tools"], row["resources"]
        assert isinstance(tools, list) and isinstance(resources, list)
        table.add_row(
            str(row["server"]), str(row["state"]), ", ".join(tools) or str(row.get("error") or ""), ", ".join(resources)
        )
    cx.console.print(table)


@mcp_app.command("call")
def mcp_call(
    ctx: typer.Context,
    server: Annotated[str, typer.Argument(help="A configured server (see chimera mcp list).")],
    tool: Annotated[str, typer.Argument(help="Tool name (see chimera mcp list).")],
    args: Annotated[str, typer.Option("--args", help="Tool arguments as a JSON object.")] = "{}",
) -> None:
    """Call one tool of a configured server and print its result as JSON (for debugging)."""
    import json

    c = cx.get(ctx)
    specs = [s for s in _fleet_specs(c) if s.name == server]
    if not specs:
        known = ", ".join(s.name for s in _fleet_specs(c))
        cx.fail(f"unknown server '{server}' (configured: {known})", 2)
    try:
        arguments = json.loads(args)
    except ValueError as exc:
        cx.fail(f"--args is not JSON: {exc}", 2)
    if not isinstance(arguments, dict):
        cx.fail("--args must be a JSON object", 2)
    policy = fleet_of(c).policy.mcp.model_copy(update={"max_restarts": 0})

    from chimera.mcp.pool import open_pool

    async def main() -> object:
        async with open_pool(specs, policy) as pool:
            result = await pool.server(server).call_tool(tool, arguments, retry=False)
        if result.structured_content is not None:
            return result.structured_content
        return [getattr(x, "text", str(x)) for x in result.content]

    cx.print_json(cx.run_async(main))


def main() -> None:
    """Console-script entry point (and ``python -m chimera``): a whole process, ending when the command does."""
    run_as_process(app)
